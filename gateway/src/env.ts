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
import type { SystemMessagePolicy } from "./protocol/translate-messages.ts";
import type { ServerToolPolicy } from "./protocol/translate-tools.ts";

/** Everything the gateway reads from its environment, parsed once at boot by `loadGatewayConfig`. */
export interface GatewayConfig {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  /** Master secret (≥ 32 characters); API-key hashes are keyed from it. Never logged. */
  perimeterSecret: string;
  upstream: {
    /**
     * Root of an OpenAI-compatible vLLM server serving the default model, without `/v1`; unset when
     * every model is served by deployments (the worker's replica table).
     */
    url?: string;
    /** Its `--served-model-name`. */
    servedModel: string;
    /** Sent as `Authorization: Bearer` when vLLM runs with `--api-key`. Never logged. */
    apiKey?: string;
    /** Context window used until vLLM's `/v1/models` reports `max_model_len`. */
    fallbackMaxModelLen: number;
    /** How long a request may wait for the next byte from vLLM. */
    timeoutMs: number;
  };
  models: {
    /** The name clients use for the default model. */
    publicName: string;
    /** More names for it; a trailing `*` matches a prefix (`claude-*` catches Claude Code's defaults). */
    aliases: string[];
  };
  limits: {
    /** What admission does when Redis cannot answer: admit unchecked (`open`) or refuse (`closed`). */
    onRedisFailure: "open" | "closed";
    /** How long a concurrency slot survives without renewal: the bound on a dead gateway's slots. */
    leaseTtlMs: number;
    /** How long a loaded key is trusted without a change message (revocation bound if messages are lost). */
    keyCacheTtlMs: number;
    /** Usage events held in memory while Redis is away. */
    usageBuffer: number;
  };
  protocol: {
    stripBillingHeader: boolean;
    systemMessages: SystemMessagePolicy;
    serverTools: ServerToolPolicy;
    /** Longest upstream silence before a keep-alive is written to a stream (SSE-09 asks for ≤ 15 s). */
    keepAliveMs: number;
  };
  /** The vision step: describing images for a text-only model with a vision model (team policies). */
  vision: VisionConfig;
}

export interface VisionConfig {
  /** Longest wait for one image's description. */
  timeoutMs: number;
  /** Descriptions of one request made at once, at most. */
  concurrency: number;
  /** How long a description is kept in Redis by image hash; 0 keeps none. */
  cacheTtlSec: number;
  /** `max_tokens` of a description. */
  maxTokens: number;
}

/** The vision step's settings when nothing is configured (tests' services use them too). */
export const defaultVisionConfig: VisionConfig = {
  timeoutMs: 60_000,
  concurrency: 4,
  cacheTtlSec: 604_800,
  maxTokens: 1024,
};

/** `http://vllm:8000/v1/` and `http://vllm:8000` name the same server; routes append their own paths. */
function toServerRoot(value: string): string {
  return value.replace(/\/+$/, "").replace(/\/v1$/, "");
}

const modelName = z.string().regex(/^[\w.:/[\]-]{1,128}$/, "must be a model name (letters, digits, . _ - : / [ ])");

const aliasList = z
  .string()
  .regex(/^[\w.:/[\]*,\s-]*$/, "must be a comma-separated list of model names (a trailing * matches a prefix)")
  .transform((value) =>
    value
      .split(",")
      .map((name) => name.trim())
      .filter(Boolean),
  )
  .refine((names) => names.every((name) => !name.slice(0, -1).includes("*")), "may use * only at the end of a name");

const flag = (fallback: boolean) =>
  z
    .enum(["1", "0", "true", "false"], "must be 1, 0, true or false")
    .transform((value) => value === "1" || value === "true")
    .default(fallback);

const positiveInt = (fallback: number, min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, `must be a whole number between ${min} and ${max}`)
    .transform(Number)
    .refine((value) => value >= min && value <= max, `must be a whole number between ${min} and ${max}`)
    .default(fallback);

/** The gateway's variables, mapped to its config once they are valid. */
const gatewayEnvSchema = z
  .object({
    GATEWAY_PORT: portVar(4000),
    GATEWAY_HOST: z.string().default("0.0.0.0"),
    DATABASE_URL: postgresUrlVar(),
    REDIS_URL: redisUrlVar(),
    PERIMETER_SECRET: secretVar(32),
    VLLM_URL: httpUrlVar().transform(toServerRoot).optional(),
    VLLM_MODEL: modelName.default("umans-coder"),
    VLLM_API_KEY: secretVar(1).optional(),
    VLLM_MAX_MODEL_LEN: positiveInt(163_840, 1024, 10_000_000),
    VLLM_TIMEOUT_MS: positiveInt(600_000, 1_000, 3_600_000),
    GATEWAY_MODEL: modelName.default("umans-coder-v0"),
    GATEWAY_MODEL_ALIASES: aliasList.default(["claude-*"]),
    GATEWAY_STRIP_BILLING_HEADER: flag(true),
    GATEWAY_SYSTEM_MESSAGES: z.enum(["reminder", "fold"], "must be reminder or fold").default("reminder"),
    GATEWAY_SERVER_TOOLS: z.enum(["reject", "strip"], "must be reject or strip").default("reject"),
    GATEWAY_KEEPALIVE_MS: positiveInt(10_000, 10, 15_000),
    GATEWAY_LIMITS_ON_REDIS_FAILURE: z.enum(["open", "closed"], "must be open or closed").default("open"),
    GATEWAY_LEASE_TTL_MS: positiveInt(30_000, 1_000, 600_000),
    GATEWAY_KEY_CACHE_TTL_MS: positiveInt(30_000, 0, 30_000),
    GATEWAY_USAGE_BUFFER: positiveInt(100_000, 0, 10_000_000),
    GATEWAY_VISION_TIMEOUT_MS: positiveInt(defaultVisionConfig.timeoutMs, 1_000, 600_000),
    GATEWAY_VISION_CONCURRENCY: positiveInt(defaultVisionConfig.concurrency, 1, 64),
    GATEWAY_VISION_CACHE_TTL_SEC: positiveInt(defaultVisionConfig.cacheTtlSec, 0, 31_536_000),
    GATEWAY_VISION_MAX_TOKENS: positiveInt(defaultVisionConfig.maxTokens, 16, 32_768),
  })
  .transform(
    (env): GatewayConfig => ({
      port: env.GATEWAY_PORT,
      host: env.GATEWAY_HOST,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      perimeterSecret: env.PERIMETER_SECRET,
      upstream: {
        ...(env.VLLM_URL ? { url: env.VLLM_URL } : {}),
        servedModel: env.VLLM_MODEL,
        ...(env.VLLM_API_KEY ? { apiKey: env.VLLM_API_KEY } : {}),
        fallbackMaxModelLen: env.VLLM_MAX_MODEL_LEN,
        timeoutMs: env.VLLM_TIMEOUT_MS,
      },
      models: { publicName: env.GATEWAY_MODEL, aliases: env.GATEWAY_MODEL_ALIASES },
      limits: {
        onRedisFailure: env.GATEWAY_LIMITS_ON_REDIS_FAILURE,
        leaseTtlMs: env.GATEWAY_LEASE_TTL_MS,
        keyCacheTtlMs: env.GATEWAY_KEY_CACHE_TTL_MS,
        usageBuffer: env.GATEWAY_USAGE_BUFFER,
      },
      protocol: {
        stripBillingHeader: env.GATEWAY_STRIP_BILLING_HEADER,
        systemMessages: env.GATEWAY_SYSTEM_MESSAGES,
        serverTools: env.GATEWAY_SERVER_TOOLS,
        keepAliveMs: env.GATEWAY_KEEPALIVE_MS,
      },
      vision: {
        timeoutMs: env.GATEWAY_VISION_TIMEOUT_MS,
        concurrency: env.GATEWAY_VISION_CONCURRENCY,
        cacheTtlSec: env.GATEWAY_VISION_CACHE_TTL_SEC,
        maxTokens: env.GATEWAY_VISION_MAX_TOKENS,
      },
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
