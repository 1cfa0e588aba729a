import {
  type ConfigResult,
  type EnvSource,
  httpUrlVar,
  loadConfigOrExit,
  parseConfig,
  postgresUrlVar,
  redisUrlVar,
  secretVar,
} from "@perimeter/runtime";
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

/** The web app's variables, mapped to its config once they are valid. */
const webEnvSchema = z
  .object({
    DATABASE_URL: postgresUrlVar(),
    REDIS_URL: redisUrlVar(),
    PERIMETER_SECRET: secretVar(32),
    GATEWAY_PUBLIC_URL: httpUrlVar()
      .transform((value) => value.replace(/\/+$/, ""))
      .default("http://localhost:4000"),
  })
  .transform(
    (env): WebConfig => ({
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      perimeterSecret: env.PERIMETER_SECRET,
      gatewayPublicUrl: env.GATEWAY_PUBLIC_URL,
    }),
  );

/**
 * Validates the web app's variables in `source`. Empty strings count as unset. A failure comes back as
 * one line naming every bad variable, with secrets and passwords left out.
 */
export function parseWebEnv(source: EnvSource): ConfigResult<WebConfig> {
  return parseConfig(webEnvSchema, source);
}

class ConfigError extends Error {
  override name = "ConfigError";
}

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
  loadConfigOrExit(webEnvSchema, process.env);
}
