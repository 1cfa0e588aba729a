import { z } from "zod";

/** Everything the gateway reads from its environment, parsed once at boot by `loadGatewayConfig`. */
export interface GatewayConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  /** Master secret (≥ 32 characters); API-key hashes are keyed from it. Never logged. */
  perimeterSecret: string;
  /** Root of the OpenAI-compatible vLLM server, without a trailing slash or `/v1`. */
  vllmBaseUrl: string;
}

const portMessage = "must be a port number between 0 and 65535";

function port(defaultPort: number) {
  return z
    .string()
    .regex(/^\d{1,5}$/, portMessage)
    .transform(Number)
    .refine((value) => value <= 65_535, portMessage)
    .default(defaultPort);
}

function urlWithProtocol(protocols: readonly string[], message: string) {
  return z.string().refine((value) => {
    try {
      const url = new URL(value);
      return protocols.includes(url.protocol) && url.hostname !== "";
    } catch {
      return false;
    }
  }, message);
}

/** `http://vllm:8000/v1/` and `http://vllm:8000` name the same server; routes append their own paths. */
function toServerRoot(value: string): string {
  return value.replace(/\/+$/, "").replace(/\/v1$/, "");
}

export const gatewayEnvSchema = z.object({
  GATEWAY_PORT: port(4000),
  GATEWAY_HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: urlWithProtocol(["postgres:", "postgresql:"], "must be a postgres:// or postgresql:// URL"),
  REDIS_URL: urlWithProtocol(["redis:", "rediss:"], "must be a redis:// or rediss:// URL"),
  PERIMETER_SECRET: z.string().min(32, "must be at least 32 characters"),
  VLLM_BASE_URL: urlWithProtocol(["http:", "https:"], "must be an http:// or https:// URL").transform(toServerRoot),
});

/** Variables whose values must never be echoed back, even in an error message. */
const secretVariables = new Set(["PERIMETER_SECRET"]);

export type EnvSource = Record<string, string | undefined>;
export type EnvParseResult = { ok: true; config: GatewayConfig } | { ok: false; message: string };

function describeValue(key: string, raw: string): string {
  if (secretVariables.has(key)) return `${raw.length} characters`;
  // Connection strings may carry a password; show the shape of the value without it.
  const shown = raw.replace(/(\/\/[^/:@]*:)[^/@]*@/, "$1***@");
  return JSON.stringify(shown.length > 100 ? `${shown.slice(0, 100)}…` : shown);
}

/**
 * Validates the gateway's variables in `source`. Empty strings count as unset. A failure comes back as
 * one line naming every bad variable, with secrets and passwords left out.
 */
export function parseGatewayEnv(source: EnvSource): EnvParseResult {
  const present = Object.fromEntries(Object.keys(gatewayEnvSchema.shape).map((key) => [key, source[key] || undefined]));
  const result = gatewayEnvSchema.safeParse(present);
  if (!result.success) {
    const problems = new Map<string, string>();
    for (const issue of result.error.issues) {
      const key = String(issue.path[0]);
      const raw = present[key];
      if (problems.has(key)) continue;
      problems.set(
        key,
        raw === undefined ? `${key} is required` : `${key} ${issue.message} (got ${describeValue(key, raw)})`,
      );
    }
    return { ok: false, message: [...problems.values()].join("; ") };
  }
  const env = result.data;
  return {
    ok: true,
    config: {
      port: env.GATEWAY_PORT,
      host: env.GATEWAY_HOST,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      perimeterSecret: env.PERIMETER_SECRET,
      vllmBaseUrl: env.VLLM_BASE_URL,
    },
  };
}

/** Exit status for a configuration error (`EX_CONFIG` from sysexits.h); the orchestrator relies on it. */
export const configErrorExitCode = 78;

/**
 * Reads the configuration from `process.env`, the only place the gateway does. On a bad value it prints
 * one line to stderr and ends the process with exit code 78 before anything has been started.
 */
export function loadGatewayConfig(): GatewayConfig {
  const result = parseGatewayEnv(process.env);
  if (result.ok) return result.config;
  process.stderr.write(`config error: ${result.message}\n`);
  process.exit(configErrorExitCode);
}
