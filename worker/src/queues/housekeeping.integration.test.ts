import type { Job } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import {
  exportSweepEveryMs,
  type Housekeeping,
  heartbeatEveryMs,
  housekeepingJobs,
  retentionEveryMs,
  startHousekeeping,
} from "./housekeeping.ts";

/** Polls a job until BullMQ settles it; the worker picks jobs up within milliseconds here. */
async function settled(job: Job): Promise<string> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const state = await job.getState();
    if (state === "completed" || state === "failed") return state;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  throw new Error(`job ${job.name} did not settle`);
}

describe("housekeeping queue", () => {
  let services: WorkerServices;
  let housekeeping: Housekeeping;

  beforeAll(async () => {
    services = createTestServices();
    housekeeping = await startHousekeeping(services);
  });

  afterAll(async () => {
    await housekeeping.queue.obliterate({ force: true });
    await housekeeping.close();
    await closeServices(services);
  });

  it("registers each schedule once however many workers boot at the same time", async () => {
    const others = await Promise.all([
      startHousekeeping(services),
      startHousekeeping(services),
      startHousekeeping(services),
    ]);
    await Promise.all(others.map((other) => other.close()));
    const schedulers = await housekeeping.queue.getJobSchedulers();
    expect(schedulers.map((scheduler) => [scheduler.key, scheduler.every]).sort()).toEqual(
      [
        [housekeepingJobs.auditCheck, 3_600_000],
        [housekeepingJobs.exportSweep, exportSweepEveryMs],
        [housekeepingJobs.heartbeat, heartbeatEveryMs],
        [housekeepingJobs.retention, retentionEveryMs],
      ].sort(),
    );
  });

  it("processes a heartbeat job", async () => {
    const job = await housekeeping.queue.add(housekeepingJobs.heartbeat, {});
    expect(await settled(job)).toBe("completed");
    const done = await housekeeping.queue.getJob(job.id ?? "");
    expect(done?.returnvalue).toEqual({ ranAt: expect.any(String) });
  });

  it("fails a job it does not know instead of dropping it", async () => {
    const job = await housekeeping.queue.add("from-the-future", {});
    expect(await settled(job)).toBe("failed");
  });

  it("stops taking jobs once closed", async () => {
    const other = await startHousekeeping(services);
    expect(other.worker.isRunning()).toBe(true);
    await other.close();
    expect(other.worker.isRunning()).toBe(false);
  });
});
