import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApiKey } from "./create-api-key.ts";
import { createUser } from "./create-user.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";
import { updateUser } from "./update-user.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("updateUser", () => {
  it("never leaves the organization without an active admin, even when two demotions race", async () => {
    const { ctx, admin } = await createTestTenant(db);
    expect(await updateUser(ctx, { userId: admin.id, orgRole: null })).toEqual({ ok: false, code: "LAST_ADMIN" });
    expect(await updateUser(ctx, { userId: admin.id, status: "disabled" })).toEqual({ ok: false, code: "LAST_ADMIN" });
    const second = await createUser(ctx, { email: "second@example.test", name: "Second", orgRole: "admin" });
    if (!second.ok) throw new Error(second.code);
    const results = await Promise.all([
      updateUser(ctx, { userId: admin.id, orgRole: "auditor" }),
      updateUser(ctx, { userId: second.user.id, orgRole: "auditor" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await db.user.count({ where: { orgId: ctx.orgId, orgRole: "admin" } })).toBe(1);
  });

  it("disabling revokes the user's live keys and is audited; enabling does not bring them back", async () => {
    const { ctx } = await createTestTenant(db);
    const { team, developer } = await createTestTeam(ctx);
    const key = await createApiKey(ctx, { teamId: team.id, name: "k", ownerUserId: developer.id });
    if (!key.ok) throw new Error(key.code);
    const disabled = await updateUser(ctx, { userId: developer.id, status: "disabled" });
    expect(disabled).toMatchObject({ ok: true, user: { status: "disabled" }, revokedKeyIds: [key.key.id] });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: key.key.id } })).revokedReason).toBe("owner disabled");
    const enabled = await updateUser(ctx, { userId: developer.id, status: "active" });
    expect(enabled).toMatchObject({ ok: true, user: { status: "active", disabledAt: null }, revokedKeyIds: [] });
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: key.key.id } })).revokedAt).not.toBeNull();
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId, action: "user.update" } })).toBe(2);
  });

  it("treats a user of another organization as NOT_FOUND", async () => {
    const mine = await createTestTenant(db);
    const theirs = await createTestTenant(db);
    expect(await updateUser(mine.ctx, { userId: theirs.admin.id, status: "disabled" })).toEqual({
      ok: false,
      code: "NOT_FOUND",
    });
  });
});
