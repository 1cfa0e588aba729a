import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ensureAdminToken } from "./ensure-admin-token.ts";
import { mintApiKey } from "./mint-api-key.ts";
import { revokeApiKey } from "./revoke-api-key.ts";
import { createTestTenant, testKeyPepper } from "./testing/create-test-tenant.ts";
import { verifyApiKey } from "./verify-api-key.ts";
import { verifyAuditChain } from "./verify-audit-chain.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("ensureAdminToken", () => {
  it("registers the token as an admin key once, storing only its hash", async () => {
    const { ctx } = await createTestTenant(db);
    const { token, publicId } = mintApiKey();
    const input = { keyPepper: testKeyPepper, orgId: ctx.orgId, token };
    expect(await ensureAdminToken(db, input)).toEqual({ created: true });
    expect(await ensureAdminToken(db, input)).toEqual({ created: false });

    const keys = await db.apiKey.findMany({ where: { publicId } });
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ name: "bootstrap admin token", scope: "admin", teamId: null, orgId: ctx.orgId });
    const [raw] = await db.$queryRaw<{ row: string }[]>`
      SELECT row_to_json(k)::text AS row FROM api_keys k WHERE public_id = ${publicId}`;
    expect(raw?.row).not.toContain(token.slice(-43));
    expect(await verifyApiKey({ db, keyPepper: testKeyPepper }, token)).toMatchObject({
      ok: true,
      key: { scope: "admin" },
    });
    expect(await db.auditEvent.count({ where: { orgId: ctx.orgId, action: "api_key.create" } })).toBe(1);
    expect(await verifyAuditChain(db, ctx.orgId)).toMatchObject({ ok: true });
  });

  it("leaves a revoked registration revoked", async () => {
    const { ctx } = await createTestTenant(db);
    const { token, publicId } = mintApiKey();
    await ensureAdminToken(db, { keyPepper: testKeyPepper, orgId: ctx.orgId, token });
    const key = await db.apiKey.findUniqueOrThrow({ where: { publicId } });
    await revokeApiKey(ctx, { keyId: key.id });
    expect(await ensureAdminToken(db, { keyPepper: testKeyPepper, orgId: ctx.orgId, token })).toEqual({
      created: false,
    });
    expect(await verifyApiKey({ db, keyPepper: testKeyPepper }, token)).toEqual({ ok: false, code: "REVOKED" });
  });

  it("throws when the public id is taken by a different key, or the token is malformed", async () => {
    const { ctx } = await createTestTenant(db);
    const { token } = mintApiKey();
    await ensureAdminToken(db, { keyPepper: testKeyPepper, orgId: ctx.orgId, token });
    const impostor = `${token.slice(0, -43)}${"Z".repeat(43)}`;
    await expect(ensureAdminToken(db, { keyPepper: testKeyPepper, orgId: ctx.orgId, token: impostor })).rejects.toThrow(
      /different key with public id/,
    );
    await expect(ensureAdminToken(db, { keyPepper: testKeyPepper, orgId: ctx.orgId, token: "secret" })).rejects.toThrow(
      /PERIMETER_ADMIN_TOKEN is not a Perimeter key/,
    );
  });

  it("registers once when several processes race", async () => {
    const { ctx } = await createTestTenant(db);
    const { token, publicId } = mintApiKey();
    const input = { keyPepper: testKeyPepper, orgId: ctx.orgId, token };
    const results = await Promise.all([ensureAdminToken(db, input), ensureAdminToken(db, input)]);
    expect(results.filter((r) => r.created)).toHaveLength(1);
    expect(await db.apiKey.count({ where: { publicId } })).toBe(1);
  });
});
