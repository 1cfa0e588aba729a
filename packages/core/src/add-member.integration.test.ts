import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { addMember } from "./add-member.ts";
import { createTeam } from "./create-team.ts";
import { createUser } from "./create-user.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

async function tenantWithTeamAndUser() {
  const tenant = await createTestTenant(db);
  const team = await createTeam(tenant.ctx, { name: "Payments" });
  const user = await createUser(tenant.ctx, { email: "dev@example.test", name: "Dev" });
  if (!team.ok || !user.ok) throw new Error("setup failed");
  return { ...tenant, team: team.team, user: user.user };
}

describe("addMember", () => {
  it("adds a user to a team with a role and audits team_member.add", async () => {
    const { ctx, team, user } = await tenantWithTeamAndUser();
    const result = await addMember(ctx, { teamId: team.id, userId: user.id, role: "team_admin" });
    if (!result.ok) throw new Error(result.code);
    expect(result.member).toMatchObject({ teamId: team.id, userId: user.id, role: "team_admin" });
    const event = await db.auditEvent.findFirstOrThrow({ where: { orgId: ctx.orgId, action: "team_member.add" } });
    expect(event).toMatchObject({ targetId: result.member.id, teamId: team.id });
    expect(event.after).toMatchObject({ userId: user.id, userEmail: "dev@example.test", role: "team_admin" });
  });

  it("defaults the role to developer and refuses a second membership", async () => {
    const { ctx, team, user } = await tenantWithTeamAndUser();
    const first = await addMember(ctx, { teamId: team.id, userId: user.id });
    expect(first.ok && first.member.role).toBe("developer");
    expect(await addMember(ctx, { teamId: team.id, userId: user.id, role: "team_admin" })).toEqual({
      ok: false,
      code: "ALREADY_MEMBER",
    });
  });

  it("treats a team or user of another organization as NOT_FOUND", async () => {
    const mine = await tenantWithTeamAndUser();
    const theirs = await tenantWithTeamAndUser();
    expect(await addMember(mine.ctx, { teamId: theirs.team.id, userId: mine.user.id })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "team",
    });
    expect(await addMember(mine.ctx, { teamId: mine.team.id, userId: theirs.user.id })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "user",
    });
    expect(await db.teamMember.count({ where: { teamId: { in: [mine.team.id, theirs.team.id] } } })).toBe(0);
  });

  it("refuses archived teams and disabled users", async () => {
    const { ctx, team, user } = await tenantWithTeamAndUser();
    await db.user.update({ where: { id: user.id }, data: { status: "disabled" } });
    expect(await addMember(ctx, { teamId: team.id, userId: user.id })).toEqual({ ok: false, code: "USER_DISABLED" });
    await db.team.update({ where: { id: team.id }, data: { archivedAt: new Date() } });
    expect(await addMember(ctx, { teamId: team.id, userId: user.id })).toEqual({ ok: false, code: "TEAM_ARCHIVED" });
  });

  it("throws on an unknown role", async () => {
    const { ctx, team, user } = await tenantWithTeamAndUser();
    await expect(addMember(ctx, { teamId: team.id, userId: user.id, role: "owner" as "developer" })).rejects.toThrow(
      ZodError,
    );
  });
});
