import path from "node:path";
import { type EnvSource, httpUrlVar, parseConfig, secretVar } from "@perimeter/runtime";
import { z } from "zod";
import { ConfigError } from "./config-error.ts";
import { parsePostgresUrl } from "./postgres-url-check.ts";
import { parseRedisUrl } from "./redis-url-check.ts";

/** Everything `npm start` reads from its environment, parsed once by `parseStartConfig`. */
export interface StartConfig {
  /** Repository root: where the workspaces and node_modules are. */
  rootDir: string;
  /** Absolute PERIMETER_DATA_DIR. */
  dataDir: string;
  webPort: number;
  gatewayPort: number;
  workerPort: number;
  /** A real vLLM server; when unset a simulator deployment (run by the worker) serves the model. */
  vllmUrl?: string;
  /** The upstream's `--served-model-name` (the simulator serves this name when it runs). */
  vllmModel: string;
  /** The model name developers use in Claude Code (the gateway's public name). */
  gatewayModel: string;
  /** What Claude Code users are told to use as ANTHROPIC_BASE_URL, and what the dashboard shows. */
  gatewayPublicUrl: string;
  adminEmail: string;
  /** Only used when the first admin is seeded; generated when unset. */
  adminPassword?: string;
  adminToken?: string;
  /** When unset, generated once into `<dataDir>/secrets.json`. */
  perimeterSecret?: string;
  orgName: string;
  /** External servers; when unset, embedded ones are provisioned. */
  databaseUrl?: string;
  redisUrl?: string;
  /** The environment the services inherit (PATH, HOME, their own optional settings). */
  baseEnv: Record<string, string | undefined>;
}

// Not runtime's portVar, which lets a service take port 0 (any free port): these ports are printed
// as URLs and handed to the services, so they must be real ones.
const portMessage = "must be a port number between 1 and 65535";
const port = (fallback: number) =>
  z
    .string()
    .regex(/^\d{1,5}$/, portMessage)
    .transform(Number)
    .refine((value) => value >= 1 && value <= 65_535, portMessage)
    .default(fallback);

const startEnvSchema = z.object({
  PERIMETER_DATA_DIR: z.string().default(".data"),
  WEB_PORT: port(3000),
  GATEWAY_PORT: port(4000),
  WORKER_PORT: port(4100),
  VLLM_URL: httpUrlVar().optional(),
  // Checked in full by the gateway, which reads them; here only their value is passed on.
  VLLM_MODEL: z.string().default("umans-coder"),
  GATEWAY_MODEL: z.string().default("umans-coder-v0"),
  GATEWAY_PUBLIC_URL: httpUrlVar().optional(),
  PERIMETER_ADMIN_EMAIL: z.email("must be an email address").default("admin@perimeter.local"),
  PERIMETER_ADMIN_PASSWORD: secretVar(12).optional(),
  // Only its shape is checked, by core when it is registered, so it never appears in a message here.
  PERIMETER_ADMIN_TOKEN: z.string().optional(),
  PERIMETER_SECRET: secretVar(32).optional(),
  PERIMETER_ORG_NAME: z.string().max(100, "must be at most 100 characters").default("Perimeter"),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
});

/**
 * Validates `npm start`'s variables with runtime's `parseConfig` (empty strings count as unset). Bad
 * ones become a one-line ConfigError naming each of them, e.g. `WEB_PORT must be a port number between
 * 1 and 65535 (got "x")`; secrets are never echoed back.
 */
export function parseStartConfig(env: EnvSource, rootDir: string): StartConfig {
  const result = parseConfig(startEnvSchema, env);
  if (!result.ok) throw new ConfigError(result.message);
  const e = result.config;
  // Syntax only, so a typo fails before anything starts; reachability is checked when provisioning.
  if (e.DATABASE_URL) parsePostgresUrl(e.DATABASE_URL, "DATABASE_URL");
  if (e.REDIS_URL) parseRedisUrl(e.REDIS_URL, "REDIS_URL");
  return {
    rootDir,
    dataDir: path.resolve(rootDir, e.PERIMETER_DATA_DIR),
    webPort: e.WEB_PORT,
    gatewayPort: e.GATEWAY_PORT,
    workerPort: e.WORKER_PORT,
    vllmUrl: e.VLLM_URL,
    vllmModel: e.VLLM_MODEL,
    gatewayModel: e.GATEWAY_MODEL,
    gatewayPublicUrl: e.GATEWAY_PUBLIC_URL ?? `http://localhost:${e.GATEWAY_PORT}`,
    adminEmail: e.PERIMETER_ADMIN_EMAIL,
    adminPassword: e.PERIMETER_ADMIN_PASSWORD,
    adminToken: e.PERIMETER_ADMIN_TOKEN,
    perimeterSecret: e.PERIMETER_SECRET,
    orgName: e.PERIMETER_ORG_NAME,
    databaseUrl: e.DATABASE_URL,
    redisUrl: e.REDIS_URL,
    baseEnv: env,
  };
}
