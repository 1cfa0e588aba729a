import { scryptSync } from "node:crypto";
import { createUser, updateUser } from "@perimeter/core";
import { createDb, randomBase32 } from "@perimeter/db";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createWebFixture, testKeyPepper, type WebFixture } from "../testing/web-fixture";
import { loadUserPrincipal } from "./load-principal";
import type { LoginThrottleConfig } from "./login-throttle";
import { signInWithPassword } from "./password-sign-in";

const db = createDb(inject("databaseUrl"));
const redis = new Redis(inject("redisUrl"));
// Redis is shared with other test runs on this machine: every key of this file sits under its own prefix.
const prefix = `perimeter-test:${randomBase32(10)}`;
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  await redis.quit();
  await db.$disconnect();
});

let counter = 0;
function throttle(overrides: Partial<LoginThrottleConfig> = {}): LoginThrottleConfig {
  counter += 1;
  return {
    keyPrefix: `${prefix}:${counter}`,
    windowSec: 600,
    maxFailuresPerAccount: 3,
    maxFailuresPerIp: 5,
    ...overrides,
  };
}
const password = "correct horse battery staple";

describe("signInWithPassword", () => {
  let fx: WebFixture;
  let email: string;
  let userId: string;
  beforeAll(async () => {
    fx = await createWebFixture(db);
    email = `login-${randomBase32(6)}@example.test`;
    const created = await createUser(
      { db, orgId: fx.orgId, actor: { type: "system", label: "test" }, keyPepper: testKeyPepper },
      { email, name: "Login", password },
    );
    if (!created.ok) throw new Error(created.code);
    userId = created.user.id;
  });
  const deps = (config: LoginThrottleConfig) => ({ db, redis, keyPepper: testKeyPepper, throttle: config });

  it("accepts the right password case-insensitively on the email and records the sign-in", async () => {
    const result = await signInWithPassword(deps(throttle()), {
      email: email.toUpperCase(),
      password,
      ip: "192.0.2.1",
      userAgent: "ua",
    });
    expect(result).toEqual({ ok: true, userId });
    const row = await db.user.findUniqueOrThrow({ where: { id: userId } });
    expect(row.lastLoginAt).not.toBeNull();
    const event = await db.auditEvent.findFirstOrThrow({ where: { orgId: fx.orgId, action: "user.sign_in" } });
    expect(event).toMatchObject({
      actorId: userId,
      ip: "192.0.2.1",
      after: { method: "password", passwordRehashed: false },
    });
  });

  it("locks the account after repeated failures with the time to wait, even for the right password", async () => {
    const config = throttle();
    const attempt = (pw: string, ip = "192.0.2.2") => signInWithPassword(deps(config), { email, password: pw, ip });
    expect(await attempt("wrong 1")).toMatchObject({ ok: false, code: "INVALID_CREDENTIALS" });
    expect(await attempt("wrong 2")).toMatchObject({ ok: false, code: "INVALID_CREDENTIALS" });
    const third = await attempt("wrong 3");
    expect(third).toMatchObject({ ok: false, code: "RATE_LIMITED" });
    expect(third.ok || third.message).toMatch(/^Too many failed sign-in attempts\. Try again in 10 minutes\.$/);
    // From another address too: the lock is on the account.
    expect(await attempt(password, "192.0.2.99")).toMatchObject({ ok: false, code: "RATE_LIMITED" });
  });

  it("audits every failure on an existing account with its reason and address, never the password", async () => {
    const failEmail = `fails-${randomBase32(6)}@example.test`;
    const created = await createUser(
      { db, orgId: fx.orgId, actor: { type: "system", label: "test" }, keyPepper: testKeyPepper },
      { email: failEmail, name: "Fails", password },
    );
    if (!created.ok) throw new Error(created.code);
    const config = throttle({ maxFailuresPerAccount: 2 });
    const attempt = (pw: string) =>
      signInWithPassword(deps(config), { email: failEmail, password: pw, ip: "203.0.113.7", userAgent: "curl/8" });
    expect(await attempt("guess one")).toMatchObject({ code: "INVALID_CREDENTIALS" });
    expect(await attempt("guess two")).toMatchObject({ code: "RATE_LIMITED" });
    expect(await attempt(password)).toMatchObject({ code: "RATE_LIMITED" });
    // A stranger's email has no organization: nothing to audit, and nothing is written anywhere.
    await signInWithPassword(deps(throttle()), { email: "stranger@example.test", password, ip: "203.0.113.8" });
    expect(await db.auditEvent.count({ where: { ip: "203.0.113.8" } })).toBe(0);

    const events = await db.auditEvent.findMany({
      where: { orgId: fx.orgId, action: "user.sign_in_failed", targetId: created.user.id },
      orderBy: { seq: "asc" },
    });
    expect(events.map((e) => (e.after as { reason: string }).reason)).toEqual([
      "wrong_password",
      "wrong_password",
      "throttled",
    ]);
    expect(events[0]).toMatchObject({
      actorType: "system",
      actorLabel: "sign-in",
      targetType: "user",
      ip: "203.0.113.7",
      userAgent: "curl/8",
      after: { method: "password", reason: "wrong_password" },
    });
    expect(JSON.stringify(events.map((e) => [e.before, e.after]))).not.toContain("guess");
  });

  it("locks an address that sprays many accounts, but not other addresses", async () => {
    const config = throttle({ maxFailuresPerAccount: 100 });
    for (let n = 0; n < 5; n++) {
      await signInWithPassword(deps(config), { email: `nobody${n}@example.test`, password: "x", ip: "198.51.100.5" });
    }
    expect(await signInWithPassword(deps(config), { email, password, ip: "198.51.100.5" })).toMatchObject({
      code: "RATE_LIMITED",
    });
    expect(await signInWithPassword(deps(config), { email, password, ip: "198.51.100.6" })).toEqual({
      ok: true,
      userId,
    });
  });

  it("rehashes a scrypt hash of an earlier release to argon2id on success", async () => {
    const legacyEmail = `legacy-${randomBase32(6)}@example.test`;
    const created = await createUser(
      { db, orgId: fx.orgId, actor: { type: "system", label: "test" }, keyPepper: testKeyPepper },
      { email: legacyEmail, name: "Legacy" },
    );
    if (!created.ok) throw new Error(created.code);
    const key = scryptSync(password, "salt", 32, { N: 16, r: 1, p: 1 }).toString("base64");
    // Written directly: no verb produces scrypt hashes any more, this is what an older database holds.
    await db.user.update({
      where: { id: created.user.id },
      data: { passwordHash: `scrypt$16$1$1$${Buffer.from("salt").toString("base64")}$${key}` },
    });
    expect(await signInWithPassword(deps(throttle()), { email: legacyEmail, password, ip: "192.0.2.3" })).toMatchObject(
      {
        ok: true,
      },
    );
    const row = await db.user.findUniqueOrThrow({ where: { id: created.user.id } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(await signInWithPassword(deps(throttle()), { email: legacyEmail, password, ip: "192.0.2.3" })).toMatchObject(
      {
        ok: true,
      },
    );
  });

  it("refuses unknown, invited and disabled accounts; a disabled user's session ends at once", async () => {
    const config = throttle({ maxFailuresPerAccount: 100, maxFailuresPerIp: 100 });
    expect(
      await signInWithPassword(deps(config), { email: "ghost@example.test", password, ip: "192.0.2.4" }),
    ).toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
    const target = fx.principals.developerB;
    expect(await loadUserPrincipal(db, fx.users.developerB)).toMatchObject({ userId: fx.users.developerB });
    // developerB has no password (created for the fixture), so the right answer does not exist.
    expect(
      await signInWithPassword(deps(config), { email: target.email ?? "", password, ip: "192.0.2.4" }),
    ).toMatchObject({ code: "INVALID_CREDENTIALS" });
    const adminCtx = {
      db,
      orgId: fx.orgId,
      actor: fx.principals.admin.actor,
      keyPepper: testKeyPepper,
    };
    await updateUser(adminCtx, { userId, status: "disabled" });
    expect(await signInWithPassword(deps(config), { email, password: "wrong", ip: "192.0.2.4" })).toMatchObject({
      code: "INVALID_CREDENTIALS",
    });
    expect(await signInWithPassword(deps(config), { email, password, ip: "192.0.2.4" })).toMatchObject({
      code: "DISABLED",
    });
    expect(await loadUserPrincipal(db, userId)).toBeNull();
    await updateUser(adminCtx, { userId, status: "active" });
  });
});
