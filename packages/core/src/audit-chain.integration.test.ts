import { createDb, randomBase32 } from "@perimeter/db";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { appendAuditEvent } from "./append-audit-event.ts";
import { computeAuditHash, type JsonValue } from "./audit-hash.ts";
import { createApiKey } from "./create-api-key.ts";
import { createTeam } from "./create-team.ts";
import { revokeApiKey } from "./revoke-api-key.ts";
import { rotateApiKey } from "./rotate-api-key.ts";
import { setLimits } from "./set-limits.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";
import { verifyAuditChain } from "./verify-audit-chain.ts";

const databaseUrl = inject("databaseUrl");
const db = createDb(databaseUrl);
afterAll(() => db.$disconnect());

/** Runs SQL on a connection of its own; `replica` mode skips triggers, as a superuser tampering would. */
async function withSql<T>(fn: (client: pg.Client) => Promise<T>, options: { bypassTriggers?: boolean } = {}) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    if (options.bypassTriggers) await client.query("SET session_replication_role = replica");
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** A tenant whose chain holds a varied history: org, user, teams, member, keys, limits, revocation, rotation. */
async function tenantWithHistory() {
  const tenant = await createTestTenant(db);
  const { ctx } = tenant;
  const { team } = await createTestTeam(ctx);
  const first = await createApiKey(ctx, { teamId: team.id, name: "one" });
  const second = await createApiKey(ctx, { teamId: team.id, name: "two" });
  if (!first.ok || !second.ok) throw new Error("setup failed");
  await setLimits(ctx, { target: { type: "team", teamId: team.id }, limits: { inputTokensPerDay: 5_000_000_000 } });
  await revokeApiKey(ctx, { keyId: first.key.id, reason: "test" });
  await rotateApiKey(ctx, { keyId: second.key.id, gracePeriodSec: 30 });
  const events = await db.auditEvent.findMany({ where: { orgId: ctx.orgId }, orderBy: { seq: "asc" } });
  return { ...tenant, events };
}

describe("audit chain", () => {
  it("verifies after a series of verbs, seq 1..n with each event linked to the one before", async () => {
    const { ctx, events } = await tenantWithHistory();
    expect(events.map((e) => e.action)).toEqual([
      "org.create",
      "user.create",
      "team.create",
      "user.create",
      "team_member.add",
      "api_key.create",
      "api_key.create",
      "limits.set",
      "api_key.revoke",
      "api_key.create",
      "api_key.rotate",
    ]);
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => BigInt(i + 1)));
    for (let i = 1; i < events.length; i++) expect(events[i]?.prevHash).toBe(events[i - 1]?.hash);
    expect(await verifyAuditChain(db, ctx.orgId)).toEqual({
      ok: true,
      count: events.length,
      headHash: events.at(-1)?.hash,
    });
    // Pages smaller than the chain give the same answer.
    expect(await verifyAuditChain(db, ctx.orgId, { pageSize: 3 })).toEqual(await verifyAuditChain(db, ctx.orgId));
  });

  it("an organization without events verifies as empty", async () => {
    expect(await verifyAuditChain(db, `org_${randomBase32(26)}`)).toEqual({ ok: true, count: 0, headHash: null });
  });

  it("names the row whose content was changed (HASH_MISMATCH)", async () => {
    const { ctx, events } = await tenantWithHistory();
    const victim = events[7];
    if (!victim) throw new Error("setup failed");
    await withSql(
      (client) =>
        client.query(`UPDATE audit_events SET "after" = jsonb_set("after", '{inputTokensPerDay}', '1') WHERE id = $1`, [
          victim.id,
        ]),
      { bypassTriggers: true },
    );
    expect(await verifyAuditChain(db, ctx.orgId, { pageSize: 4 })).toEqual({
      ok: false,
      count: 7,
      brokenAt: { id: victim.id, seq: 8, reason: "HASH_MISMATCH" },
    });
  });

  it("names the row after a deleted one (SEQ_GAP)", async () => {
    const { ctx, events } = await tenantWithHistory();
    const [deleted, next] = [events[4], events[5]];
    if (!deleted || !next) throw new Error("setup failed");
    await withSql((client) => client.query("DELETE FROM audit_events WHERE id = $1", [deleted.id]), {
      bypassTriggers: true,
    });
    expect(await verifyAuditChain(db, ctx.orgId)).toEqual({
      ok: false,
      count: 4,
      brokenAt: { id: next.id, seq: 6, reason: "SEQ_GAP" },
    });
  });

  it("names a row whose link was forged even when its own hash was recomputed (PREV_HASH_MISMATCH)", async () => {
    const { ctx, events } = await tenantWithHistory();
    const first = events[0];
    if (!first) throw new Error("setup failed");
    // Re-point the first event at a fake predecessor and re-hash it with the same algorithm.
    const forgedPrev = "f".repeat(64);
    const forgedHash = computeAuditHash({
      ...first,
      before: first.before as JsonValue,
      after: first.after as JsonValue,
      prevHash: forgedPrev,
    });
    await withSql(
      (client) =>
        client.query("UPDATE audit_events SET prev_hash = $2, hash = $3 WHERE id = $1", [
          first.id,
          forgedPrev,
          forgedHash,
        ]),
      { bypassTriggers: true },
    );
    expect(await verifyAuditChain(db, ctx.orgId)).toEqual({
      ok: false,
      count: 0,
      brokenAt: { id: first.id, seq: 1, reason: "PREV_HASH_MISMATCH" },
    });
  });

  it("is append-only: the database refuses UPDATE, DELETE and TRUNCATE in a normal session", async () => {
    const { ctx, events } = await tenantWithHistory();
    const target = events[1];
    if (!target) throw new Error("setup failed");
    await withSql(async (client) => {
      for (const [op, sql] of [
        ["UPDATE", `UPDATE audit_events SET action = 'forged' WHERE id = '${target.id}'`],
        ["DELETE", `DELETE FROM audit_events WHERE id = '${target.id}'`],
        ["TRUNCATE", "TRUNCATE audit_events"],
      ] as const) {
        // Inside a transaction that is always rolled back, so a broken trigger cannot wipe other tests' rows.
        await client.query("BEGIN");
        try {
          await expect(client.query(sql)).rejects.toThrow(`audit_events is append-only: ${op} is not allowed`);
        } finally {
          await client.query("ROLLBACK");
        }
      }
    });
    expect(await verifyAuditChain(db, ctx.orgId)).toMatchObject({ ok: true, count: events.length });
  });

  it("stays gap-free and valid under 20 concurrent verbs in one organization", async () => {
    const { ctx } = await createTestTenant(db);
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => createTeam(ctx, { name: `Parallel ${i}` })));
    expect(results.every((r) => r.ok)).toBe(true);
    const seqs = (await db.auditEvent.findMany({ where: { orgId: ctx.orgId }, select: { seq: true } })).map((e) =>
      Number(e.seq),
    );
    expect(seqs.sort((a, b) => a - b)).toEqual(Array.from({ length: 22 }, (_, i) => i + 1));
    expect(await verifyAuditChain(db, ctx.orgId)).toMatchObject({ ok: true, count: 22 });
  });

  it("commits the audit event with the change or not at all", async () => {
    const { ctx } = await createTestTenant(db);
    const before = await db.auditEvent.count({ where: { orgId: ctx.orgId } });
    await expect(
      db.$transaction(async (tx) => {
        await appendAuditEvent(tx, ctx, { action: "test.doomed" });
        throw new Error("the change failed after its audit event was written");
      }),
    ).rejects.toThrow(/change failed/);
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId } })).toBe(before);
    expect(await verifyAuditChain(db, ctx.orgId)).toMatchObject({ ok: true, count: before });
  });

  it("redacts secrets from before/after and refuses to run outside a transaction", async () => {
    const { ctx } = await createTestTenant(db);
    const event = await db.$transaction((tx) =>
      appendAuditEvent(tx, ctx, {
        action: "test.redact",
        before: { password: "hunter2hunter2", keep: 1n },
        after: { nested: { hash: "deadbeef", secret: "s", ok: true } },
      }),
    );
    expect(event.before).toEqual({ keep: "1" });
    expect(event.after).toEqual({ nested: { ok: true } });
    await expect(appendAuditEvent(db, ctx, { action: "test.no-tx" })).rejects.toThrow(/interactive transaction/);
    expect(await verifyAuditChain(db, ctx.orgId)).toMatchObject({ ok: true });
  });
});
