import { createDb, type Db } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApiKey } from "./create-api-key.ts";
import { revokeApiKey } from "./revoke-api-key.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant, testKeyPepper } from "./testing/create-test-tenant.ts";
import { verifyApiKey } from "./verify-api-key.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());
const deps = { db, keyPepper: testKeyPepper };

async function issueKey(expiresAt?: Date) {
  const { ctx } = await createTestTenant(db);
  const { team, developer } = await createTestTeam(ctx);
  const result = await createApiKey(ctx, { teamId: team.id, name: "k", ownerUserId: developer.id, expiresAt });
  if (!result.ok) throw new Error(result.code);
  return { ctx, ...result };
}

describe("verifyApiKey", () => {
  it("accepts a good key and returns its view", async () => {
    const { key, secret } = await issueKey();
    const result = await verifyApiKey(deps, secret);
    expect(result).toEqual({ ok: true, key });
    expect(result.ok && result.key).not.toHaveProperty("hash");
  });

  it("returns INVALID for a tampered secret and NOT_FOUND for an unknown public id", async () => {
    const { secret } = await issueKey();
    const last = secret.at(-1) === "A" ? "B" : "A";
    expect(await verifyApiKey(deps, `${secret.slice(0, -1)}${last}`)).toEqual({ ok: false, code: "INVALID" });
    const otherId = `sk-prm-${"0".repeat(12)}-${secret.slice(-43)}`;
    expect(await verifyApiKey(deps, otherId)).toEqual({ ok: false, code: "NOT_FOUND" });
  });

  it("returns INVALID under another pepper (a changed PERIMETER_SECRET invalidates keys)", async () => {
    const { secret } = await issueKey();
    const otherPepper = new Uint8Array(32).fill(7);
    expect(await verifyApiKey({ db, keyPepper: otherPepper }, secret)).toEqual({ ok: false, code: "INVALID" });
  });

  it("rejects a revoked key", async () => {
    const { ctx, key, secret } = await issueKey();
    expect((await revokeApiKey(ctx, { keyId: key.id })).ok).toBe(true);
    expect(await verifyApiKey(deps, secret)).toEqual({ ok: false, code: "REVOKED" });
  });

  it("rejects an expired key from its expiry instant on", async () => {
    const expiresAt = new Date(Date.now() + 3_600_000);
    const { secret } = await issueKey(expiresAt);
    expect((await verifyApiKey({ ...deps, now: () => new Date(expiresAt.getTime() - 1) }, secret)).ok).toBe(true);
    expect(await verifyApiKey({ ...deps, now: () => expiresAt }, secret)).toEqual({ ok: false, code: "EXPIRED" });
    expect(await verifyApiKey({ ...deps, now: () => new Date(expiresAt.getTime() + 1) }, secret)).toEqual({
      ok: false,
      code: "EXPIRED",
    });
  });

  it("rejects malformed tokens without touching the database", async () => {
    const untouchable = new Proxy({} as Db, {
      get(_target, property) {
        throw new Error(`database touched: ${String(property)}`);
      },
    });
    const { secret } = await issueKey();
    // The trap is live: a well-formed token does reach the database.
    await expect(verifyApiKey({ db: untouchable, keyPepper: testKeyPepper }, secret)).rejects.toThrow(
      /database touched/,
    );
    for (const token of ["", "sk-prm-", `${secret}x`, secret.replace("sk-prm-", "sk-ant-"), secret.toUpperCase()]) {
      expect(await verifyApiKey({ db: untouchable, keyPepper: testKeyPepper }, token)).toEqual({
        ok: false,
        code: "MALFORMED",
      });
    }
  });
});
