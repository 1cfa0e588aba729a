import { createDb } from "@perimeter/db";
import { queryOnce } from "@perimeter/db/query-once";
import { afterAll, describe, expect, inject, it } from "vitest";
import { checkAuditChain } from "./check-audit-chain.ts";
import { createTeam } from "./create-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const databaseUrl = inject("databaseUrl");
const db = createDb(databaseUrl);
afterAll(() => db.$disconnect());

/** Deletes audit rows the way a superuser could, around the append-only trigger. */
async function removeEvents(orgId: string, fromSeq: number) {
  await queryOnce(
    databaseUrl,
    `SET session_replication_role = replica; DELETE FROM audit_events WHERE org_id = '${orgId}' AND seq >= ${fromSeq}`,
  );
}

describe("checkAuditChain", () => {
  it("records an intact chain with its head, and raises one alert when the newest events vanish", async () => {
    const { ctx } = await createTestTenant(db);
    await createTeam(ctx, { name: "One" });
    await createTeam(ctx, { name: "Two" });
    const system = { ...ctx, actor: { type: "system" as const, label: "audit-check" } };

    const intact = await checkAuditChain(system);
    expect(intact).toMatchObject({ alerted: false, check: { ok: true, eventCount: 4n, headSeq: 4n } });

    // Each row of what remains is valid; only the recorded head shows that two events are gone.
    await removeEvents(ctx.orgId, 3);
    const broken = await checkAuditChain(system);
    expect(broken).toMatchObject({ alerted: true, check: { ok: false, reason: "TAIL_MISSING", brokenSeq: 4n } });
    const alert = await db.auditEvent.findFirst({ where: { orgId: ctx.orgId, action: "audit.chain_broken" } });
    expect(alert?.after).toMatchObject({ reason: "TAIL_MISSING", intactEvents: 2 });

    const again = await checkAuditChain(system);
    expect(again).toMatchObject({ alerted: false, check: { ok: false } });
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId, action: "audit.chain_broken" } })).toBe(1);
  });

  it("names a row whose content was changed", async () => {
    const { ctx } = await createTestTenant(db);
    await createTeam(ctx, { name: "Target" });
    await queryOnce(
      databaseUrl,
      `SET session_replication_role = replica; UPDATE audit_events SET action = 'team.delete' WHERE org_id = '${ctx.orgId}' AND seq = 3`,
    );
    const result = await checkAuditChain({ ...ctx, actor: { type: "system", label: "audit-check" } });
    expect(result).toMatchObject({ alerted: true, check: { ok: false, reason: "HASH_MISMATCH", brokenSeq: 3n } });
  });
});
