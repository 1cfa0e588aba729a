import { createDb, randomBase32 } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createUser } from "./create-user.ts";
import { verifyPassword } from "./password.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("createUser", () => {
  it("stores the email lower-cased and the password only as an argon2id hash, audited without it", async () => {
    const { ctx } = await createTestTenant(db);
    const password = `pw-${randomBase32(16)}`;
    const result = await createUser(ctx, { email: "  Dev.One@Example.COM ", name: "Dev One", password });
    if (!result.ok) throw new Error(result.code);
    expect(result.user).toMatchObject({ email: "dev.one@example.com", hasPassword: true, orgRole: null });
    expect(result.user).not.toHaveProperty("passwordHash");

    const row = await db.user.findUniqueOrThrow({ where: { id: result.user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain(password);
    expect(await verifyPassword(password, row.passwordHash ?? "")).toBe(true);

    const [event] = await db.$queryRaw<{ row: string }[]>`
      SELECT row_to_json(a)::text AS row FROM audit_events a WHERE target_id = ${result.user.id}`;
    expect(event?.row).toContain('"action":"user.create"');
    expect(event?.row).toContain(ctx.actor.type === "user" ? ctx.actor.id : "");
    expect(event?.row).not.toContain(row.passwordHash);
    expect(event?.row).not.toContain(password);
  });

  it("returns EMAIL_TAKEN whatever the case, but allows the same email in another organization", async () => {
    const { ctx } = await createTestTenant(db);
    const email = `dup-${randomBase32(8)}@example.test`;
    expect((await createUser(ctx, { email, name: "A", orgRole: "auditor" })).ok).toBe(true);
    expect(await createUser(ctx, { email: email.toUpperCase(), name: "B" })).toEqual({
      ok: false,
      code: "EMAIL_TAKEN",
    });
    const other = await createTestTenant(db);
    expect((await createUser(other.ctx, { email, name: "C" })).ok).toBe(true);
  });

  it("gives exactly one winner when two creations race for an email", async () => {
    const { ctx } = await createTestTenant(db);
    const email = `race-${randomBase32(8)}@example.test`;
    const results = await Promise.all([1, 2, 3].map((n) => createUser(ctx, { email, name: `U${n}` })));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await db.user.count({ where: { orgId: ctx.orgId, email } })).toBe(1);
  });

  it("throws on invalid input: bad email, short password, unknown role, unknown field", async () => {
    const { ctx } = await createTestTenant(db);
    await expect(createUser(ctx, { email: "not-an-email", name: "X" })).rejects.toThrow(ZodError);
    await expect(createUser(ctx, { email: "x@example.test", name: "X", password: "short-11chr" })).rejects.toThrow(
      ZodError,
    );
    await expect(createUser(ctx, { email: "x@example.test", name: "X", orgRole: "owner" as "admin" })).rejects.toThrow(
      ZodError,
    );
    await expect(createUser(ctx, { email: "x@example.test", name: "X", passwordHash: "x" } as never)).rejects.toThrow(
      ZodError,
    );
    expect(await db.user.count({ where: { orgId: ctx.orgId, email: "x@example.test" } })).toBe(0);
  });
});
