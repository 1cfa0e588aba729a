import path from "node:path";
import {
  type ConfigResult,
  type EnvSource,
  loadConfigOrExit,
  parseConfig,
  portVar,
  postgresUrlVar,
  redisUrlVar,
} from "@perimeter/runtime";
import { z } from "zod";
import { type DeploymentsEnvConfig, deploymentsEnvSchema } from "./deployments/deployments-env.ts";

/** Everything the worker reads from its environment, parsed once at boot by `loadWorkerConfig`. */
export interface WorkerConfig {
  /** Port of the health server (`/healthz`, `/readyz`). */
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string;
  usage: UsageConfig;
  /** Where export files and their manifests are written; the web reads them from the same place. */
  exportDir: string;
  /** How often each organization's audit chain is verified. */
  auditCheckEveryMs: number;
  /** How long SIGTERM may take: running jobs finish or are released, then the process exits. */
  shutdownTimeoutMs: number;
}

export interface UsageConfig {
  /** Stream entries read and inserted per batch. */
  batchSize: number;
  /** Pending entries idle this long are taken over from the consumer that read them. */
  claimIdleMs: number;
  rollupEveryMs: number;
  /** Rows ingested more recently than this wait for the next rollup run (in-flight transactions). */
  rollupSafetyMarginMs: number;
}

/** The repository root, against which a relative PERIMETER_DATA_DIR resolves, as `npm start` does. */
const repositoryRoot = path.resolve(import.meta.dirname, "../..");

/** A whole number between `min` and `max`; `fallback` when unset. */
function intVar(fallback: number, min: number, max: number) {
  const message = `must be a whole number between ${min} and ${max}`;
  return z
    .string()
    .regex(/^\d+$/, message)
    .transform(Number)
    .refine((value) => value >= min && value <= max, message)
    .default(fallback);
}

/** The worker's variables, mapped to its config once they are valid. */
const workerEnvSchema = z
  .object({
    WORKER_PORT: portVar(4100),
    WORKER_HOST: z.string().default("0.0.0.0"),
    DATABASE_URL: postgresUrlVar(),
    REDIS_URL: redisUrlVar(),
    USAGE_BATCH_SIZE: intVar(1000, 1, 10_000),
    USAGE_CLAIM_IDLE_MS: intVar(60_000, 100, 86_400_000),
    USAGE_ROLLUP_EVERY_MS: intVar(15_000, 100, 86_400_000),
    USAGE_ROLLUP_SAFETY_MARGIN_MS: intVar(30_000, 0, 3_600_000),
    PERIMETER_DATA_DIR: z.string().default(".data"),
    PERIMETER_EXPORT_DIR: z.string().optional(),
    AUDIT_CHECK_EVERY_MS: intVar(3_600_000, 1_000, 604_800_000),
    WORKER_SHUTDOWN_TIMEOUT_MS: intVar(25_000, 1_000, 3_600_000),
  })
  .transform(
    (env): WorkerConfig => ({
      port: env.WORKER_PORT,
      host: env.WORKER_HOST,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      usage: {
        batchSize: env.USAGE_BATCH_SIZE,
        claimIdleMs: env.USAGE_CLAIM_IDLE_MS,
        rollupEveryMs: env.USAGE_ROLLUP_EVERY_MS,
        rollupSafetyMarginMs: env.USAGE_ROLLUP_SAFETY_MARGIN_MS,
      },
      exportDir: path.resolve(repositoryRoot, env.PERIMETER_EXPORT_DIR ?? path.join(env.PERIMETER_DATA_DIR, "exports")),
      auditCheckEveryMs: env.AUDIT_CHECK_EVERY_MS,
      shutdownTimeoutMs: env.WORKER_SHUTDOWN_TIMEOUT_MS,
    }),
  );

/**
 * Validates the worker's variables in `source`. Empty strings count as unset. A failure comes back as
 * one line naming every bad variable, with passwords left out.
 */
export function parseWorkerEnv(source: EnvSource): ConfigResult<WorkerConfig> {
  return parseConfig(workerEnvSchema, source);
}

/**
 * Reads the configuration from `process.env`, the only place the worker does. On a bad value it prints
 * one line to stderr and ends the process with exit code 78 before anything has been started.
 */
export function loadWorkerConfig(): WorkerConfig {
  return loadConfigOrExit(workerEnvSchema, process.env);
}

/**
 * Validates the deployment manager's variables (`DEPLOY_*`, plus `KUBECONFIG`, the in-cluster
 * `KUBERNETES_SERVICE_*` and `DOCKER_HOST`) in `source`, like `parseWorkerEnv`.
 */
export function parseDeploymentsEnv(source: EnvSource): ConfigResult<DeploymentsEnvConfig> {
  return parseConfig(deploymentsEnvSchema, source);
}

/** Reads the deployment manager's configuration from `process.env`; exits 78 on a bad value. */
export function loadDeploymentsConfig(): DeploymentsEnvConfig {
  return loadConfigOrExit(deploymentsEnvSchema, process.env);
}
