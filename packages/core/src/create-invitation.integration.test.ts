import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createInvitation } from "./create-invitation.ts";
import { createUser } from "./create-user.ts";
import { hashInvitationToken } from "./invitation-token.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("createInvitation", () => {
  it("creates an invited user and membership, stores only the token's hash and audits all three", async () => {
    const { ctx } = await createTestTenant(db);
    const { team } = await createTestTeam(ctx);
    const result = await createInvitation(ctx, {
      email: " New.Dev@Example.TEST ",
      teamId: team.id,
      teamRole: "team_admin",
    });
    if (!result.ok) throw new Error(result.code);
    expect(result.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(result.user).toMatchObject({ email: "new.dev@example.test", status: "invited", hasPassword: false });
    expect(result.member).toMatchObject({ teamId: team.id, role: "team_admin" });
    const row = await db.invitation.findUniqueOrThrow({ where: { id: result.invitation.id } });
    expect(row.tokenHash).toBe(hashInvitationToken(result.token));
    expect(JSON.stringify(row)).not.toContain(result.token);
    const actions = await db.auditEvent.findMany({ where: { orgId: ctx.orgId }, orderBy: { seq: "asc" } });
    expect(actions.map((e) => e.action).slice(-3)).toEqual(["user.create", "team_member.add", "invitation.create"]);
    expect(JSON.stringify(actions.map((e) => [e.before, e.after]))).not.toContain(result.token);
    expect(row.expiresAt.getTime() - row.createdAt.getTime()).toBeGreaterThan(71 * 3_600_000);
  });

  it("supersedes the earlier link when the same person is invited again", async () => {
    const { ctx } = await createTestTenant(db);
    const first = await createInvitation(ctx, { email: "again@example.test" });
    const second = await createInvitation(ctx, { email: "again@example.test", orgRole: "auditor" });
    if (!first.ok || !second.ok) throw new Error("invitation failed");
    expect(second.user.id).toBe(first.user.id);
    expect(second.user.orgRole).toBe("auditor");
    const old = await db.invitation.findUniqueOrThrow({ where: { id: first.invitation.id } });
    expect(old.supersededAt).not.toBeNull();
  });

  it("refuses a person who already has an account, and a team of another organization, writing nothing", async () => {
    const { ctx } = await createTestTenant(db);
    const other = await createTestTenant(db);
    const { team: theirTeam } = await createTestTeam(other.ctx);
    const existing = await createUser(ctx, { email: "here@example.test", name: "Here" });
    if (!existing.ok) throw new Error(existing.code);
    const before = await db.auditEvent.count({ where: { orgId: ctx.orgId } });
    expect(await createInvitation(ctx, { email: "here@example.test" })).toEqual({ ok: false, code: "USER_EXISTS" });
    expect(await createInvitation(ctx, { email: "x@example.test", teamId: theirTeam.id })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "team",
    });
    await expect(createInvitation(ctx, { email: "not-an-email" })).rejects.toThrow(ZodError);
    expect(await db.user.count({ where: { orgId: ctx.orgId, email: "x@example.test" } })).toBe(0);
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId } })).toBe(before);
  });
});
