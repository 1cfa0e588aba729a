import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { changeMemberRole } from "./change-member-role.ts";
import { createApiKey } from "./create-api-key.ts";
import { removeMember } from "./remove-member.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("changeMemberRole and removeMember", () => {
  it("changes a role once and audits it, a repeat is a no-op", async () => {
    const { ctx } = await createTestTenant(db);
    const { member } = await createTestTeam(ctx);
    expect(await changeMemberRole(ctx, { memberId: member.id, role: "team_admin" })).toMatchObject({
      ok: true,
      changed: true,
      member: { role: "team_admin" },
    });
    expect(await changeMemberRole(ctx, { memberId: member.id, role: "team_admin" })).toMatchObject({ changed: false });
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId, action: "team_member.update" } })).toBe(1);
  });

  it("removes the membership and revokes the member's keys in that team only", async () => {
    const { ctx } = await createTestTenant(db);
    const { team, member, developer } = await createTestTeam(ctx);
    const own = await createApiKey(ctx, { teamId: team.id, name: "mine", ownerUserId: developer.id });
    const service = await createApiKey(ctx, { teamId: team.id, name: "service" });
    if (!own.ok || !service.ok) throw new Error("key");
    const removed = await removeMember(ctx, { memberId: member.id });
    expect(removed).toMatchObject({ ok: true, revokedKeyIds: [own.key.id] });
    expect(await db.teamMember.count({ where: { id: member.id } })).toBe(0);
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: own.key.id } })).revokedAt).not.toBeNull();
    expect((await db.apiKey.findUniqueOrThrow({ where: { id: service.key.id } })).revokedAt).toBeNull();
    expect(await removeMember(ctx, { memberId: member.id })).toEqual({ ok: false, code: "NOT_FOUND" });
  });

  it("treats a member of another organization as NOT_FOUND", async () => {
    const mine = await createTestTenant(db);
    const theirs = await createTestTenant(db);
    const { member } = await createTestTeam(theirs.ctx);
    expect(await removeMember(mine.ctx, { memberId: member.id })).toEqual({ ok: false, code: "NOT_FOUND" });
    expect(await changeMemberRole(mine.ctx, { memberId: member.id, role: "team_admin" })).toEqual({
      ok: false,
      code: "NOT_FOUND",
    });
    expect(await db.teamMember.count({ where: { id: member.id } })).toBe(1);
  });
});
