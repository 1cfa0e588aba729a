import { exportQueueName } from "@perimeter/core";
import { Queue } from "bullmq";
import { applyRetention } from "../jobs/apply-retention.ts";
import { checkAuditChains } from "../jobs/check-audit-chains.ts";
import { runHeartbeat } from "../jobs/heartbeat.ts";
import { sweepExports } from "../jobs/sweep-exports.ts";
import type { WorkerServices } from "../services.ts";
import { type StartedQueue, startQueue } from "./start-queue.ts";

export const housekeepingQueueName = "housekeeping";

/** Job names on the housekeeping queue; each maps to one processor. */
export const housekeepingJobs = {
  heartbeat: "heartbeat",
  retention: "retention",
  auditCheck: "audit-check",
  exportSweep: "export-sweep",
} as const;
export type HousekeepingJobName = (typeof housekeepingJobs)[keyof typeof housekeepingJobs];

export const heartbeatEveryMs = 60_000;
export const retentionEveryMs = 3_600_000;
export const exportSweepEveryMs = 60_000;

export interface HousekeepingOptions {
  auditCheckEveryMs?: number;
}

export type Housekeeping = StartedQueue;

/**
 * The housekeeping queue: heartbeat (proves the plumbing), retention of raw usage and rollups (hourly,
 * small batches, time-boxed), audit-chain verification of every organization, and the sweep that
 * enqueues exports whose job never reached Redis. Every job is idempotent: BullMQ delivers at least
 * once, and each replica upserts the schedulers at boot.
 */
export async function startHousekeeping(
  services: WorkerServices,
  options: HousekeepingOptions = {},
): Promise<Housekeeping> {
  const { db, log, queueConnection: connection, queuePrefix: prefix } = services;
  // Only adds jobs; the exports queue's own worker runs them.
  const exports = new Queue(exportQueueName, { connection, prefix });
  try {
    const queue = await startQueue(services, {
      name: housekeepingQueueName,
      concurrency: 1,
      schedulers: [
        { id: housekeepingJobs.heartbeat, everyMs: heartbeatEveryMs },
        { id: housekeepingJobs.retention, everyMs: retentionEveryMs },
        { id: housekeepingJobs.auditCheck, everyMs: options.auditCheckEveryMs ?? 3_600_000 },
        { id: housekeepingJobs.exportSweep, everyMs: exportSweepEveryMs },
      ],
      processors: {
        [housekeepingJobs.heartbeat]: () => runHeartbeat(),
        [housekeepingJobs.retention]: (_job, { closing }) => applyRetention(db, { closing }),
        [housekeepingJobs.auditCheck]: async (_job, { closing }) => {
          const result = await checkAuditChains({ db, log }, closing);
          services.metrics.auditChainBrokenOrgs.set(result.broken.length);
          return result;
        },
        [housekeepingJobs.exportSweep]: () => sweepExports(db, exports),
      },
    });
    return {
      ...queue,
      async close() {
        await queue.close();
        await exports.close();
      },
    };
  } catch (error) {
    await exports.close();
    throw error;
  }
}
