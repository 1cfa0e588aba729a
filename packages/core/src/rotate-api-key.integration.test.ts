import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createApiKey } from "./create-api-key.ts";
import { revokeApiKey } from "./revoke-api-key.ts";
import { rotateApiKey } from "./rotate-api-key.ts";
import { setLimits } from "./set-limits.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant, testKeyPepper } from "./testing/create-test-tenant.ts";
import { verifyApiKey } from "./verify-api-key.ts";
import { verifyAuditChain } from "./verify-audit-chain.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

async function issueKey(expiresAt?: Date) {
  const tenant = await createTestTenant(db);
  const { team, developer } = await createTestTeam(tenant.ctx);
  const result = await createApiKey(tenant.ctx, {
    teamId: team.id,
    name: "laptop",
    ownerUserId: developer.id,
    expiresAt,
  });
  if (!result.ok) throw new Error(result.code);
  return { ...tenant, key: result.key, secret: result.secret };
}

const at = (base: Date, seconds: number) => new Date(base.getTime() + seconds * 1000);

describe("rotateApiKey", () => {
  it("with no grace: the old key stops verifying at once, the new one verifies", async () => {
    const { ctx, key, secret } = await issueKey();
    const result = await rotateApiKey(ctx, { keyId: key.id });
    if (!result.ok) throw new Error(result.code);
    expect(result.secret).not.toBe(secret);
    expect(result.key).toMatchObject({
      teamId: key.teamId,
      ownerUserId: key.ownerUserId,
      scope: key.scope,
      name: key.name,
      revokedAt: null,
    });
    expect(result.key.id).not.toBe(key.id);
    expect(result.previous).toMatchObject({ id: key.id, replacedById: result.key.id, revokedReason: "rotated" });

    const deps = { db, keyPepper: testKeyPepper };
    expect(await verifyApiKey(deps, secret)).toEqual({ ok: false, code: "REVOKED" });
    expect(await verifyApiKey(deps, result.secret)).toMatchObject({ ok: true, key: { id: result.key.id } });
    expect(await verifyAuditChain(db, ctx.orgId)).toMatchObject({ ok: true });
    const actions = await db.auditEvent.findMany({ where: { orgId: ctx.orgId }, orderBy: { seq: "desc" }, take: 2 });
    expect(actions.map((e) => [e.action, e.targetId])).toEqual([
      ["api_key.rotate", key.id],
      ["api_key.create", result.key.id],
    ]);
  });

  it("with a grace period: the old key verifies until the period ends, the new one from the start", async () => {
    const { ctx, key, secret } = await issueKey();
    const now = new Date();
    const result = await rotateApiKey({ ...ctx, now: () => now }, { keyId: key.id, gracePeriodSec: 3600 });
    if (!result.ok) throw new Error(result.code);
    expect(result.previous).toMatchObject({ revokedAt: null, expiresAt: at(now, 3600) });
    const verifyAt = (seconds: number, token: string) =>
      verifyApiKey({ db, keyPepper: testKeyPepper, now: () => at(now, seconds) }, token);
    expect((await verifyAt(0, secret)).ok).toBe(true);
    expect((await verifyAt(3599, secret)).ok).toBe(true);
    expect(await verifyAt(3600, secret)).toEqual({ ok: false, code: "EXPIRED" });
    expect((await verifyAt(0, result.secret)).ok).toBe(true);
    expect((await verifyAt(7200, result.secret)).ok).toBe(true);
  });

  it("keeps an earlier expiry than the grace end, and gives the successor the old key's lifetime", async () => {
    const now = new Date();
    const { ctx, key } = await issueKey(at(now, 600));
    const lifetimeMs = (key.expiresAt?.getTime() ?? 0) - key.createdAt.getTime();
    const rotatedAt = at(now, 60);
    const result = await rotateApiKey({ ...ctx, now: () => rotatedAt }, { keyId: key.id, gracePeriodSec: 3600 });
    if (!result.ok) throw new Error(result.code);
    expect(result.previous.expiresAt).toEqual(at(now, 600));
    expect(result.key.expiresAt?.getTime()).toBe(rotatedAt.getTime() + lifetimeMs);
  });

  it("copies the key's own limits to the successor", async () => {
    const { ctx, key } = await issueKey();
    expect(
      (await setLimits(ctx, { target: { type: "key", apiKeyId: key.id }, limits: { requestsPerMinute: 7 } })).ok,
    ).toBe(true);
    const result = await rotateApiKey(ctx, { keyId: key.id, gracePeriodSec: 60 });
    if (!result.ok) throw new Error(result.code);
    const copied = await db.limitPolicy.findUniqueOrThrow({ where: { apiKeyId: result.key.id } });
    expect(copied).toMatchObject({ scope: "key", requestsPerMinute: 7, orgId: ctx.orgId });
  });

  it("refuses revoked, expired, already rotated and foreign keys", async () => {
    const { ctx, key } = await issueKey();
    expect((await rotateApiKey(ctx, { keyId: key.id, gracePeriodSec: 60 })).ok).toBe(true);
    expect(await rotateApiKey(ctx, { keyId: key.id })).toEqual({ ok: false, code: "ALREADY_ROTATED" });

    const revoked = await issueKey();
    await revokeApiKey(revoked.ctx, { keyId: revoked.key.id });
    expect(await rotateApiKey(revoked.ctx, { keyId: revoked.key.id })).toEqual({ ok: false, code: "KEY_REVOKED" });

    const expiring = await issueKey(new Date(Date.now() + 1000));
    expect(
      await rotateApiKey({ ...expiring.ctx, now: () => new Date(Date.now() + 5000) }, { keyId: expiring.key.id }),
    ).toEqual({ ok: false, code: "KEY_EXPIRED" });

    expect(await rotateApiKey(ctx, { keyId: revoked.key.id })).toEqual({ ok: false, code: "NOT_FOUND" });
    // Refusals leave nothing behind: one key per tenant plus the single successor.
    expect(await db.apiKey.count({ where: { orgId: ctx.orgId } })).toBe(2);
    expect(await db.apiKey.count({ where: { orgId: expiring.ctx.orgId } })).toBe(1);
  });

  it("lets exactly one of two concurrent rotations win", async () => {
    const { ctx, key } = await issueKey();
    const results = await Promise.all([rotateApiKey(ctx, { keyId: key.id }), rotateApiKey(ctx, { keyId: key.id })]);
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(await db.apiKey.count({ where: { orgId: ctx.orgId } })).toBe(2);
  });

  it("throws on a grace period out of range", async () => {
    const { ctx, key } = await issueKey();
    await expect(rotateApiKey(ctx, { keyId: key.id, gracePeriodSec: 86_401 })).rejects.toThrow(ZodError);
    await expect(rotateApiKey(ctx, { keyId: key.id, gracePeriodSec: -1 })).rejects.toThrow(ZodError);
    await expect(rotateApiKey(ctx, { keyId: key.id, gracePeriodSec: 1.5 })).rejects.toThrow(ZodError);
  });
});
