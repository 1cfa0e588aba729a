import { type ConfigResult, configErrorExitCode, type EnvSource, parseConfig, portVar } from "@perimeter/runtime";
import { z } from "zod";
import type { ReasoningField } from "./validate-chat-request.ts";

/** The simulator's latency model; all zero means answers are immediate. */
export interface LatencyConfig {
  /** Fixed cost of a prefill, before any token is computed. */
  prefillOverheadMs: number;
  /** Prefill cost of each prompt token that is not served from the prefix cache. */
  ttftMsPerToken: number;
  /** Time between two streamed chunks. */
  itlMs: number;
}

/**
 * The simulator's configuration, read once at boot from the environment and the command line (flags
 * override variables). The rest of the package takes these values as arguments.
 */
export interface VllmSimConfig {
  port: number;
  host: string;
  /** `--served-model-name`: the name clients send as `model`. */
  model: string;
  /** `--model`: the path vLLM would load, reported as `root` by `/v1/models`. */
  modelPath: string;
  maxModelLen: number;
  scriptPath: string | undefined;
  startupMs: number;
  latency: LatencyConfig;
  maxNumSeqs: number;
  reasoningField: ReasoningField;
  apiKey: string | undefined;
  /** `--vision`: play a vision model that reads `image_url` parts. */
  vision: boolean;
}

export const defaultModel = "umans-coder";
export const defaultModelPath = "umans-ai/umans-coder-v0";
export const defaultMaxModelLen = 163_840;

/** What the process runs with when no latency flag is given: a fast but visibly non-zero GPU. */
export const defaultCliLatency: LatencyConfig = { prefillOverheadMs: 30, ttftMsPerToken: 0.02, itlMs: 15 };

const modelName = z
  .string()
  .regex(/^[\w.:/-]{1,128}$/, "must be a model name of letters, digits and . _ - : / (at most 128)");

const vllmSimEnvSchema = z.object({
  VLLM_SIM_PORT: portVar(8000),
  VLLM_SIM_HOST: z.string().default("127.0.0.1"),
  VLLM_SIM_MODEL: modelName.default(defaultModel),
});

const count = (min: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number of at least ${min}`)
    .transform(Number)
    .refine((value) => value >= min, `must be a whole number of at least ${min}`);
const milliseconds = z
  .string()
  .regex(/^\d+(\.\d+)?$/, "must be a non-negative number")
  .transform(Number);

// Each flag's value schema; a flag absent from the command line keeps the variable's value or default.
const flagSchemas = {
  "--port": portVar(8000),
  "--host": z.string().min(1, "must not be empty"),
  "--served-model-name": modelName,
  "--model": z.string().min(1, "must not be empty"),
  "--max-model-len": count(1),
  "--script": z.string().min(1, "must not be empty"),
  "--startup-ms": milliseconds,
  "--ttft-ms-per-token": milliseconds,
  "--prefill-overhead-ms": milliseconds,
  "--itl-ms": milliseconds,
  "--max-num-seqs": count(1),
  "--reasoning-field": z.enum(["reasoning", "reasoning_content"], { error: "must be reasoning or reasoning_content" }),
  "--api-key": z.string().min(1, "must not be empty"),
} as const;

type Flag = keyof typeof flagSchemas;
const booleanFlags = new Set(["--no-latency", "--vision"]);

function describe(raw: string): string {
  return JSON.stringify(raw.length > 100 ? `${raw.slice(0, 100)}…` : raw);
}

/**
 * Reads the simulator's variables from `env` and its flags from `argv` (the arguments after the script;
 * `--flag value` or `--flag=value`), flags winning. A failure is one line naming every bad variable or
 * flag, in the shape of `parseConfig`'s messages; `--api-key` values are never echoed.
 */
export function parseVllmSimConfig(argv: string[], env: EnvSource): ConfigResult<VllmSimConfig> {
  const fromEnv = parseConfig(vllmSimEnvSchema, env);
  const problems: string[] = fromEnv.ok ? [] : [fromEnv.message];
  const values = new Map<Flag, unknown>();
  let noLatency = false;
  let vision = false;
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i] as string;
    const [name, inline] = arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    if (booleanFlags.has(name)) {
      if (inline !== undefined) problems.push(`${name} takes no value`);
      if (name === "--vision") vision = true;
      else noLatency = true;
      continue;
    }
    if (!(name in flagSchemas)) {
      problems.push(`unknown flag ${describe(arg)}`);
      continue;
    }
    const raw = inline ?? argv[i + 1];
    if (inline === undefined) i += 1;
    if (raw === undefined || (inline === undefined && raw.startsWith("--"))) {
      problems.push(`${name} needs a value`);
      if (raw?.startsWith("--")) i -= 1;
      continue;
    }
    const parsed = flagSchemas[name as Flag].safeParse(raw);
    if (parsed.success) values.set(name as Flag, parsed.data);
    else
      problems.push(
        `${name} ${parsed.error.issues[0]?.message} (got ${name === "--api-key" ? `${raw.length} characters` : describe(raw)})`,
      );
  }
  if (problems.length > 0 || !fromEnv.ok) return { ok: false, message: problems.join("; ") };
  const flag = <T>(name: Flag, fallback: T): T => (values.has(name) ? (values.get(name) as T) : fallback);
  const latency: LatencyConfig = noLatency
    ? { prefillOverheadMs: 0, ttftMsPerToken: 0, itlMs: 0 }
    : {
        prefillOverheadMs: flag("--prefill-overhead-ms", defaultCliLatency.prefillOverheadMs),
        ttftMsPerToken: flag("--ttft-ms-per-token", defaultCliLatency.ttftMsPerToken),
        itlMs: flag("--itl-ms", defaultCliLatency.itlMs),
      };
  return {
    ok: true,
    config: {
      port: flag("--port", fromEnv.config.VLLM_SIM_PORT),
      host: flag("--host", fromEnv.config.VLLM_SIM_HOST),
      model: flag("--served-model-name", fromEnv.config.VLLM_SIM_MODEL),
      modelPath: flag("--model", defaultModelPath),
      maxModelLen: flag("--max-model-len", defaultMaxModelLen),
      scriptPath: flag<string | undefined>("--script", undefined),
      startupMs: flag("--startup-ms", 0),
      latency,
      maxNumSeqs: flag("--max-num-seqs", 256),
      reasoningField: flag("--reasoning-field", "reasoning"),
      apiKey: flag<string | undefined>("--api-key", undefined),
      vision,
    },
  };
}

/**
 * Reads the configuration from `process.argv` and `process.env`. On a bad value it prints one line to
 * stderr and ends the process with exit code 78, before anything has been started.
 */
export function loadVllmSimConfig(): VllmSimConfig {
  const result = parseVllmSimConfig(process.argv.slice(2), process.env);
  if (result.ok) return result.config;
  // The same line and exit code as every other service's config error (`loadConfigOrExit`).
  process.stderr.write(`config error: ${result.message}\n`);
  process.exit(configErrorExitCode);
}
