import { randomBytes } from "node:crypto";
import { errorMessage } from "@perimeter/runtime";
import { type Job, Queue, Worker } from "bullmq";
import type { WorkerServices } from "../services.ts";

/** What a processor gets besides its job: `closing` aborts when the worker shuts down. */
export interface JobContext {
  token?: string;
  /** Long jobs check it between steps and hand their job back (see `releaseJob`) instead of running on. */
  closing: AbortSignal;
}

export type JobProcessor = (job: Job, context: JobContext) => Promise<unknown>;

export interface QueueSpec {
  name: string;
  /** One processor per job name; a job with any other name fails visibly. */
  processors: Record<string, JobProcessor>;
  /** Repeatable jobs, upserted at every boot: `id` is also the job name. */
  schedulers?: { id: string; everyMs: number; data?: Record<string, unknown> }[];
  concurrency?: number;
}

export interface StartedQueue {
  queue: Queue;
  worker: Worker;
  /** Stops taking jobs, signals `closing` to the running ones and waits for them, then closes the queue. */
  close(): Promise<void>;
}

/** How long a booting worker waits for another one that is upserting the same schedulers. */
const schedulerLockMs = 15_000;

/**
 * Upserts `spec`'s schedulers while holding a short Redis lock shared by every worker on the prefix.
 * `upsertJobScheduler` is idempotent, but concurrent upserts of one scheduler from several processes
 * have lost or doubled schedules (bullmq #3085, #3262), so booting replicas take turns.
 */
async function upsertSchedulers(services: WorkerServices, queue: Queue, spec: QueueSpec): Promise<void> {
  const schedulers = spec.schedulers ?? [];
  if (schedulers.length === 0) return;
  const redis = services.queueConnection;
  const lockKey = `${services.queuePrefix}:scheduler-upsert-lock`;
  const owner = randomBytes(8).toString("hex");
  const deadline = Date.now() + schedulerLockMs;
  while ((await redis.set(lockKey, owner, "PX", schedulerLockMs, "NX")) !== "OK") {
    // A holder that died lets the lock expire; nobody waits longer than that.
    if (Date.now() > deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  try {
    for (const scheduler of schedulers) {
      await queue.upsertJobScheduler(
        scheduler.id,
        { every: scheduler.everyMs },
        { name: scheduler.id, data: scheduler.data ?? {}, opts: { removeOnComplete: 100, removeOnFail: 500 } },
      );
    }
  } finally {
    await redis.eval(
      `if redis.call("get", KEYS[1]) == ARGV[1] then return redis.call("del", KEYS[1]) end return 0`,
      1,
      lockKey,
      owner,
    );
  }
}

/**
 * Creates a queue, upserts its schedulers, and starts its worker with job metrics (duration and
 * failures by job name), a queue-depth probe for `/metrics` and error logging. If the schedulers
 * cannot be registered the queue is closed before the error is rethrown, so nothing is left running.
 */
export async function startQueue(services: WorkerServices, spec: QueueSpec): Promise<StartedQueue> {
  const { queueConnection: connection, queuePrefix: prefix, log, metrics } = services;
  const queue = new Queue(spec.name, { connection, prefix });
  queue.on("error", (error) => log.warn("queue error", { queue: spec.name, error: errorMessage(error) }));
  try {
    await upsertSchedulers(services, queue, spec);
  } catch (error) {
    await queue.close();
    throw error;
  }

  const closing = new AbortController();
  const worker = new Worker(
    spec.name,
    async (job: Job, token?: string) => {
      const processor = spec.processors[job.name];
      // A job this version does not know (e.g. queued by a newer release); fail it visibly.
      if (!processor) throw new Error(`unknown ${spec.name} job "${job.name}"`);
      return processor(job, { token, closing: closing.signal });
    },
    { connection, prefix, concurrency: spec.concurrency ?? 1 },
  );
  const observe = (job: Job, outcome: "completed" | "failed") => {
    if (job.processedOn && job.finishedOn) {
      metrics.jobDuration.observe(
        { queue: spec.name, job: job.name, outcome },
        (job.finishedOn - job.processedOn) / 1000,
      );
    }
  };
  worker.on("error", (error) => log.warn("worker error", { queue: spec.name, error: errorMessage(error) }));
  worker.on("completed", (job) => observe(job, "completed"));
  worker.on("failed", (job, error) => {
    if (job) observe(job, "failed");
    metrics.jobFailures.inc({ queue: spec.name, job: job?.name ?? "unknown" });
    log.error("job failed", { queue: spec.name, job: job?.name, id: job?.id, error: errorMessage(error) });
  });

  const probe = `queue:${spec.name}`;
  metrics.addProbe(probe, async () => {
    const counts = await queue.getJobCounts("waiting", "active", "delayed", "failed", "prioritized");
    for (const [state, count] of Object.entries(counts)) metrics.queueJobs.set({ queue: spec.name, state }, count);
  });

  return {
    queue,
    worker,
    async close() {
      metrics.removeProbe(probe);
      closing.abort();
      await worker.close();
      await queue.close();
    },
  };
}
