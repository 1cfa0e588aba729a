import { randomInt } from "node:crypto";
import { usageEventMessageSchema } from "@perimeter/core";
import { createDb, type Db, newId } from "@perimeter/db";
import type { ScratchDatabase } from "@perimeter/db/scratch-database";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createMigratedScratchDatabase,
  directAggregate,
  fakeUsageEvent,
  histogramsFromRaw,
  rollupHistograms,
  rollups,
  testOrgId,
} from "../test-usage-events.ts";
import { insertUsageEvents } from "./insert-usage-events.ts";
import { rollUpUsage } from "./roll-up-usage.ts";

const hourMs = 3_600_000;

/** Random events over the last `hours` hours for a few teams, keys, users and models. */
function randomEvents(orgId: string, count: number, hours: number) {
  const pick = <T>(values: readonly T[]): T => values[randomInt(values.length)] as T;
  return Array.from({ length: count }, () => {
    const streamed = randomInt(2) === 1;
    return usageEventMessageSchema.parse(
      fakeUsageEvent(orgId, {
        teamId: pick(["team_a", "team_b", null]),
        apiKeyId: pick(["key_a", "key_b", "key_c"]),
        userId: pick(["usr_a", "usr_b", null]),
        model: pick(["umans-coder-v0", "claude-sonnet-4-5"]),
        status: pick([200, 200, 200, 429, 500]),
        limitDecision: pick(["admitted", "admitted", "team.requests_per_minute", null]),
        inputTokens: randomInt(5000),
        cacheReadInputTokens: randomInt(50_000),
        outputTokens: randomInt(2000),
        reasoningTokens: randomInt(500),
        latencyMs: randomInt(20_000),
        stream: streamed,
        timeToFirstTokenMs: streamed ? randomInt(2000) : null,
        eventTime: new Date(Date.now() - randomInt(hours * hourMs)),
      }),
    );
  });
}

describe("usage rollups", () => {
  let scratch: ScratchDatabase;
  let db: Db;
  const roll = () => rollUpUsage(db, { safetyMarginMs: 0 });

  beforeAll(async () => {
    scratch = await createMigratedScratchDatabase();
    db = createDb(scratch.url, { maxConnections: 2 });
  });

  afterAll(async () => {
    await db.$disconnect();
    await scratch.drop();
  });

  it("equal a direct aggregate of the raw rows, hourly and daily, and a rerun changes nothing", async () => {
    const orgId = testOrgId();
    await insertUsageEvents(db, randomEvents(orgId, 3000, 60));
    const first = await roll();
    expect(first.dirtyHours).toBeGreaterThan(40);
    expect(await rollups(db, orgId, "hour")).toEqual(await directAggregate(db, orgId, "hour"));
    expect(await rollups(db, orgId, "day")).toEqual(await directAggregate(db, orgId, "day"));
    expect(await rollupHistograms(db, orgId, "hour")).toEqual(await histogramsFromRaw(db, orgId, "hour"));
    expect(await rollupHistograms(db, orgId, "day")).toEqual(await histogramsFromRaw(db, orgId, "day"));

    const before = await rollups(db, orgId, "hour");
    const rerun = await roll();
    expect(rerun.dirtyHours).toBe(0);
    expect(await rollups(db, orgId, "hour")).toEqual(before);
  });

  it("recompute an old bucket whole when a late event lands in it", async () => {
    const orgId = testOrgId();
    const threeDaysAgo = new Date(Date.now() - 72 * hourMs);
    await insertUsageEvents(db, [usageEventMessageSchema.parse(fakeUsageEvent(orgId, { eventTime: threeDaysAgo }))]);
    await roll();
    const [bucketBefore] = await rollups(db, orgId, "day");
    expect(bucketBefore).toMatchObject({ requests: "1", output_tokens: "20" });

    // Arrives days late (a gateway that buffered through an outage), in the same hour and group.
    const late = fakeUsageEvent(orgId, { eventTime: new Date(threeDaysAgo.getTime() + 1), outputTokens: 7 });
    await insertUsageEvents(db, [usageEventMessageSchema.parse(late)]);
    const run = await roll();
    expect(run.dirtyHours).toBe(1);
    expect(await rollups(db, orgId, "hour")).toEqual(await directAggregate(db, orgId, "hour"));
    expect(await rollups(db, orgId, "day")).toMatchObject([{ requests: "2", output_tokens: "27" }]);
  });

  it("leave an hour older than the raw retention as it was", async () => {
    const org = await db.organization.create({
      data: { id: newId("org"), name: "Retention", slug: `retention-${testOrgId()}`, usageRetentionDays: 1 },
    });
    const old = usageEventMessageSchema.parse(
      fakeUsageEvent(org.id, { eventTime: new Date(Date.now() - 96 * hourMs) }),
    );
    await insertUsageEvents(db, [old]);
    const run = await roll();
    expect(run.frozenHours).toBe(1);
    expect(await rollups(db, org.id, "hour")).toEqual([]);
  });

  it("work a backlog off in capped windows", async () => {
    const orgId = testOrgId();
    await insertUsageEvents(db, randomEvents(orgId, 10, 2));
    await new Promise((resolve) => setTimeout(resolve, 20));
    await insertUsageEvents(db, randomEvents(orgId, 10, 2));
    const capped = await rollUpUsage(db, { safetyMarginMs: 0, maxWindowMs: 5 });
    expect(capped.more).toBe(true);
    let guard = 0;
    while ((await rollUpUsage(db, { safetyMarginMs: 0, maxWindowMs: 5 })).more && guard++ < 100) {}
    expect(await rollups(db, orgId, "hour")).toEqual(await directAggregate(db, orgId, "hour"));
  });
});
