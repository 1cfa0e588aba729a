import { createHash } from "node:crypto";
import { mkdtemp, rm, unlink } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { exportQueueName } from "@perimeter/core";
import { createDb, randomBase32 } from "@perimeter/db";
// The worker's export job itself writes the files the web then serves.
import { runExport } from "@perimeter/worker/src/exports/run-export.ts";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { exportFileResponse } from "../exports/export-file-response";
import { createWebFixture, type WebFixture } from "../testing/web-fixture";
import { getExportAs, listExports, openExportFile, requestExportAs } from "./exports";
import type { OperationEnv } from "./operation-env";

const db = createDb(inject("databaseUrl"));
const redis = new Redis(inject("redisUrl"), { maxRetriesPerRequest: null });
// A prefix of its own: no running worker on this machine takes these jobs.
const prefix = `perimeter-web-test-${randomBase32(8)}`;
const queue = new Queue(exportQueueName, { connection: redis, prefix });
let exportDir: string;
let fx: WebFixture;
let env: OperationEnv;

beforeAll(async () => {
  exportDir = await mkdtemp(path.join(os.tmpdir(), "perimeter-web-exports-"));
  fx = await createWebFixture(db);
  env = { ...fx.env, exportQueue: queue, exportDir };
});
afterAll(async () => {
  await queue.obliterate({ force: true });
  await queue.close();
  redis.disconnect();
  await rm(exportDir, { recursive: true, force: true });
  await db.$disconnect();
});

const range = () => ({ from: new Date(Date.now() - 3_600_000).toISOString(), to: new Date().toISOString() });

async function bodyOf(response: Response): Promise<Buffer> {
  return Buffer.from(await response.arrayBuffer());
}

describe("exports", () => {
  it("an auditor's request is recorded, audited and queued for the worker under the export's id", async () => {
    const result = await requestExportAs(env, fx.principals.auditor, {
      kind: "audit",
      format: "jsonl",
      filter: { ...range(), teamId: fx.teams.a },
    });
    if (!result.ok) throw new Error(result.message);
    expect(result.value).toMatchObject({ kind: "audit", format: "jsonl", status: "queued", rowsWritten: 0 });
    const job = await queue.getJob(result.value.id);
    expect(job?.data).toEqual({ exportId: result.value.id, orgId: fx.orgId });
    const audit = await db.auditEvent.findFirstOrThrow({ where: { orgId: fx.orgId, targetId: result.value.id } });
    expect(audit).toMatchObject({ action: "export.request", actorId: fx.users.auditor, teamId: fx.teams.a });
    // While it waits, the page can show how many rows it is expected to hold.
    const detail = await getExportAs(env, fx.principals.auditor, result.value.id);
    expect(detail.ok && detail.value.estimatedRows).toBeGreaterThan(0);
  });

  it("bad filters are field errors and nothing is recorded", async () => {
    const count = () => db.exportJob.count({ where: { orgId: fx.orgId } });
    const before = await count();
    const inverted = await requestExportAs(env, fx.principals.admin, {
      kind: "usage",
      filter: { from: new Date().toISOString(), to: new Date(Date.now() - 60_000).toISOString() },
    });
    expect(inverted).toMatchObject({ ok: false, code: "INVALID", fields: { "filter.to": "must be after from" } });
    const foreign = await createWebFixture(db);
    const unknownTeam = await requestExportAs(env, fx.principals.admin, {
      kind: "usage",
      filter: { ...range(), teamId: foreign.teams.a },
    });
    expect(unknownTeam).toMatchObject({ code: "INVALID", fields: { "filter.teamId": "no such team" } });
    const badKind = await requestExportAs(env, fx.principals.admin, { kind: "prompts", filter: range() });
    expect(badKind).toMatchObject({ code: "INVALID", fields: { kind: expect.any(String) } });
    expect(await count()).toBe(before);
  });

  it("once the worker wrote it, the file streams with the SHA-256 the manifest and the row record", async () => {
    const requested = await requestExportAs(env, fx.principals.admin, {
      kind: "audit",
      format: "csv",
      filter: range(),
    });
    if (!requested.ok) throw new Error(requested.message);
    const id = requested.value.id;
    const unfinished = await openExportFile(env, fx.principals.auditor, { exportId: id, part: "file" });
    expect(unfinished).toMatchObject({ ok: false, code: "CONFLICT" });

    const run = await runExport({ db, exportDir }, { exportId: id, orgId: fx.orgId }, { pageSize: 7 });
    expect(run.status).toBe("succeeded");
    const detail = await getExportAs(env, fx.principals.auditor, id);
    if (!detail.ok) throw new Error(detail.message);
    expect(detail.value).toMatchObject({ status: "succeeded", estimatedRows: null });
    expect(detail.value.manifest).toMatchObject({ exportId: id, sha256: detail.value.sha256 });

    const file = await openExportFile(env, fx.principals.auditor, { exportId: id, part: "file" });
    if (!file.ok) throw new Error(file.message);
    const response = exportFileResponse(file.value);
    const bytes = await bodyOf(response);
    const sha256 = createHash("sha256").update(bytes).digest("hex");
    expect(sha256).toBe(detail.value.sha256);
    expect(bytes.length).toBe(Number(response.headers.get("content-length")));
    expect(response.headers.get("repr-digest")).toBe(`sha-256=:${Buffer.from(sha256, "hex").toString("base64")}:`);
    expect(response.headers.get("content-disposition")).toBe(`attachment; filename="${id}.csv"`);
    expect(bytes.toString("utf8").split("\n")[0]).toMatch(/^seq,id,occurred_at,/);
    expect(bytes.toString("utf8").trimEnd().split("\n")).toHaveLength((detail.value.rowCount ?? 0) + 1);

    const manifest = await openExportFile(env, fx.principals.admin, { exportId: id, part: "manifest" });
    if (!manifest.ok) throw new Error(manifest.message);
    const manifestJson = JSON.parse((await bodyOf(exportFileResponse(manifest.value))).toString("utf8"));
    expect(manifestJson).toMatchObject({ exportId: id, rowCount: detail.value.rowCount, sha256 });

    const listed = await listExports(env, fx.principals.auditor);
    expect(listed.ok && listed.value.map((e) => e.id)).toContain(id);

    await unlink(path.join(exportDir, file.value.downloadName));
    const gone = await openExportFile(env, fx.principals.admin, { exportId: id, part: "file" });
    expect(gone).toMatchObject({ ok: false, code: "NOT_FOUND" });
  });

  it("nobody outside the organization's admins and auditors learns an export exists", async () => {
    const requested = await requestExportAs(env, fx.principals.admin, { kind: "usage", filter: range() });
    if (!requested.ok) throw new Error(requested.message);
    const id = requested.value.id;
    for (const role of ["teamAdminA", "developerA"] as const) {
      expect(await getExportAs(env, fx.principals[role], id)).toMatchObject({ code: "NOT_FOUND" });
      expect(await openExportFile(env, fx.principals[role], { exportId: id, part: "manifest" })).toMatchObject({
        code: "NOT_FOUND",
      });
      expect(await requestExportAs(env, fx.principals[role], { kind: "usage", filter: range() })).toMatchObject({
        code: "FORBIDDEN",
      });
    }
    const other = await createWebFixture(db);
    expect(await getExportAs(env, other.principals.admin, id)).toMatchObject({ code: "NOT_FOUND" });
    expect(await openExportFile(env, other.principals.auditor, { exportId: id, part: "file" })).toMatchObject({
      code: "NOT_FOUND",
    });
  });
});
