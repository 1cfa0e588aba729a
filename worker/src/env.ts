import { z } from "zod";

/** Everything the worker reads from its environment, parsed once at boot by `loadWorkerConfig`. */
export interface WorkerConfig {
  /** Port of the health server (`/healthz`, `/readyz`). */
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
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

export const workerEnvSchema = z.object({
  WORKER_PORT: port(4100),
  WORKER_HOST: z.string().default("0.0.0.0"),
  DATABASE_URL: urlWithProtocol(["postgres:", "postgresql:"], "must be a postgres:// or postgresql:// URL"),
  REDIS_URL: urlWithProtocol(["redis:", "rediss:"], "must be a redis:// or rediss:// URL"),
});

export type EnvSource = Record<string, string | undefined>;
export type EnvParseResult = { ok: true; config: WorkerConfig } | { ok: false; message: string };

function describeValue(raw: string): string {
  // Connection strings may carry a password; show the shape of the value without it.
  const shown = raw.replace(/(\/\/[^/:@]*:)[^/@]*@/, "$1***@");
  return JSON.stringify(shown.length > 100 ? `${shown.slice(0, 100)}…` : shown);
}

/**
 * Validates the worker's variables in `source`. Empty strings count as unset. A failure comes back as
 * one line naming every bad variable, with passwords left out.
 */
export function parseWorkerEnv(source: EnvSource): EnvParseResult {
  const present = Object.fromEntries(Object.keys(workerEnvSchema.shape).map((key) => [key, source[key] || undefined]));
  const result = workerEnvSchema.safeParse(present);
  if (!result.success) {
    const problems = new Map<string, string>();
    for (const issue of result.error.issues) {
      const key = String(issue.path[0]);
      const raw = present[key];
      if (problems.has(key)) continue;
      problems.set(
        key,
        raw === undefined ? `${key} is required` : `${key} ${issue.message} (got ${describeValue(raw)})`,
      );
    }
    return { ok: false, message: [...problems.values()].join("; ") };
  }
  const env = result.data;
  return {
    ok: true,
    config: { port: env.WORKER_PORT, host: env.WORKER_HOST, databaseUrl: env.DATABASE_URL, redisUrl: env.REDIS_URL },
  };
}

/** Exit status for a configuration error (`EX_CONFIG` from sysexits.h); the orchestrator relies on it. */
export const configErrorExitCode = 78;

/**
 * Reads the configuration from `process.env`, the only place the worker does. On a bad value it prints
 * one line to stderr and ends the process with exit code 78 before anything has been started.
 */
export function loadWorkerConfig(): WorkerConfig {
  const result = parseWorkerEnv(process.env);
  if (result.ok) return result.config;
  process.stderr.write(`config error: ${result.message}\n`);
  process.exit(configErrorExitCode);
}
