import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createInvitation } from "./create-invitation.ts";
import { resolveSsoUser } from "./resolve-sso-user.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";
import { updateUser } from "./update-user.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("resolveSsoUser", () => {
  it("admits people on the allow-list without a cap, and nobody else uninvited", async () => {
    const { ctx } = await createTestTenant(db);
    for (let n = 0; n < 7; n++) {
      const result = await resolveSsoUser(db, { orgId: ctx.orgId, email: `p${n}@corp.test`, domainAllowed: true });
      expect(result).toMatchObject({ ok: true, created: true, user: { orgRole: null, status: "active" } });
    }
    expect(await resolveSsoUser(db, { orgId: ctx.orgId, email: "x@else.test", domainAllowed: false })).toEqual({
      ok: false,
      code: "NOT_INVITED",
    });
    expect(await resolveSsoUser(db, { orgId: ctx.orgId, email: "P0@corp.test", domainAllowed: true })).toMatchObject({
      ok: true,
      created: false,
    });
  });

  it("activates an invited user and keeps a disabled one out", async () => {
    const { ctx } = await createTestTenant(db);
    const invited = await createInvitation(ctx, { email: "inv@else.test" });
    if (!invited.ok) throw new Error(invited.code);
    const result = await resolveSsoUser(db, { orgId: ctx.orgId, email: "inv@else.test", domainAllowed: false });
    expect(result).toMatchObject({ ok: true, created: false, user: { status: "active" } });
    const link = await db.invitation.findUniqueOrThrow({ where: { id: invited.invitation.id } });
    expect(link.acceptedAt).not.toBeNull();
    await updateUser(ctx, { userId: invited.user.id, status: "disabled" });
    expect(await resolveSsoUser(db, { orgId: ctx.orgId, email: "inv@else.test", domainAllowed: true })).toEqual({
      ok: false,
      code: "USER_DISABLED",
    });
  });
});
