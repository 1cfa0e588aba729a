import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { portVar } from "@perimeter/runtime";
import { z } from "zod";
import type { DeploymentsConfig } from "../queues/deployments.ts";

/** The deployment manager's settings: reconcile cadence, drivers' endpoints. */
export interface DeploymentsEnvConfig extends DeploymentsConfig {
  /** Whether this worker runs the deployment manager at all (`DEPLOY_ENABLED=false` leaves it to others). */
  enabled: boolean;
  simulator: { bin: string; runDir: string; path: string };
  kubernetes: {
    defaultNamespace: string;
    /** A kubeconfig file; otherwise the in-cluster service account when running in a pod. */
    kubeconfigPath: string | null;
    inCluster: { host: string; port: number } | null;
  };
  /** `unix:///var/run/docker.sock` or `tcp://host:2375`. */
  dockerHost: string;
}

const millis = (fallback: number, min: number) =>
  z
    .string()
    .regex(/^\d+$/, "must be a whole number of milliseconds")
    .transform(Number)
    .refine((value) => value >= min, `must be at least ${min}`)
    .default(fallback);

function defaultSimulatorBin(): string {
  // The simulator's package entry is src/index.ts; its bin sits beside src.
  const entry = fileURLToPath(import.meta.resolve("@perimeter/vllm-sim"));
  return path.join(path.dirname(entry), "..", "bin", "vllm-sim.mjs");
}

/** The `DEPLOY_*` variables (and the platform ones the drivers need), mapped to their config. */
export const deploymentsEnvSchema = z
  .object({
    DEPLOY_ENABLED: z.enum(["true", "false", "1", "0"]).default("true"),
    DEPLOY_POLL_INTERVAL_MS: millis(2_000, 50),
    DEPLOY_RESYNC_INTERVAL_MS: millis(30_000, 1_000),
    DEPLOY_PROBE_TIMEOUT_MS: millis(2_000, 50),
    DEPLOY_CONCURRENCY: z
      .string()
      .regex(/^[1-9]\d{0,2}$/, "must be a number of jobs from 1 to 999")
      .transform(Number)
      .default(8),
    DEPLOY_SIMULATOR_BIN: z.string().min(1).optional(),
    DEPLOY_SIMULATOR_RUN_DIR: z.string().min(1).optional(),
    DEPLOY_KUBERNETES_NAMESPACE: z
      .string()
      .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, "must be a Kubernetes namespace name")
      .default("perimeter"),
    KUBECONFIG: z.string().min(1).optional(),
    KUBERNETES_SERVICE_HOST: z.string().min(1).optional(),
    KUBERNETES_SERVICE_PORT: portVar(443),
    DOCKER_HOST: z
      .string()
      .regex(/^(unix|tcp|http|https):\/\//, "must be unix:// or tcp:// (or http(s)://)")
      .default("unix:///var/run/docker.sock"),
    PATH: z.string().default("/usr/local/bin:/usr/bin:/bin"),
  })
  .transform(
    (env): DeploymentsEnvConfig => ({
      enabled: env.DEPLOY_ENABLED === "true" || env.DEPLOY_ENABLED === "1",
      pollIntervalMs: env.DEPLOY_POLL_INTERVAL_MS,
      resyncIntervalMs: env.DEPLOY_RESYNC_INTERVAL_MS,
      probeTimeoutMs: env.DEPLOY_PROBE_TIMEOUT_MS,
      concurrency: env.DEPLOY_CONCURRENCY,
      // Entries outlive a few missed passes, not a dead worker.
      replicaTtlMs: Math.max(10_000, env.DEPLOY_POLL_INTERVAL_MS * 5),
      killGraceMs: 5_000,
      maxFailedStarts: 3,
      simulator: {
        bin: env.DEPLOY_SIMULATOR_BIN ?? defaultSimulatorBin(),
        runDir: env.DEPLOY_SIMULATOR_RUN_DIR ?? path.join(os.tmpdir(), "perimeter-simulator-replicas"),
        path: env.PATH,
      },
      kubernetes: {
        defaultNamespace: env.DEPLOY_KUBERNETES_NAMESPACE,
        kubeconfigPath: env.KUBECONFIG ?? null,
        inCluster: env.KUBERNETES_SERVICE_HOST
          ? { host: env.KUBERNETES_SERVICE_HOST, port: env.KUBERNETES_SERVICE_PORT }
          : null,
      },
      dockerHost: env.DOCKER_HOST,
    }),
  );
