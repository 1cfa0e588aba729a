import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { createApiKey } from "./create-api-key.ts";
import { getEffectiveLimits } from "./get-effective-limits.ts";
import { setLimits } from "./set-limits.ts";
import { createTestTeam } from "./testing/create-test-team.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

describe("getEffectiveLimits", () => {
  it("stacks org, team, the owner's membership and the key for a key", async () => {
    const { ctx } = await createTestTenant(db);
    const { team, member, developer } = await createTestTeam(ctx);
    const key = await createApiKey(ctx, { teamId: team.id, name: "k", ownerUserId: developer.id });
    if (!key.ok) throw new Error(key.code);
    await setLimits(ctx, { target: { type: "org" }, limits: { requestsPerMinute: 100 } });
    await setLimits(ctx, { target: { type: "team", teamId: team.id }, limits: { requestsPerMinute: 50 } });
    await setLimits(ctx, { target: { type: "member", memberId: member.id }, limits: { requestsPerMinute: 20 } });
    await setLimits(ctx, { target: { type: "key", apiKeyId: key.key.id }, limits: { requestsPerMinute: 30 } });
    const result = await getEffectiveLimits(db, ctx.orgId, { type: "key", apiKeyId: key.key.id });
    if (!result.ok) throw new Error(result.code);
    expect(result.levels.map((l) => l.level)).toEqual(["org", "team", "member", "key"]);
    expect(result.effective.numbers.requestsPerMinute).toMatchObject({ value: 20, level: "member" });
    const forTeam = await getEffectiveLimits(db, ctx.orgId, { type: "team", teamId: team.id });
    expect(forTeam.ok && forTeam.effective.numbers.requestsPerMinute).toMatchObject({ value: 50, level: "team" });
  });

  it("is NOT_FOUND for a target of another organization", async () => {
    const mine = await createTestTenant(db);
    const theirs = await createTestTenant(db);
    const { team, member } = await createTestTeam(theirs.ctx);
    for (const target of [
      { type: "team", teamId: team.id },
      { type: "member", memberId: member.id },
      { type: "key", apiKeyId: "key_missing" },
    ] as const) {
      expect(await getEffectiveLimits(db, mine.ctx.orgId, target)).toEqual({ ok: false, code: "NOT_FOUND" });
    }
  });
});
