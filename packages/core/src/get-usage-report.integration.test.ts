import { createDb } from "@perimeter/db";
import { afterAll, describe, expect, inject, it } from "vitest";
import { getUsageReport } from "./get-usage-report.ts";
import { createTestTenant } from "./testing/create-test-tenant.ts";

const db = createDb(inject("databaseUrl"));
afterAll(() => db.$disconnect());

/** Rollup rows as the worker writes them; the report reads nothing else. */
async function seedRollups(orgId: string) {
  const row = (granularity: "hour" | "day", bucket: string, teamId: string, model: string, n: number) => ({
    orgId,
    granularity,
    bucketStart: new Date(bucket),
    bucketKey: `${granularity}|${orgId}|${bucket}|${teamId}|key_${teamId}|-|${model}`,
    teamId,
    apiKeyId: `key_${teamId}`,
    userId: null,
    model,
    requests: BigInt(n),
    errors: 1n,
    deniedRequests: 0n,
    inputTokens: BigInt(n * 10),
    cacheReadInputTokens: BigInt(n * 100),
    outputTokens: BigInt(n * 20),
    reasoningTokens: BigInt(n),
    latencyMsSum: BigInt(n * 500),
    timeToFirstTokenMsSum: BigInt(n * 50),
    timeToFirstTokenCount: BigInt(n),
    // Every request between 500 ms and 1 s.
    latencyMsHistogram: [0n, 0n, 0n, BigInt(n)],
  });
  await db.usageRollup.createMany({
    data: [
      row("day", "2026-03-01T00:00:00.000Z", "team_a", "umans-coder-v0", 4),
      row("day", "2026-03-01T00:00:00.000Z", "team_b", "umans-coder-v0", 6),
      row("day", "2026-03-03T00:00:00.000Z", "team_a", "claude-sonnet-4-5", 2),
      row("hour", "2026-03-01T10:00:00.000Z", "team_a", "umans-coder-v0", 4),
    ],
  });
}

describe("getUsageReport", () => {
  it("sums every group per day when ungrouped, with empty buckets present", async () => {
    const { ctx } = await createTestTenant(db);
    await seedRollups(ctx.orgId);
    const result = await getUsageReport(ctx, {
      startingAt: "2026-03-01T08:00:00Z",
      endingAt: "2026-03-04T00:00:00Z",
      bucketWidth: "1d",
    });
    expect(result).toEqual({
      ok: true,
      report: {
        data: [
          {
            starting_at: "2026-03-01T00:00:00.000Z",
            ending_at: "2026-03-02T00:00:00.000Z",
            results: [
              {
                team_id: null,
                api_key_id: null,
                user_id: null,
                model: null,
                uncached_input_tokens: 100,
                cache_read_input_tokens: 1000,
                cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
                output_tokens: 200,
                reasoning_tokens: 10,
                requests: 10,
                errors: 2,
                denied_requests: 0,
                latency_ms_sum: 5000,
                avg_latency_ms: 500,
                p50_latency_ms: 750,
                p95_latency_ms: 975,
                avg_time_to_first_token_ms: 50,
              },
            ],
          },
          { starting_at: "2026-03-02T00:00:00.000Z", ending_at: "2026-03-03T00:00:00.000Z", results: [] },
          {
            starting_at: "2026-03-03T00:00:00.000Z",
            ending_at: "2026-03-04T00:00:00.000Z",
            results: [expect.objectContaining({ requests: 2, output_tokens: 40 })],
          },
        ],
        has_more: false,
        next_page: null,
      },
    });
  });

  it("groups and filters by dimension, reads hourly rollups for 1h, and pages", async () => {
    const { ctx } = await createTestTenant(db);
    await seedRollups(ctx.orgId);
    const grouped = await getUsageReport(ctx, {
      startingAt: "2026-03-01T00:00:00Z",
      endingAt: "2026-03-02T00:00:00Z",
      groupBy: ["team_id", "model"],
    });
    if (!grouped.ok) throw new Error(grouped.code);
    expect(grouped.report.data[0]?.results.map((r) => [r.team_id, r.model, r.requests])).toEqual([
      ["team_a", "umans-coder-v0", 4],
      ["team_b", "umans-coder-v0", 6],
    ]);

    const filtered = await getUsageReport(ctx, {
      startingAt: "2026-03-01T00:00:00Z",
      endingAt: "2026-03-04T00:00:00Z",
      teamIds: ["team_b"],
      groupBy: ["api_key_id"],
    });
    if (!filtered.ok) throw new Error(filtered.code);
    expect(filtered.report.data.flatMap((b) => b.results.map((r) => [r.api_key_id, r.requests]))).toEqual([
      ["key_team_b", 6],
    ]);

    const hourly = await getUsageReport(ctx, {
      startingAt: "2026-03-01T09:00:00Z",
      endingAt: "2026-03-01T12:00:00Z",
      bucketWidth: "1h",
      limit: 2,
    });
    if (!hourly.ok) throw new Error(hourly.code);
    expect(hourly.report.data.map((b) => b.results.length)).toEqual([0, 1]);
    expect(hourly.report.has_more).toBe(true);
    const next = await getUsageReport(ctx, {
      startingAt: "2026-03-01T09:00:00Z",
      endingAt: "2026-03-01T12:00:00Z",
      bucketWidth: "1h",
      limit: 2,
      page: hourly.report.next_page ?? "",
    });
    expect(next).toMatchObject({
      ok: true,
      report: { data: [{ starting_at: "2026-03-01T11:00:00.000Z" }], has_more: false },
    });
  });

  it("never shows another organization's usage and refuses a bad range or limit", async () => {
    const { ctx } = await createTestTenant(db);
    const other = await createTestTenant(db);
    await seedRollups(other.ctx.orgId);
    const result = await getUsageReport(ctx, { startingAt: "2026-03-01T00:00:00Z", endingAt: "2026-03-02T00:00:00Z" });
    expect(result).toMatchObject({ ok: true, report: { data: [{ results: [] }] } });
    expect(await getUsageReport(ctx, { startingAt: "2026-03-02T00:00:00Z", endingAt: "2026-03-01T00:00:00Z" })).toEqual(
      { ok: false, code: "INVALID_RANGE" },
    );
    await expect(getUsageReport(ctx, { startingAt: "2026-03-01T00:00:00Z", limit: 32 })).rejects.toThrow(
      "must be at most 31 for 1d",
    );
  });
});
