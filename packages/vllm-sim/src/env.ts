import { z } from "zod";

/**
 * The simulator's configuration, read once from the environment at boot. The rest of the package
 * takes these values as arguments and never reads `process.env`.
 */
export interface VllmSimConfig {
  port: number;
  host: string;
  model: string;
}

export const defaultModel = "umans-coder-v0";

const portMessage = "must be a port number between 0 and 65535";

export const vllmSimEnvSchema = z.object({
  VLLM_SIM_PORT: z
    .string()
    .regex(/^\d{1,5}$/, portMessage)
    .transform(Number)
    .refine((port) => port <= 65_535, portMessage)
    .default(8000),
  VLLM_SIM_HOST: z.string().min(1).default("127.0.0.1"),
  VLLM_SIM_MODEL: z
    .string()
    .regex(/^[\w.:/-]{1,128}$/, "must be a model name of letters, digits and . _ - : / (at most 128)")
    .default(defaultModel),
});

export type EnvSource = Record<string, string | undefined>;
export type EnvParseResult = { ok: true; config: VllmSimConfig } | { ok: false; message: string };

/**
 * Validates the simulator's variables in `source`. Empty strings count as unset, so `VLLM_SIM_PORT=`
 * falls back to the default. A failure comes back as one line naming every bad variable.
 */
export function parseVllmSimEnv(source: EnvSource): EnvParseResult {
  const present = Object.fromEntries(Object.keys(vllmSimEnvSchema.shape).map((key) => [key, source[key] || undefined]));
  const result = vllmSimEnvSchema.safeParse(present);
  if (!result.success) {
    const seen = new Set<string>();
    const problems: string[] = [];
    for (const issue of result.error.issues) {
      const key = String(issue.path[0]);
      if (seen.has(key)) continue;
      seen.add(key);
      const raw = present[key];
      problems.push(raw === undefined ? `${key} is required` : `${key} ${issue.message} (got ${JSON.stringify(raw)})`);
    }
    return { ok: false, message: problems.join("; ") };
  }
  const env = result.data;
  return { ok: true, config: { port: env.VLLM_SIM_PORT, host: env.VLLM_SIM_HOST, model: env.VLLM_SIM_MODEL } };
}

/** Exit status for a configuration error (`EX_CONFIG` from sysexits.h); the orchestrator relies on it. */
export const configErrorExitCode = 78;

/**
 * Reads the configuration from `process.env`. On a bad value it prints one line to stderr and ends
 * the process with exit code 78, before anything has been started.
 */
export function loadVllmSimConfig(): VllmSimConfig {
  const result = parseVllmSimEnv(process.env);
  if (result.ok) return result.config;
  process.stderr.write(`config error: ${result.message}\n`);
  process.exit(configErrorExitCode);
}
