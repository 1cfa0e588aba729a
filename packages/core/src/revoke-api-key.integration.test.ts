import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApiKey } from "./create-api-key.ts";
import { revokeApiKey } from "./revoke-api-key.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

async function issueKey() {
  const tenant = await createTestTenant(db);
  const { team } = await createTestTeam(tenant.ctx);
  const result = await createApiKey(tenant.ctx, { teamId: team.id, name: "k" });
  if (!result.ok) throw new Error(result.code);
  return { ...tenant, key: result.key };
}

describe("revokeApiKey", () => {
  it("revokes at the context's time with a reason and audits before and after", async () => {
    const { ctx, key } = await issueKey();
    const at = new Date("2030-05-06T07:08:09.123Z");
    const result = await revokeApiKey({ ...ctx, now: () => at }, { keyId: key.id, reason: "laptop stolen" });
    expect(result).toMatchObject({ ok: true, key: { id: key.id, revokedAt: at, revokedReason: "laptop stolen" } });
    const event = await db.auditEvent.findFirstOrThrow({ where: { orgId: ctx.orgId, action: "api_key.revoke" } });
    expect(event).toMatchObject({ targetId: key.id, teamId: key.teamId, occurredAt: at });
    expect(event.before).toMatchObject({ revokedAt: null });
    expect(event.after).toMatchObject({ revokedAt: at.toISOString(), revokedReason: "laptop stolen" });
  });

  it("returns ALREADY_REVOKED the second time and keeps the first revocation", async () => {
    const { ctx, key } = await issueKey();
    const first = await revokeApiKey(ctx, { keyId: key.id, reason: "first" });
    expect(await revokeApiKey(ctx, { keyId: key.id, reason: "second" })).toEqual({
      ok: false,
      code: "ALREADY_REVOKED",
    });
    const row = await db.apiKey.findUniqueOrThrow({ where: { id: key.id } });
    expect(row.revokedReason).toBe("first");
    expect(first.ok && row.revokedAt).toEqual(first.ok && first.key.revokedAt);
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId, action: "api_key.revoke" } })).toBe(1);
  });

  it("lets exactly one of several concurrent revocations win", async () => {
    const { ctx, key } = await issueKey();
    const results = await Promise.all([1, 2, 3, 4].map((n) => revokeApiKey(ctx, { keyId: key.id, reason: `${n}` })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId, action: "api_key.revoke" } })).toBe(1);
  });

  it("treats a key of another organization as NOT_FOUND and leaves it alone", async () => {
    const mine = await issueKey();
    const theirs = await issueKey();
    expect(await revokeApiKey(mine.ctx, { keyId: theirs.key.id })).toEqual({ ok: false, code: "NOT_FOUND" });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: theirs.key.id } })).revokedAt).toBeNull();
  });
});
