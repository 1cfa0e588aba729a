import { randomBytes } from "node:crypto";
import { type ChangeEvent, ensureBuiltinModels, replicaTableKeys } from "@perimeter/core";
import { errorMessage } from "@perimeter/runtime";
import { DelayedError, type Job, Queue, Worker } from "bullmq";
import { createDeploymentLease } from "../deployments/deployment-lease.ts";
import {
  type ReconcileDeps,
  type ReconcileSettings,
  reconcileDeployment,
} from "../deployments/reconcile-deployment.ts";
import type { WorkerServices } from "../services.ts";

export const deploymentsQueueName = "deployments";
export const deploymentJobs = { reconcile: "reconcile", resync: "resync" } as const;

export interface DeploymentsConfig extends ReconcileSettings {
  resyncIntervalMs: number;
  concurrency: number;
}

export interface Deployments {
  queue: Queue;
  worker: Worker;
  /** Makes the deployment's reconcile job run now: adds it, or promotes it if it waits on a delay. */
  requestReconcile(deploymentId: string): Promise<void>;
  close(): Promise<void>;
}

/** BullMQ ids may not contain `:`; deployment ids never do. One id per deployment = one job at a time. */
export const reconcileJobId = (deploymentId: string) => `reconcile-${deploymentId}`;

interface ReconcileJobData {
  deploymentId: string;
}

/**
 * Starts the `deployments` queue: a `reconcile` job per deployment that re-delays itself after every
 * pass (level-triggered: observe → compare → act → requeue), and a `resync` scheduler that provisions
 * the built-in catalog in every organization and makes sure every deployment has its reconcile job,
 * so one lost or failed job costs at most one resync interval. Core announces every change of a
 * deployment's desired state on the change channel; the worker reconciles that deployment at once
 * (a new one would otherwise wait for the next resync). Several workers can run this at once: the job
 * id keeps one job per deployment and the Redis lease one pass at a time.
 */
export async function startDeployments(
  services: WorkerServices,
  driverFor: ReconcileDeps["driverFor"],
  config: DeploymentsConfig,
): Promise<Deployments> {
  const { queueConnection: connection, queuePrefix: prefix, log, db } = services;
  const queue = new Queue(deploymentsQueueName, { connection, prefix });
  queue.on("error", (error) => log.warn("deployments queue error", { error: errorMessage(error) }));
  const deps: ReconcileDeps = {
    db,
    redis: services.redis,
    lease: createDeploymentLease(services.redis, {
      prefix,
      ownerId: `${process.pid}-${randomBytes(6).toString("hex")}`,
      // Comfortably longer than one pass (probes and platform calls are each bounded by seconds).
      ttlMs: 60_000,
    }),
    driverFor,
    replicaKeys: replicaTableKeys(services.replicaTablePrefix),
    settings: config,
    log,
  };

  const requestReconcile = async (deploymentId: string) => {
    const existing = await queue.getJob(reconcileJobId(deploymentId));
    if (existing && (await existing.isDelayed())) {
      await existing.promote().catch(() => {});
      return;
    }
    // Ignored while the job exists (waiting or active); completed jobs are removed, so the id is free.
    await queue.add(deploymentJobs.reconcile, { deploymentId } satisfies ReconcileJobData, {
      jobId: reconcileJobId(deploymentId),
      removeOnComplete: true,
      removeOnFail: true,
    });
  };

  const resync = async () => {
    const organizations = await db.organization.findMany({ select: { id: true } });
    for (const org of organizations) {
      await ensureBuiltinModels({ db, orgId: org.id, actor: { type: "system", label: "model-catalog" } });
    }
    const deployments = await db.deployment.findMany({ select: { id: true } });
    for (const deployment of deployments) await requestReconcile(deployment.id);
    return { organizations: organizations.length, deployments: deployments.length };
  };

  const processJob = async (job: Job, token?: string): Promise<unknown> => {
    switch (job.name) {
      case deploymentJobs.resync:
        return resync();
      case deploymentJobs.reconcile: {
        const { deploymentId } = job.data as ReconcileJobData;
        const result = await reconcileDeployment(deps, deploymentId);
        if (result.outcome === "gone") return result;
        // The same job waits for its next pass, keeping its id: this is what makes it one per deployment.
        await job.moveToDelayed(Date.now() + result.nextDelayMs, token);
        throw new DelayedError();
      }
      default:
        throw new Error(`unknown deployments job "${job.name}"`);
    }
  };

  try {
    await queue.upsertJobScheduler(
      deploymentJobs.resync,
      { every: config.resyncIntervalMs },
      { name: deploymentJobs.resync, opts: { removeOnComplete: 20, removeOnFail: 50 } },
    );
  } catch (error) {
    await queue.close();
    throw error;
  }
  const worker = new Worker(deploymentsQueueName, processJob, { connection, prefix, concurrency: config.concurrency });
  const changes = services.redis.duplicate({ connectionName: "perimeter-worker-changes", maxRetriesPerRequest: null });
  worker.on("error", (error) => log.warn("deployments worker error", { error: errorMessage(error) }));
  worker.on("failed", (job, error) =>
    log.error("job failed", { job: job?.name, id: job?.id, error: errorMessage(error) }),
  );
  const addResync = () => queue.add(deploymentJobs.resync, {}, { removeOnComplete: 20, removeOnFail: 50 });
  changes.on("message", (channel: string, message: string) => {
    if (channel !== services.changeChannel) return;
    const deploymentId = changedDeployment(message);
    if (!deploymentId) return;
    requestReconcile(deploymentId).catch((error: Error) =>
      log.warn("could not request a reconcile; the next resync will", { deploymentId, error: errorMessage(error) }),
    );
  });
  let subscribedOnce = false;
  changes.on("ready", () => {
    // ioredis re-subscribes after a reconnect; what was announced meanwhile is lost, so resync now.
    if (subscribedOnce) addResync().catch(() => {});
    subscribedOnce = true;
  });
  changes.on("error", () => {});
  try {
    await changes.subscribe(services.changeChannel);
    // The scheduler's first run waits one interval; a boot resync picks deployments up at once.
    await addResync();
  } catch (error) {
    changes.disconnect();
    await worker.close();
    await queue.close();
    throw error;
  }

  return {
    queue,
    worker,
    requestReconcile,
    async close() {
      changes.disconnect();
      await worker.close();
      await queue.close();
    },
  };
}

/** The deployment id of a change event about a deployment; anything else (other entities, junk) is not ours. */
export function changedDeployment(message: string): string | undefined {
  try {
    const event = JSON.parse(message) as Partial<ChangeEvent>;
    return event.entity === "deployment" && typeof event.id === "string" && event.id !== "" ? event.id : undefined;
  } catch {
    return undefined;
  }
}
