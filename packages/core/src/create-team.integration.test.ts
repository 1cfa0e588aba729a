import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createTeam } from "./create-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("createTeam", () => {
  it("derives the slug from the name and audits team.create with the team and request details", async () => {
    const { ctx } = await createTestTenant(db);
    const request = { ip: "10.1.2.3", userAgent: "vitest", requestId: "req_test" };
    const result = await createTeam({ ...ctx, request }, { name: "Équipe Paiements", description: "  money  " });
    if (!result.ok) throw new Error(result.code);
    expect(result.team).toMatchObject({ orgId: ctx.orgId, slug: "equipe-paiements", description: "money" });
    const event = await db.auditEvent.findFirstOrThrow({ where: { orgId: ctx.orgId, action: "team.create" } });
    expect(event).toMatchObject({
      targetType: "team",
      targetId: result.team.id,
      teamId: result.team.id,
      actorType: "user",
      actorId: ctx.actor.type === "user" ? ctx.actor.id : null,
      ...request,
    });
    expect(event.after).toMatchObject({ name: "Équipe Paiements", slug: "equipe-paiements" });
  });

  it("returns SLUG_TAKEN within an organization only", async () => {
    const { ctx } = await createTestTenant(db);
    expect((await createTeam(ctx, { name: "Platform" })).ok).toBe(true);
    expect(await createTeam(ctx, { name: "platform!" })).toEqual({ ok: false, code: "SLUG_TAKEN" });
    expect(await createTeam(ctx, { name: "Other", slug: "platform" })).toEqual({ ok: false, code: "SLUG_TAKEN" });
    const other = await createTestTenant(db);
    expect((await createTeam(other.ctx, { name: "Platform" })).ok).toBe(true);
  });

  it("falls back to a generated slug when the name has no usable characters", async () => {
    const { ctx } = await createTestTenant(db);
    const result = await createTeam(ctx, { name: "日本" });
    expect(result.ok && result.team.slug).toMatch(/^team-[0-9a-z]{8}$/);
  });

  it("throws on invalid input", async () => {
    const { ctx } = await createTestTenant(db);
    await expect(createTeam(ctx, { name: "" })).rejects.toThrow(ZodError);
    await expect(createTeam(ctx, { name: "X", slug: "Bad Slug" })).rejects.toThrow(ZodError);
  });
});
