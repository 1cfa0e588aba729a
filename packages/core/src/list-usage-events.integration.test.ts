import { createDb, newId } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { listUsageEvents } from "./list-usage-events.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

async function seedEvents(orgId: string, count: number) {
  const base = Date.parse("2026-03-01T00:00:00Z");
  await db.usageEvent.createMany({
    data: Array.from({ length: count }, (_, i) => ({
      requestId: newId("request"),
      orgId,
      teamId: i % 2 === 0 ? "team_even" : "team_odd",
      sessionId: i % 5 === 0 ? "session-five" : null,
      model: "umans-coder-v0",
      status: i % 7 === 0 ? 429 : 200,
      // Pairs share a timestamp, so pages must break ties by id.
      startedAt: new Date(base + Math.floor(i / 2) * 1000 - 10),
      eventTime: new Date(base + Math.floor(i / 2) * 1000),
    })),
  });
}

describe("listUsageEvents", () => {
  it("pages newest first through every row exactly once, ties included", async () => {
    const { ctx } = await createTestTenant(db);
    await seedEvents(ctx.orgId, 45);
    const seen: string[] = [];
    let cursor: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const page = await listUsageEvents(ctx, { limit: 10, cursor });
      if (!page.ok) throw new Error(page.code);
      seen.push(...page.data.map((row) => row.requestId));
      const times = page.data.map((row) => row.eventTime.getTime());
      expect(times).toEqual([...times].sort((a, b) => b - a));
      if (!page.nextCursor) break;
      cursor = page.nextCursor;
    }
    expect(seen).toHaveLength(45);
    expect(new Set(seen).size).toBe(45);
  });

  it("filters by team, session, status class and time range", async () => {
    const { ctx } = await createTestTenant(db);
    await seedEvents(ctx.orgId, 30);
    const count = async (filter: Parameters<typeof listUsageEvents>[1]) => {
      const page = await listUsageEvents(ctx, { limit: 1000, ...filter });
      if (!page.ok) throw new Error(page.code);
      return page.data.length;
    };
    expect(await count({ teamId: "team_even" })).toBe(15);
    expect(await count({ sessionId: "session-five" })).toBe(6);
    expect(await count({ status: "4xx" })).toBe(5);
    expect(await count({ status: 200 })).toBe(25);
    expect(await count({ startingAt: "2026-03-01T00:00:05Z", endingAt: "2026-03-01T00:00:10Z" })).toBe(10);
    expect(await listUsageEvents(ctx, { cursor: "not-a-cursor" })).toEqual({ ok: false, code: "INVALID_CURSOR" });
  });
});
