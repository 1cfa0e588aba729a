import { usageEventMessageSchema } from "@perimeter/core";
import { createDb, newId } from "@perimeter/db";
// The worker's own ingestion and rollup, so the dashboard reads exactly what production writes.
import { insertUsageEvents } from "@perimeter/worker/src/usage/insert-usage-events.ts";
import { rollUpUsage } from "@perimeter/worker/src/usage/roll-up-usage.ts";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createWebFixture, type Role, type WebFixture } from "../testing/web-fixture";
import { getUsage, listRequests, usageLabels } from "./usage";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

let fx: WebFixture;
const now = Date.now();
const window = { startingAt: new Date(now - 3 * 3_600_000).toISOString(), bucketWidth: "1h" as const };

// developerA's key: 3 requests (one a 429), team A's service key: 2, developerB's key: 4.
beforeAll(async () => {
  fx = await createWebFixture(db);
  const event = (keyId: string, teamId: string, userId: string | null, status: number, minutesAgo: number) =>
    usageEventMessageSchema.parse({
      requestId: newId("request"),
      orgId: fx.orgId,
      apiKeyId: keyId,
      teamId,
      userId,
      sessionId: `session-${keyId}`,
      model: "umans-coder-v0",
      inputTokens: 100,
      cacheReadInputTokens: 1_000,
      outputTokens: 10,
      latencyMs: 800,
      status,
      limitDecision: status === 429 ? "key.requests_per_minute" : "admitted",
      startedAt: new Date(now - minutesAgo * 60_000 - 800),
      eventTime: new Date(now - minutesAgo * 60_000),
    });
  const { keys, teams, users } = fx;
  await insertUsageEvents(db, [
    event(keys.developerA, teams.a, users.developerA, 200, 50),
    event(keys.developerA, teams.a, users.developerA, 200, 40),
    event(keys.developerA, teams.a, users.developerA, 429, 30),
    event(keys.serviceA, teams.a, null, 200, 20),
    event(keys.serviceA, teams.a, null, 500, 10),
    ...[1, 2, 3, 4].map((m) => event(keys.developerB, teams.b, users.developerB, 200, m)),
  ]);
  // Only this file writes usage in the web project's database, so nothing is in flight: no margin.
  await rollUpUsage(db, { safetyMarginMs: 0 });
});

async function requestsSeen(role: Role, filter: Record<string, unknown> = {}) {
  const result = await getUsage(fx.env, fx.principals[role], { ...window, ...filter });
  if (!result.ok) return result.code;
  return result.value.data.flatMap((bucket) => bucket.results).reduce((sum, row) => sum + row.requests, 0);
}

async function logSeen(role: Role, filter: Record<string, unknown> = {}) {
  const result = await listRequests(fx.env, fx.principals[role], filter);
  return result.ok ? result.value.data.length : result.code;
}

describe("usage: each role sees its share of the same traffic", () => {
  it("the organization for admins, auditors and API tokens; their own keys' for everyone else", async () => {
    const seen = async (role: Role) => [await requestsSeen(role), await logSeen(role)];
    expect(await seen("admin")).toEqual([9, 9]);
    expect(await seen("auditor")).toEqual([9, 9]);
    expect(await seen("apiToken")).toEqual([9, 9]);
    expect(await seen("teamAdminA")).toEqual([0, 0]);
    expect(await seen("developerA")).toEqual([3, 3]);
    expect(await seen("developerB")).toEqual([4, 4]);
  });

  it("a team: all of it for who runs it, one's own part of it for a developer, nothing for others", async () => {
    const teamA = async (role: Role) => [
      await requestsSeen(role, { teamIds: [fx.teams.a] }),
      await logSeen(role, { teamId: fx.teams.a }),
    ];
    expect(await teamA("auditor")).toEqual([5, 5]);
    expect(await teamA("teamAdminA")).toEqual([5, 5]);
    expect(await teamA("developerA")).toEqual([3, 3]);
    expect(await teamA("developerB")).toEqual(["NOT_FOUND", "NOT_FOUND"]);
    // A team admin sees a member's share within the team, not across the organization.
    expect(await requestsSeen("teamAdminA", { teamIds: [fx.teams.a], userIds: [fx.users.developerA] })).toBe(3);
    expect(await requestsSeen("teamAdminA", { userIds: [fx.users.developerA] })).toBe("NOT_FOUND");
    expect(await logSeen("teamAdminA", { apiKeyId: fx.keys.serviceA })).toBe(2);
    expect(await logSeen("developerA", { apiKeyId: fx.keys.serviceA })).toBe("NOT_FOUND");
  });

  it("groups and sums as the rollups say, errors and denials included", async () => {
    const result = await getUsage(fx.env, fx.principals.auditor, { ...window, groupBy: ["api_key_id"] });
    if (!result.ok) throw new Error(result.message);
    const byKey = new Map<string, { requests: number; errors: number; denied: number; input: number }>();
    for (const row of result.value.data.flatMap((bucket) => bucket.results)) {
      const key = row.api_key_id ?? "-";
      const sum = byKey.get(key) ?? { requests: 0, errors: 0, denied: 0, input: 0 };
      byKey.set(key, {
        requests: sum.requests + row.requests,
        errors: sum.errors + row.errors,
        denied: sum.denied + row.denied_requests,
        input: sum.input + row.uncached_input_tokens,
      });
    }
    expect(byKey.get(fx.keys.developerA)).toEqual({ requests: 3, errors: 1, denied: 1, input: 300 });
    expect(byKey.get(fx.keys.serviceA)).toEqual({ requests: 2, errors: 1, denied: 0, input: 200 });
    const labels = await usageLabels(fx.env, fx.principals.auditor, {
      teamIds: [],
      apiKeyIds: byKey.keys(),
      userIds: [fx.users.developerB],
    });
    expect(labels.keys[fx.keys.developerA]).toMatch(/^key .+ …[0-9A-Za-z_-]{4}$/);
    expect(labels.users[fx.users.developerB]).toBe(fx.principals.developerB.email);
  });

  it("the request log filters by status and session and pages with a cursor", async () => {
    expect(await logSeen("auditor", { status: "error" })).toBe(2);
    expect(await logSeen("auditor", { status: 429 })).toBe(1);
    expect(await logSeen("auditor", { sessionId: `session-${fx.keys.developerB}` })).toBe(4);
    const first = await listRequests(fx.env, fx.principals.auditor, { limit: 5 });
    if (!first.ok || !first.value.nextCursor) throw new Error("expected a second page");
    const second = await listRequests(fx.env, fx.principals.auditor, { limit: 5, cursor: first.value.nextCursor });
    if (!second.ok) throw new Error(second.message);
    expect(second.value.data).toHaveLength(4);
    expect(second.value.hasMore).toBe(false);
    const ids = [...first.value.data, ...second.value.data].map((row) => row.requestId);
    expect(new Set(ids).size).toBe(9);
    expect(await logSeen("auditor", { cursor: "garbage" })).toBe("INVALID");
  });

  it("rejects a bad window with a message on the field", async () => {
    const inverted = await getUsage(fx.env, fx.principals.admin, {
      ...window,
      endingAt: new Date(now - 5 * 3_600_000).toISOString(),
    });
    expect(inverted).toMatchObject({ ok: false, code: "INVALID", fields: { endingAt: expect.any(String) } });
    const unknown = await getUsage(fx.env, fx.principals.admin, { ...window, bucketWidth: "1w" });
    expect(unknown).toMatchObject({ ok: false, code: "INVALID", fields: { bucketWidth: expect.any(String) } });
  });
});
