import type { WorkerConfig } from "../env.ts";
import { startExports } from "../queues/exports.ts";
import type { StartedQueue } from "../queues/start-queue.ts";
import { startUsageRollups } from "../queues/usage-rollups.ts";
import type { WorkerServices } from "../services.ts";
import { startUsageConsumer, watchUsageStream } from "./usage-consumer.ts";

export interface UsagePipeline {
  consumerName: string;
  queues: StartedQueue[];
  /** Stops everything at once: the consumer finishes its batch, jobs finish or hand themselves back. */
  close(): Promise<void>;
}

/**
 * Starts the usage side of the worker: the stream consumer (and its `/metrics` gauges), the
 * `usage-rollups` queue and the `exports` queue. If a queue cannot start, what did start is closed
 * before the error is rethrown.
 */
export async function startUsagePipeline(
  services: WorkerServices,
  config: Pick<WorkerConfig, "usage" | "exportDir">,
): Promise<UsagePipeline> {
  const consumer = startUsageConsumer(services, {
    keys: services.usageKeys,
    batchSize: config.usage.batchSize,
    blockMs: 1_000,
    claimIdleMs: config.usage.claimIdleMs,
  });
  watchUsageStream(services, services.usageKeys);
  const queues: StartedQueue[] = [];
  const close = async () => {
    await Promise.allSettled([consumer.close(), ...queues.map((queue) => queue.close())]);
  };
  try {
    queues.push(
      await startUsageRollups(services, {
        everyMs: config.usage.rollupEveryMs,
        safetyMarginMs: config.usage.rollupSafetyMarginMs,
      }),
    );
    queues.push(await startExports(services, { exportDir: config.exportDir }));
  } catch (error) {
    await close();
    throw error;
  }
  return { consumerName: consumer.consumerName, queues, close };
}
