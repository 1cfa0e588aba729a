import { createDb, newId } from "@perimeter/db";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { ZodError } from "zod";
import { createApiKey } from "./create-api-key.ts";
import { setLimits } from "./set-limits.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const databaseUrl = inject("databaseUrl");
const db = createDb(databaseUrl);
afterAll(() => db.$disconnect());

describe("setLimits", () => {
  it("creates the organization policy, then updates the same row on the next call", async () => {
    const { ctx } = await createTestTenant(db);
    const first = await setLimits(ctx, {
      target: { type: "org" },
      limits: { requestsPerMinute: 600, totalTokensPerMonth: 9_000_000_000, allowedModels: ["umans-coder-v0"] },
    });
    if (!first.ok) throw new Error(first.code);
    expect(first.created).toBe(true);
    expect(first.policy).toMatchObject({ scope: "org", teamId: null, requestsPerMinute: 600 });

    const second = await setLimits(ctx, { target: { type: "org" }, limits: { requestsPerMinute: 60 } });
    if (!second.ok) throw new Error(second.code);
    expect(second).toMatchObject({ created: false, policy: { id: first.policy.id, requestsPerMinute: 60 } });
    // Limits not named in the second call are left as they were.
    expect(second.policy).toMatchObject({ totalTokensPerMonth: 9_000_000_000, allowedModels: ["umans-coder-v0"] });
    expect(await db.limitPolicy.count({ where: { orgId: ctx.orgId } })).toBe(1);

    // The budget above 2^31 is stored exactly in the bigint column.
    const [raw] = await db.$queryRaw<{ total: string }[]>`
      SELECT total_tokens_per_month::text AS total FROM limit_policies WHERE id = ${first.policy.id}`;
    expect(raw?.total).toBe("9000000000");
  });

  it("clears a limit with null and resets models and thinking to their defaults", async () => {
    const { ctx } = await createTestTenant(db);
    const { team } = await createTestTeam(ctx);
    const target = { type: "team" as const, teamId: team.id };
    await setLimits(ctx, {
      target,
      limits: { outputTokensPerDay: 1000, allowedModels: ["a", "b", "a"], thinkingPolicy: "force_off" },
    });
    const row = await db.limitPolicy.findUniqueOrThrow({ where: { teamId: team.id } });
    expect(row).toMatchObject({
      scope: "team",
      outputTokensPerDay: 1000n,
      allowedModels: ["a", "b"],
      thinkingPolicy: "force_off",
    });
    const cleared = await setLimits(ctx, {
      target,
      limits: { outputTokensPerDay: null, allowedModels: null, thinkingPolicy: null },
    });
    expect(cleared.ok && cleared.policy).toMatchObject({
      outputTokensPerDay: null,
      allowedModels: [],
      thinkingPolicy: "client",
    });
  });

  it("keeps one policy per target even when first writes race", async () => {
    const { ctx } = await createTestTenant(db);
    const { team } = await createTestTeam(ctx);
    const results = await Promise.all(
      [1, 2, 3, 4].map((n) =>
        setLimits(ctx, { target: { type: "team", teamId: team.id }, limits: { maxTokensCap: n } }),
      ),
    );
    expect(results.every((r) => r.ok)).toBe(true);
    expect(results.filter((r) => r.ok && r.created)).toHaveLength(1);
    expect(await db.limitPolicy.count({ where: { teamId: team.id } })).toBe(1);
  });

  it("attaches member and key policies to exactly their target and audits limits.set with before/after", async () => {
    const { ctx } = await createTestTenant(db);
    const { team, member } = await createTestTeam(ctx);
    const key = await createApiKey(ctx, { teamId: team.id, name: "k" });
    if (!key.ok) throw new Error(key.code);
    const forMember = await setLimits(ctx, {
      target: { type: "member", memberId: member.id },
      limits: { maxConcurrentRequests: 2 },
    });
    const forKey = await setLimits(ctx, {
      target: { type: "key", apiKeyId: key.key.id },
      limits: { requestsPerMinute: 5 },
    });
    expect(forMember.ok && forMember.policy).toMatchObject({
      scope: "member",
      memberId: member.id,
      teamId: null,
      apiKeyId: null,
    });
    expect(forKey.ok && forKey.policy).toMatchObject({
      scope: "key",
      apiKeyId: key.key.id,
      teamId: null,
      memberId: null,
    });

    await setLimits(ctx, { target: { type: "key", apiKeyId: key.key.id }, limits: { requestsPerMinute: 6 } });
    const events = await db.auditEvent.findMany({
      where: { orgId: ctx.orgId, action: "limits.set" },
      orderBy: { seq: "asc" },
    });
    expect(events).toHaveLength(3);
    expect(events.every((e) => e.teamId === team.id)).toBe(true);
    expect(events[1]).toMatchObject({ before: null, after: { requestsPerMinute: 5 } });
    expect(events[2]).toMatchObject({ before: { requestsPerMinute: 5 }, after: { requestsPerMinute: 6 } });
  });

  it("treats a team, member or key of another organization as NOT_FOUND and writes nothing", async () => {
    const mine = await createTestTenant(db);
    const theirs = await createTestTenant(db);
    const { team, member } = await createTestTeam(theirs.ctx);
    const key = await createApiKey(theirs.ctx, { teamId: team.id, name: "k" });
    if (!key.ok) throw new Error(key.code);
    const limits = { requestsPerMinute: 1 };
    expect(await setLimits(mine.ctx, { target: { type: "team", teamId: team.id }, limits })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "team",
    });
    expect(await setLimits(mine.ctx, { target: { type: "member", memberId: member.id }, limits })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "member",
    });
    expect(await setLimits(mine.ctx, { target: { type: "key", apiKeyId: key.key.id }, limits })).toEqual({
      ok: false,
      code: "NOT_FOUND",
      entity: "api_key",
    });
    expect(await db.limitPolicy.count({ where: { orgId: { in: [mine.ctx.orgId, theirs.ctx.orgId] } } })).toBe(0);
  });

  it.each([
    ["a negative limit", { requestsPerMinute: -1 }],
    ["a fraction", { inputTokensPerDay: 1.5 }],
    ["a rate beyond int4", { requestsPerMinute: 2 ** 31 }],
    ["a budget beyond 2^53", { totalTokensPerMonth: 2 ** 53 }],
    ["a numeric string", { requestsPerMinute: "10" }],
    ["an unknown thinking policy", { thinkingPolicy: "always" }],
    ["a non-string model", { allowedModels: ["ok", 3] }],
    ["an empty model name", { allowedModels: [" "] }],
    ["an unknown limit", { requestsPerHour: 10 }],
  ])("throws on %s", async (_case, limits) => {
    const { ctx } = await createTestTenant(db);
    await expect(setLimits(ctx, { target: { type: "org" }, limits: limits as never })).rejects.toThrow(ZodError);
    expect(await db.limitPolicy.count({ where: { orgId: ctx.orgId } })).toBe(0);
  });

  it("throws on a malformed target", async () => {
    const { ctx } = await createTestTenant(db);
    for (const target of [{ type: "team" }, { type: "project", id: "x" }, { type: "org", teamId: "t" }]) {
      await expect(setLimits(ctx, { target: target as never, limits: {} })).rejects.toThrow(ZodError);
    }
  });

  it("is backed by the database: a policy whose scope does not match its target is refused", async () => {
    const { ctx } = await createTestTenant(db);
    const { team } = await createTestTeam(ctx);
    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    try {
      const insert = (scope: string, teamId: string | null) =>
        client.query(
          `INSERT INTO limit_policies (id, org_id, scope, team_id, updated_at) VALUES ($1, $2, $3::limit_scope, $4, now())`,
          [newId("limitPolicy"), ctx.orgId, scope, teamId],
        );
      await expect(insert("team", null)).rejects.toThrow(/limit_policies_target_check/);
      await expect(insert("org", team.id)).rejects.toThrow(/limit_policies_target_check/);
      await insert("org", null);
      await expect(insert("org", null)).rejects.toThrow(/limit_policies_one_org_policy/);
    } finally {
      await client.end();
    }
  });
});
