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
}

/** The worker's variables, mapped to its config once they are valid. */
const workerEnvSchema = z
  .object({
    WORKER_PORT: portVar(4100),
    WORKER_HOST: z.string().default("0.0.0.0"),
    DATABASE_URL: postgresUrlVar(),
    REDIS_URL: redisUrlVar(),
  })
  .transform(
    (env): WorkerConfig => ({
      port: env.WORKER_PORT,
      host: env.WORKER_HOST,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
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
