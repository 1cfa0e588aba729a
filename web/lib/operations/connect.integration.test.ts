import { loadKeyPrincipal } from "@perimeter/core";
import { createDb } from "@perimeter/db";
// The gateway's own admission: the counters Connect reads are the ones these write.
import { planLimits } from "@perimeter/gateway/src/limits/limit-plan.ts";
import { Limiter } from "@perimeter/gateway/src/limits/limiter.ts";
import { closedPort } from "@perimeter/runtime/testing";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createWebFixture } from "../testing/web-fixture";
import { getConnectInfo, testConnection } from "./connect";
import { setLimitsAs } from "./limits";

const db = createDb(inject("databaseUrl"));
const redis = new Redis(inject("redisUrl"));
afterAll(async () => {
  redis.disconnect();
  await db.$disconnect();
});

describe("Connect", () => {
  it("tests only the principal's own keys, and reports an unreachable gateway as a failed test", async () => {
    const fx = await createWebFixture(db);
    const gateway = `http://127.0.0.1:${await closedPort()}`;
    const other = await testConnection(fx.env, fx.principals.developerB, { key: fx.secrets.developerA }, gateway);
    expect(other).toMatchObject({ ok: false, code: "INVALID", fields: { key: "this is not one of your keys" } });
    const junk = await testConnection(fx.env, fx.principals.developerA, { key: "sk-ant-nope" }, gateway);
    expect(junk).toMatchObject({ ok: false, fields: { key: "this is not a Perimeter key (sk-prm-…)" } });
    const token = await testConnection(fx.env, fx.principals.apiToken, { key: fx.secrets.developerA }, gateway);
    expect(token).toMatchObject({ ok: false, code: "FORBIDDEN" });
    const own = await testConnection(fx.env, fx.principals.developerA, { key: fx.secrets.developerA }, gateway);
    expect(own).toMatchObject({ ok: true, value: { passed: false, errorType: "connection_error" } });
  });

  it("shows a developer their own keys and the limits that bind the newest one", async () => {
    const fx = await createWebFixture(db);
    const info = await getConnectInfo(fx.env, fx.principals.developerA);
    if (!info.ok) throw new Error(info.code);
    expect(info.value.teams.map((t) => t.teamId)).toEqual([fx.teams.a]);
    expect(info.value.keys.map((k) => k.id)).toEqual([fx.keys.developerA]);
    expect(info.value.quota).toMatchObject({ keyId: fx.keys.developerA, levels: ["org", "team", "member", "key"] });
  });

  it("shows what is left of the newest key's budgets as the gateway counts it, requests in flight included", async () => {
    const fx = await createWebFixture(db);
    const admin = fx.principals.admin;
    const key = { type: "key", apiKeyId: fx.keys.developerA } as const;
    const team = { type: "team", teamId: fx.teams.a } as const;
    expect((await setLimitsAs(fx.env, admin, { target: key, limits: { totalTokensPerDay: 10_000 } })).ok).toBe(true);
    expect((await setLimitsAs(fx.env, admin, { target: team, limits: { outputTokensPerWeek: 500_000 } })).ok).toBe(
      true,
    );
    const env = { ...fx.env, redis };
    const before = await getConnectInfo(env, fx.principals.developerA);
    expect(before.ok && before.value.quota?.remaining).toMatchObject([
      { name: "key.total_tokens_per_day", used: 0, remaining: 10_000 },
      { name: "team.output_tokens_per_week", used: 0, remaining: 500_000 },
    ]);

    const publicId = (await db.apiKey.findUniqueOrThrow({ where: { id: fx.keys.developerA } })).publicId;
    const principal = await loadKeyPrincipal(db, publicId);
    if (!principal?.teamId) throw new Error("the fixture key has no team");
    const limiter = new Limiter(redis, { leaseTtlMs: 30_000 });
    const plan = planLimits(
      { ...principal, teamId: principal.teamId },
      { inputTokens: 2_400, outputTokens: 600 },
      Date.now(),
    );
    try {
      expect((await limiter.admit(plan)).outcome).toBe("admitted");
      // Admitted, not finished: the reservation already counts.
      const during = await getConnectInfo(env, fx.principals.developerA);
      expect(during.ok && during.value.quota?.remaining).toMatchObject([
        { name: "key.total_tokens_per_day", used: 3_000, remaining: 7_000, resetsAt: expect.any(Date) },
        { name: "team.output_tokens_per_week", used: 600, remaining: 499_400 },
      ]);
    } finally {
      await limiter.close();
      await redis.del(...plan.map((limit) => limit.key));
    }
    // Without Redis the page says so rather than failing.
    const broken = new Redis("redis://127.0.0.1:1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      enableOfflineQueue: false,
    });
    const offline = await getConnectInfo({ ...fx.env, redis: broken }, fx.principals.developerA);
    expect(offline.ok && offline.value.quota?.remaining).toBe("unavailable");
    broken.disconnect();
  });
});
