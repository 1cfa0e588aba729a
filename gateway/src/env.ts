import {
  type ConfigResult,
  type EnvSource,
  httpUrlVar,
  loadConfigOrExit,
  parseConfig,
  portVar,
  postgresUrlVar,
  redisUrlVar,
  secretVar,
} from "@perimeter/runtime";
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

/** `http://vllm:8000/v1/` and `http://vllm:8000` name the same server; routes append their own paths. */
function toServerRoot(value: string): string {
  return value.replace(/\/+$/, "").replace(/\/v1$/, "");
}

/** The gateway's variables, mapped to its config once they are valid. */
const gatewayEnvSchema = z
  .object({
    GATEWAY_PORT: portVar(4000),
    GATEWAY_HOST: z.string().default("0.0.0.0"),
    DATABASE_URL: postgresUrlVar(),
    REDIS_URL: redisUrlVar(),
    PERIMETER_SECRET: secretVar(32),
    VLLM_BASE_URL: httpUrlVar().transform(toServerRoot),
  })
  .transform(
    (env): GatewayConfig => ({
      port: env.GATEWAY_PORT,
      host: env.GATEWAY_HOST,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      perimeterSecret: env.PERIMETER_SECRET,
      vllmBaseUrl: env.VLLM_BASE_URL,
    }),
  );

/**
 * Validates the gateway's variables in `source`. Empty strings count as unset. A failure comes back as
 * one line naming every bad variable, with secrets and passwords left out.
 */
export function parseGatewayEnv(source: EnvSource): ConfigResult<GatewayConfig> {
  return parseConfig(gatewayEnvSchema, source);
}

/**
 * Reads the configuration from `process.env`, the only place the gateway does. On a bad value it prints
 * one line to stderr and ends the process with exit code 78 before anything has been started.
 */
export function loadGatewayConfig(): GatewayConfig {
  return loadConfigOrExit(gatewayEnvSchema, process.env);
}
