import { z } from "zod";

/** Everything the web app reads from its environment. The port comes from `next start -p`. */
export interface WebConfig {
  databaseUrl: string;
  redisUrl: string;
  /** Master secret (≥ 32 characters); sessions and API-key hashes derive from it. Never logged. */
  perimeterSecret: string;
  /** Gateway base URL developers paste into Claude Code as `ANTHROPIC_BASE_URL`. */
  gatewayPublicUrl: string;
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

export const webEnvSchema = z.object({
  DATABASE_URL: urlWithProtocol(["postgres:", "postgresql:"], "must be a postgres:// or postgresql:// URL"),
  REDIS_URL: urlWithProtocol(["redis:", "rediss:"], "must be a redis:// or rediss:// URL"),
  PERIMETER_SECRET: z.string().min(32, "must be at least 32 characters"),
  GATEWAY_PUBLIC_URL: urlWithProtocol(["http:", "https:"], "must be an http:// or https:// URL")
    .transform((value) => value.replace(/\/+$/, ""))
    .default("http://localhost:4000"),
});

/** Variables whose values must never be echoed back, even in an error message. */
const secretVariables = new Set(["PERIMETER_SECRET"]);

export type EnvSource = Record<string, string | undefined>;
export type EnvParseResult = { ok: true; config: WebConfig } | { ok: false; message: string };

function describeValue(key: string, raw: string): string {
  if (secretVariables.has(key)) return `${raw.length} characters`;
  // Connection strings may carry a password; show the shape of the value without it.
  const shown = raw.replace(/(\/\/[^/:@]*:)[^/@]*@/, "$1***@");
  return JSON.stringify(shown.length > 100 ? `${shown.slice(0, 100)}…` : shown);
}

/**
 * Validates the web app's variables in `source`. Empty strings count as unset. A failure comes back as
 * one line naming every bad variable, with secrets and passwords left out.
 */
export function parseWebEnv(source: EnvSource): EnvParseResult {
  const present = Object.fromEntries(Object.keys(webEnvSchema.shape).map((key) => [key, source[key] || undefined]));
  const result = webEnvSchema.safeParse(present);
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
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      perimeterSecret: env.PERIMETER_SECRET,
      gatewayPublicUrl: env.GATEWAY_PUBLIC_URL,
    },
  };
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

/** Exit status for a configuration error (`EX_CONFIG` from sysexits.h); the orchestrator relies on it. */
export const configErrorExitCode = 78;

/**
 * Reads the configuration from `process.env`, the only place the web app does. Called lazily (see
 * `lib/services.ts`) so `next build` needs no environment; throws `ConfigError` on a bad value.
 */
export function readWebConfig(): WebConfig {
  const result = parseWebEnv(process.env);
  if (!result.ok) throw new ConfigError(result.message);
  return result.config;
}

/**
 * Boot-time check for `next start` (called from `instrumentation.ts`): on a bad value, prints one line
 * to stderr and exits 78, like the other services. Skipped while `next build` loads the app.
 */
export function exitOnInvalidEnv(): void {
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  const result = parseWebEnv(process.env);
  if (result.ok) return;
  process.stderr.write(`config error: ${result.message}\n`);
  process.exit(configErrorExitCode);
}
