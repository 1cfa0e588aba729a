import { createHash } from "node:crypto";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import {
  type CoreContext,
  createOrganization,
  createUser,
  deriveKeyPepper,
  type ExportManifest,
  exportQueueName,
  getExport,
  requestExport,
  usageEventMessageSchema,
} from "@perimeter/core";
import type { ScratchDatabase } from "@perimeter/db/scratch-database";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startExports } from "../queues/exports.ts";
import type { StartedQueue } from "../queues/start-queue.ts";
import { closeServices, type WorkerServices } from "../services.ts";
import { createTestServices } from "../test-services.ts";
import { createMigratedScratchDatabase, fakeUsageEvent, testOrgId } from "../test-usage-events.ts";
import { insertUsageEvents } from "../usage/insert-usage-events.ts";
import { ExportReleasedError, runExport } from "./run-export.ts";

const from = "2026-02-01T00:00:00.000Z";
const to = "2026-03-01T00:00:00.000Z";

/** An organization with an admin acting in it, and `count` usage events inside the export range. */
async function tenantWithUsage(services: WorkerServices, count: number) {
  const created = await createOrganization(services.db, { name: `Exports ${testOrgId()}` });
  if (!created.ok) throw new Error(created.code);
  const system: CoreContext = {
    db: services.db,
    orgId: created.org.id,
    actor: { type: "system", label: "test" },
    keyPepper: deriveKeyPepper("perimeter-worker-tests: not a production secret"),
  };
  const admin = await createUser(system, {
    email: `auditor-${testOrgId()}@example.test`,
    name: "Auditor",
    orgRole: "auditor",
  });
  if (!admin.ok) throw new Error(admin.code);
  const ctx: CoreContext = { ...system, actor: { type: "user", id: admin.user.id, label: admin.user.email } };
  const base = Date.parse("2026-02-10T00:00:00Z");
  const events = Array.from({ length: count }, (_, i) =>
    usageEventMessageSchema.parse(
      fakeUsageEvent(ctx.orgId, {
        teamId: i % 4 === 0 ? "team_other" : "team_main",
        eventTime: new Date(base + i * 1000),
        // Cells a CSV writer must quote, and one a spreadsheet would run as a formula.
        userAgent: i % 3 === 0 ? '=HYPERLINK("http://evil")' : 'claude-cli/2.0 (a, "quoted")',
      }),
    ),
  );
  // One outside the range, which no export may include.
  events.push(usageEventMessageSchema.parse(fakeUsageEvent(ctx.orgId, { eventTime: new Date(to) })));
  await insertUsageEvents(services.db, events);
  return ctx;
}

const sha256 = (bytes: Buffer | string) => createHash("sha256").update(bytes).digest("hex");

describe("exports", () => {
  let scratch: ScratchDatabase;
  let services: WorkerServices;
  let exportDir: string;
  let exports: StartedQueue;
  let queue: Queue;

  beforeAll(async () => {
    // Rows dated months back: the retention job other tests start on the shared database would take them.
    scratch = await createMigratedScratchDatabase();
    services = createTestServices(scratch.url);
    exportDir = await mkdtemp(path.join(tmpdir(), "perimeter-exports-"));
    exports = await startExports(services, { exportDir });
    queue = new Queue(exportQueueName, { connection: services.queueConnection, prefix: services.queuePrefix });
  });

  afterAll(async () => {
    await queue.obliterate({ force: true });
    await queue.close();
    await exports.close();
    await closeServices(services);
    await scratch.drop();
    await rm(exportDir, { recursive: true, force: true });
  });

  it("writes the filtered rows to CSV with a manifest whose SHA-256 matches the file, and audits both ends", async () => {
    const ctx = await tenantWithUsage(services, 120);
    const requested = await requestExport(
      ctx,
      { kind: "usage_events", format: "csv", filter: { from, to, teamId: "team_main" } },
      queue,
    );
    const id = requested.export.id;
    expect(requested.export).toMatchObject({ status: "queued", rowsWritten: 0, requestedBy: ctx.actor });

    let view = requested.export;
    for (let attempt = 0; attempt < 200 && view.status !== "succeeded" && view.status !== "failed"; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      const current = await getExport(ctx, id);
      if (current.ok) view = current.export;
    }
    expect(view).toMatchObject({ status: "succeeded", rowCount: 90, rowsWritten: 90, fileName: `${id}.csv` });

    const file = await readFile(path.join(exportDir, `${id}.csv`));
    const manifestText = await readFile(path.join(exportDir, `${id}.manifest.json`), "utf8");
    const manifest = JSON.parse(manifestText) as ExportManifest;
    expect(manifest).toMatchObject({
      exportId: id,
      orgId: ctx.orgId,
      kind: "usage_events",
      format: "csv",
      filter: { from, to, teamId: "team_main" },
      timeRange: { from, to, firstRowAt: "2026-02-10T00:00:01.000Z", lastRowAt: "2026-02-10T00:01:59.000Z" },
      rowCount: 90,
      bytes: file.length,
      sha256: sha256(file),
      file: `${id}.csv`,
      generator: "perimeter-export/1",
      requestedBy: ctx.actor,
      csvFormulaGuard: true,
    });
    expect(view.sha256).toBe(manifest.sha256);
    expect((await stat(path.join(exportDir, `${id}.csv`))).size).toBe(manifest.bytes);

    const records = file.toString("utf8").split("\r\n").filter(Boolean);
    expect(records).toHaveLength(91);
    expect(records[0]?.split(",").slice(0, 3)).toEqual(["request_id", "event_time", "started_at"]);
    expect(records.filter((record) => record.endsWith(`,"'=HYPERLINK(""http://evil"")"`))).toHaveLength(30);
    expect(records.filter((record) => record.endsWith(`,"claude-cli/2.0 (a, ""quoted"")"`))).toHaveLength(60);

    const audit = await services.db.auditEvent.findMany({
      where: { orgId: ctx.orgId, targetId: id },
      orderBy: { seq: "asc" },
    });
    expect(audit.map((event) => event.action)).toEqual(["export.request", "export.complete"]);
    expect(audit[1]?.after).toMatchObject({
      rowCount: 90,
      sha256: manifest.sha256,
      manifestSha256: sha256(manifestText),
    });
  });

  it("pages one snapshot to JSONL, starts over after being released, and skips a finished export", async () => {
    const ctx = await tenantWithUsage(services, 2_500);
    // A queue that takes nothing, so only the direct runs below touch this export.
    const parked = { add: async () => undefined };
    const requested = await requestExport(ctx, { kind: "usage_events", format: "jsonl", filter: { from, to } }, parked);
    const data = { exportId: requested.export.id, orgId: ctx.orgId };
    const deps = { db: services.db, exportDir };

    const closing = new AbortController();
    const pages: number[] = [];
    const released = runExport(deps, data, {
      pageSize: 1_000,
      closing: closing.signal,
      onProgress: async (rows) => {
        pages.push(rows);
        closing.abort();
      },
    });
    await expect(released).rejects.toBeInstanceOf(ExportReleasedError);
    expect(pages).toEqual([1_000]);
    expect(await getExport(ctx, data.exportId)).toMatchObject({ export: { status: "running" } });

    const progress: number[] = [];
    const done = await runExport(deps, data, {
      pageSize: 1_000,
      onProgress: async (rows) => {
        progress.push(rows);
        // Lands in the range while the export runs: the snapshot taken at its start must not see it.
        if (rows === 1_000) {
          const late = fakeUsageEvent(ctx.orgId, { eventTime: new Date("2026-02-20T00:00:00Z") });
          await insertUsageEvents(services.db, [usageEventMessageSchema.parse(late)]);
        }
      },
    });
    expect(progress).toEqual([1_000, 2_000, 2_500]);
    expect(done).toMatchObject({ status: "succeeded", manifest: { rowCount: 2_500, csvFormulaGuard: false } });
    const lines = (await readFile(path.join(exportDir, `${data.exportId}.jsonl`), "utf8")).trimEnd().split("\n");
    expect(lines).toHaveLength(2_500);
    const ids = lines.map((line) => (JSON.parse(line) as { request_id: string }).request_id);
    expect(new Set(ids).size).toBe(2_500);
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({ user_agent: '=HYPERLINK("http://evil")', input_tokens: 10 });

    expect(await runExport(deps, data)).toEqual({ status: "skipped", reason: "ALREADY_FINISHED" });
  });

  it("exports an organization's audit trail, hashes included", async () => {
    const ctx = await tenantWithUsage(services, 1);
    const parked = { add: async () => undefined };
    const requested = await requestExport(
      ctx,
      { kind: "audit_events", format: "jsonl", filter: { from: "2020-01-01T00:00:00Z", to: "2100-01-01T00:00:00Z" } },
      parked,
    );
    const done = await runExport({ db: services.db, exportDir }, { exportId: requested.export.id, orgId: ctx.orgId });
    if (done.status !== "succeeded") throw new Error(done.reason);
    const lines = (await readFile(path.join(exportDir, done.manifest.file), "utf8")).trimEnd().split("\n");
    const events = lines.map((line) => JSON.parse(line) as { seq: number; action: string; hash: string });
    expect(events.map((event) => event.action)).toEqual(["org.create", "user.create", "export.request"]);
    expect(events.map((event) => event.seq)).toEqual([1, 2, 3]);
    expect(events.every((event) => /^[0-9a-f]{64}$/.test(event.hash))).toBe(true);
  });

  it("exports rollups of the requested granularity, histograms as JSON arrays", async () => {
    const ctx = await tenantWithUsage(services, 1);
    const rollup = (granularity: "hour" | "day", bucket: string) => ({
      orgId: ctx.orgId,
      granularity,
      bucketStart: new Date(bucket),
      bucketKey: `${granularity}|${ctx.orgId}|${bucket}|-|-|-|umans-coder-v0`,
      model: "umans-coder-v0",
      requests: 3n,
      latencyMsHistogram: [1n, 2n],
    });
    await services.db.usageRollup.createMany({
      data: [
        rollup("hour", "2026-02-10T00:00:00.000Z"),
        rollup("hour", "2026-02-10T01:00:00.000Z"),
        rollup("day", "2026-02-10T00:00:00.000Z"),
      ],
    });
    const requested = await requestExport(
      ctx,
      { kind: "usage_rollups", format: "csv", filter: { from, to, granularity: "hour" } },
      { add: async () => undefined },
    );
    const done = await runExport({ db: services.db, exportDir }, { exportId: requested.export.id, orgId: ctx.orgId });
    if (done.status !== "succeeded") throw new Error(done.reason);
    const records = (await readFile(path.join(exportDir, done.manifest.file), "utf8")).split("\r\n").filter(Boolean);
    expect(records).toHaveLength(3);
    expect(records[1]).toMatch(/^hour,2026-02-10T00:00:00.000Z,,,,umans-coder-v0,3,.*,"\[1,2\]"$/);
  });

  it("refuses a filter that does not apply to the kind", async () => {
    const ctx = await tenantWithUsage(services, 1);
    await expect(
      requestExport(ctx, { kind: "audit_events", filter: { from, to, model: "umans-coder-v0" } }, queue),
    ).rejects.toThrow("does not apply to audit events");
    await expect(requestExport(ctx, { kind: "usage_events", filter: { from: to, to: from } }, queue)).rejects.toThrow(
      "must be after from",
    );
  });
});
