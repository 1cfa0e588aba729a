import { errorMessage } from "@perimeter/runtime";
import { type Job, Queue, Worker } from "bullmq";
import { runHeartbeat } from "../jobs/heartbeat.ts";
import type { WorkerServices } from "../services.ts";

export const housekeepingQueueName = "housekeeping";

/** Job names on the housekeeping queue; each maps to one processor in `processHousekeepingJob`. */
export const housekeepingJobs = { heartbeat: "heartbeat" } as const;
export type HousekeepingJobName = (typeof housekeepingJobs)[keyof typeof housekeepingJobs];

export const heartbeatEveryMs = 60_000;

export interface Housekeeping {
  queue: Queue;
  worker: Worker;
  /** Stops taking jobs and waits for the running one (the worker first), then closes the queue. */
  close(): Promise<void>;
}

async function processHousekeepingJob(job: Job): Promise<unknown> {
  switch (job.name) {
    case housekeepingJobs.heartbeat:
      return runHeartbeat();
    default:
      // A job this version does not know (e.g. queued by a newer release); fail it visibly.
      throw new Error(`unknown housekeeping job "${job.name}"`);
  }
}

/**
 * Creates the housekeeping queue, registers its repeatable jobs, then starts its worker. Upserting the
 * job scheduler is idempotent, so every worker replica can do it at boot without creating duplicates.
 * If registering fails, the queue is closed before the error is rethrown, so nothing is left running.
 */
export async function startHousekeeping(services: WorkerServices): Promise<Housekeeping> {
  const { queueConnection: connection, queuePrefix: prefix, log } = services;
  const queue = new Queue(housekeepingQueueName, { connection, prefix });
  queue.on("error", (error) => log.warn("housekeeping queue error", { error: errorMessage(error) }));
  try {
    await queue.upsertJobScheduler(
      housekeepingJobs.heartbeat,
      { every: heartbeatEveryMs },
      { name: housekeepingJobs.heartbeat, opts: { removeOnComplete: 100, removeOnFail: 100 } },
    );
  } catch (error) {
    await queue.close();
    throw error;
  }

  const worker = new Worker(housekeepingQueueName, processHousekeepingJob, { connection, prefix, concurrency: 1 });
  worker.on("error", (error) => log.warn("housekeeping worker error", { error: errorMessage(error) }));
  worker.on("failed", (job, error) =>
    log.error("job failed", { job: job?.name, id: job?.id, error: errorMessage(error) }),
  );

  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
