import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createApiKey } from "./create-api-key.ts";
import { hashApiKey } from "./hash-api-key.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant, testKeyPepper } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("createApiKey", () => {
  it("returns the token once and stores only its HMAC and last four characters", async () => {
    const { ctx, admin } = await createTestTenant(db);
    const { team, developer } = await createTestTeam(ctx);
    const result = await createApiKey(ctx, { teamId: team.id, name: "laptop", ownerUserId: developer.id });
    if (!result.ok) throw new Error(result.code);
    const { key, secret } = result;
    expect(secret).toMatch(new RegExp(`^sk-prm-${key.publicId}-[A-Za-z0-9_-]{43}$`));
    const secretPart = secret.slice(-43);
    expect(key).toMatchObject({
      teamId: team.id,
      ownerUserId: developer.id,
      createdByUserId: admin.id,
      scope: "inference",
      last4: secret.slice(-4),
      revokedAt: null,
      expiresAt: null,
    });
    expect(key).not.toHaveProperty("hash");

    // Every column of the raw row, as text: neither the token nor its secret part is in any of them.
    const rows = await db.$queryRaw<{ row: string; hash: string }[]>`
      SELECT row_to_json(k)::text AS row, k.hash FROM api_keys k WHERE k.id = ${key.id}`;
    expect(rows).toHaveLength(1);
    expect(rows[0]?.row).not.toContain(secret);
    expect(rows[0]?.row).not.toContain(secretPart);
    expect(rows[0]?.hash).toBe(hashApiKey(testKeyPepper, secret));

    // The audit trail mentions the key but holds neither the secret nor the hash.
    const events = await db.$queryRaw<{ row: string }[]>`
      SELECT row_to_json(a)::text AS row FROM audit_events a WHERE a.org_id = ${ctx.orgId}`;
    const trail = events.map((e) => e.row).join("\n");
    expect(trail).toContain(key.id);
    expect(trail).toContain('"api_key.create"');
    expect(trail).not.toContain(secretPart);
    expect(trail).not.toContain(rows[0]?.hash);
  });

  it("creates team service keys (no owner) and organization-wide admin keys", async () => {
    const { ctx } = await createTestTenant(db);
    const { team } = await createTestTeam(ctx);
    const service = await createApiKey(ctx, { teamId: team.id, name: "ci" });
    expect(service.ok && service.key.ownerUserId).toBeNull();
    const admin = await createApiKey(ctx, { name: "terraform", scope: "admin" });
    expect(admin.ok && admin.key).toMatchObject({ scope: "admin", teamId: null });
  });

  it("requires an inference key's owner to be a member of its team", async () => {
    const { ctx, admin } = await createTestTenant(db);
    const { team } = await createTestTeam(ctx);
    expect(await createApiKey(ctx, { teamId: team.id, name: "x", ownerUserId: admin.id })).toEqual({
      ok: false,
      code: "OWNER_NOT_MEMBER",
    });
  });

  it("treats a team or owner of another organization as NOT_FOUND", async () => {
    const mine = await createTestTenant(db);
    const theirs = await createTestTenant(db);
    const theirTeam = await createTestTeam(theirs.ctx);
    const myTeam = await createTestTeam(mine.ctx);
    expect(await createApiKey(mine.ctx, { teamId: theirTeam.team.id, name: "x" })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "team",
    });
    expect(
      await createApiKey(mine.ctx, { teamId: myTeam.team.id, name: "x", ownerUserId: theirTeam.developer.id }),
    ).toEqual({ ok: false, code: "NOT_FOUND", entity: "user" });
    expect(await db.apiKey.count({ where: { orgId: mine.ctx.orgId } })).toBe(0);
  });

  it("refuses an expiry in the past and accepts ISO strings", async () => {
    const { ctx } = await createTestTenant(db);
    const { team } = await createTestTeam(ctx);
    expect(await createApiKey(ctx, { teamId: team.id, name: "x", expiresAt: new Date(Date.now() - 1000) })).toEqual({
      ok: false,
      code: "EXPIRY_IN_PAST",
    });
    const future = new Date(Date.now() + 86_400_000);
    const result = await createApiKey(ctx, { teamId: team.id, name: "x", expiresAt: future.toISOString() });
    expect(result.ok && result.key.expiresAt).toEqual(future);
  });

  it("throws on invalid input: inference key without team, admin key with team, empty name", async () => {
    const { ctx } = await createTestTenant(db);
    const { team } = await createTestTeam(ctx);
    await expect(createApiKey(ctx, { name: "x" })).rejects.toThrow(/inference keys belong to a team/);
    await expect(createApiKey(ctx, { name: "x", scope: "admin", teamId: team.id })).rejects.toThrow(ZodError);
    await expect(createApiKey(ctx, { name: " ", teamId: team.id })).rejects.toThrow(ZodError);
    await expect(createApiKey(ctx, { name: "x", teamId: team.id, expiresAt: "tomorrow" })).rejects.toThrow(ZodError);
  });
});
