import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { acceptInvitation } from "./accept-invitation.ts";
import { createInvitation } from "./create-invitation.ts";
import { inspectInvitation } from "./inspect-invitation.ts";
import { verifyPassword } from "./password.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());
const password = "a long enough password";

async function invite() {
  const { ctx } = await createTestTenant(db);
  const result = await createInvitation(ctx, { email: `inv-${Math.random().toString(36).slice(2)}@example.test` });
  if (!result.ok) throw new Error(result.code);
  return { ctx, ...result };
}

describe("acceptInvitation", () => {
  it("sets an argon2id password, activates the user and works exactly once", async () => {
    const { token, user } = await invite();
    expect(await inspectInvitation({ db }, token)).toMatchObject({ ok: true, email: user.email });
    const accepted = await acceptInvitation({ db }, { token, password, name: "Ada" });
    expect(accepted).toMatchObject({
      ok: true,
      user: { id: user.id, status: "active", name: "Ada", hasPassword: true },
    });
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await verifyPassword(password, row.passwordHash ?? "")).toBe(true);
    expect(await acceptInvitation({ db }, { token, password })).toEqual({ ok: false, code: "ALREADY_USED" });
    expect(await inspectInvitation({ db }, token)).toEqual({ ok: false, code: "ALREADY_USED" });
    const event = await db.auditEvent.findFirstOrThrow({ where: { orgId: row.orgId, action: "invitation.accept" } });
    expect(event).toMatchObject({ actorType: "user", actorId: user.id });
  });

  it("lets only one of two simultaneous submissions of a link through", async () => {
    const { token } = await invite();
    const results = await Promise.all([
      acceptInvitation({ db }, { token, password }),
      acceptInvitation({ db }, { token, password: "another long password" }),
    ]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok)).toEqual([{ ok: false, code: "ALREADY_USED" }]);
  });

  it("refuses expired, superseded and unknown links without changing the user", async () => {
    const { ctx, token, user } = await invite();
    const later = () => new Date(Date.now() + 73 * 3_600_000);
    expect(await acceptInvitation({ db, now: later }, { token, password })).toEqual({ ok: false, code: "EXPIRED" });
    const again = await createInvitation(ctx, { email: user.email });
    if (!again.ok) throw new Error(again.code);
    expect(await acceptInvitation({ db }, { token, password })).toEqual({ ok: false, code: "SUPERSEDED" });
    expect(await acceptInvitation({ db }, { token: "nope", password })).toEqual({ ok: false, code: "INVALID_TOKEN" });
    await expect(acceptInvitation({ db }, { token: again.token, password: "short" })).rejects.toThrow(ZodError);
    const row = await db.user.findUniqueOrThrow({ where: { id: user.id } });
    expect(row).toMatchObject({ status: "invited", passwordHash: null });
  });
});
