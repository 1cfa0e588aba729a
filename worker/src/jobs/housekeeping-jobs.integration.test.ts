import { exportJobName, exportQueueName, usageEventMessageSchema } from "@perimeter/core";
import { newId } from "@perimeter/db";
import { queryOnce } from "@perimeter/db/query-once";
import type { ScratchDatabase } from "@perimeter/db/scratch-database";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import { createMigratedScratchDatabase, fakeUsageEvent } from "../test-usage-events.ts";
import { insertUsageEvents } from "../usage/insert-usage-events.ts";
import { rollUpUsage } from "../usage/roll-up-usage.ts";
import { applyRetention } from "./apply-retention.ts";
import { checkAuditChains } from "./check-audit-chains.ts";
import { sweepExports } from "./sweep-exports.ts";

const dayMs = 86_400_000;

describe("housekeeping jobs", () => {
  let scratch: ScratchDatabase;
  let services: WorkerServices;

  const newOrg = (data: { usageRetentionDays?: number; rollupRetentionDays?: number } = {}) =>
    services.db.organization.create({ data: { id: newId("org"), name: "Org", slug: newId("org"), ...data } });

  beforeAll(async () => {
    scratch = await createMigratedScratchDatabase();
    services = createTestServices(scratch.url);
  });

  afterAll(async () => {
    await closeServices(services);
    await scratch.drop();
  });

  it("retention deletes raw events past each organization's window in batches and keeps their rollups", async () => {
    const strict = await newOrg({ usageRetentionDays: 365, rollupRetentionDays: 30 });
    const lenient = await newOrg({ usageRetentionDays: 365 });
    const at = (daysAgo: number) => new Date(Date.now() - daysAgo * dayMs);
    const events = (orgId: string, daysAgo: number, count: number) =>
      Array.from({ length: count }, () =>
        usageEventMessageSchema.parse(fakeUsageEvent(orgId, { eventTime: at(daysAgo) })),
      );
    await insertUsageEvents(services.db, [
      ...events(strict.id, 10, 35),
      ...events(strict.id, 2, 5),
      ...events(strict.id, 40, 3),
      ...events(lenient.id, 10, 4),
    ]);
    // Rolled up while still inside the raw window; the window shrinks afterwards.
    await rollUpUsage(services.db, { safetyMarginMs: 0 });
    await services.db.organization.update({ where: { id: strict.id }, data: { usageRetentionDays: 7 } });
    const rollupsBefore = await services.db.usageRollup.count({
      where: { orgId: strict.id, bucketStart: { gte: at(31) } },
    });

    const result = await applyRetention(services.db, { batchSize: 10 });
    expect(result).toMatchObject({ usageEventsDeleted: 38, complete: true });
    expect(await services.db.usageEvent.count({ where: { orgId: strict.id } })).toBe(5);
    expect(await services.db.usageEvent.count({ where: { orgId: lenient.id } })).toBe(4);
    // Rollups of deleted events inside the rollup window stay; the 40-day-old ones are past it.
    expect(await services.db.usageRollup.count({ where: { orgId: strict.id, bucketStart: { gte: at(31) } } })).toBe(
      rollupsBefore,
    );
    expect(await services.db.usageRollup.count({ where: { orgId: strict.id, bucketStart: { lt: at(31) } } })).toBe(0);
    expect(result.rollupsDeleted).toBe(2);

    const stopped = await applyRetention(services.db, { timeBudgetMs: -1 });
    expect(stopped.complete).toBe(false);
  });

  it("audit checks record every organization and name the broken ones", async () => {
    const org = await newOrg();
    await queryOnce(
      scratch.url,
      `INSERT INTO audit_events (id, org_id, seq, actor_type, action, prev_hash, hash)
       VALUES ('${newId("auditEvent")}', '${org.id}', 1, 'system', 'org.create', '${"0".repeat(64)}', '${"f".repeat(64)}')`,
    );
    const result = await checkAuditChains({ db: services.db, log: services.log });
    expect(result.broken).toEqual([org.id]);
    expect(result.alerted).toEqual([org.id]);
    expect(await services.db.auditChainCheck.count()).toBe(result.organizations);
  });

  it("the export sweep enqueues exports stuck in queued, once", async () => {
    const org = await newOrg();
    const stuck = await services.db.exportJob.create({
      data: {
        id: newId("exportJob"),
        orgId: org.id,
        kind: "usage_events",
        createdAt: new Date(Date.now() - 5 * 60_000),
      },
    });
    await services.db.exportJob.create({ data: { id: newId("exportJob"), orgId: org.id, kind: "usage_events" } });
    const queue = new Queue(exportQueueName, { connection: services.queueConnection, prefix: services.queuePrefix });
    try {
      expect(await sweepExports(services.db, queue)).toEqual({ enqueued: 1 });
      expect(await sweepExports(services.db, queue)).toEqual({ enqueued: 1 });
      const jobs = await queue.getJobs(["waiting"]);
      expect(jobs.map((job) => [job.id, job.name, job.data])).toEqual([
        [stuck.id, exportJobName, { exportId: stuck.id, orgId: org.id }],
      ]);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
    }
  });
});
