import { randomBytes } from "node:crypto";
import { latencyHistogramBoundsMs, latencyHistogramSize, type UsageEventMessageInput } from "@perimeter/core";
import { type Db, newId } from "@perimeter/db";
import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase, type ScratchDatabase } from "@perimeter/db/scratch-database";
import { inject } from "vitest";

/**
 * A migrated database of the test's own, for jobs that act on every organization (rollups,
 * retention) or that a test alters (constraints, triggers). Test-only; the caller drops it.
 */
export async function createMigratedScratchDatabase(): Promise<ScratchDatabase> {
  const scratch = await createScratchDatabase(inject("postgresServerUrl"), "perimeter_worker_test");
  await migrate(scratch.url);
  return scratch;
}

/** A unique organization id for rows a test writes without creating the organization. */
export function testOrgId(): string {
  return `org_test${randomBytes(8).toString("hex")}`;
}

/** A plausible finished request for `orgId`, with a fresh request id; `overrides` win. Test-only. */
export function fakeUsageEvent(
  orgId: string,
  overrides: Partial<UsageEventMessageInput> = {},
): UsageEventMessageInput & { requestId: string } {
  const eventTime = overrides.eventTime ?? new Date();
  return {
    requestId: newId("request"),
    orgId,
    apiKeyId: "key_a",
    teamId: "team_a",
    userId: "usr_a",
    model: "umans-coder-v0",
    status: 200,
    inputTokens: 10,
    cacheReadInputTokens: 100,
    outputTokens: 20,
    reasoningTokens: 5,
    latencyMs: 300,
    startedAt: new Date(new Date(eventTime).getTime() - 300),
    eventTime,
    ...overrides,
  } as UsageEventMessageInput & { requestId: string };
}

/** The rollups of `orgId` at one granularity, as comparable plain rows. */
export async function rollups(db: Db, orgId: string, granularity: "hour" | "day") {
  return db.$queryRaw<Record<string, unknown>[]>`
    SELECT bucket_start, coalesce(team_id, '-') AS team, coalesce(api_key_id, '-') AS key,
           coalesce(user_id, '-') AS "user", model, requests::text, errors::text, denied_requests::text,
           input_tokens::text, cache_read_input_tokens::text, output_tokens::text, reasoning_tokens::text,
           latency_ms_sum::text, time_to_first_token_ms_sum::text, time_to_first_token_count::text
    FROM usage_rollups WHERE org_id = ${orgId} AND granularity = ${granularity}::rollup_granularity
    ORDER BY 1, 2, 3, 4, 5`;
}

/** The same figures straight from the raw events: what every rollup must equal. */
export async function directAggregate(db: Db, orgId: string, granularity: "hour" | "day") {
  return db.$queryRaw<Record<string, unknown>[]>`
    SELECT date_trunc(${granularity}, event_time, 'UTC') AS bucket_start, coalesce(team_id, '-') AS team,
           coalesce(api_key_id, '-') AS key, coalesce(user_id, '-') AS "user", model,
           count(*)::text AS requests, count(*) FILTER (WHERE status >= 400)::text AS errors,
           count(*) FILTER (WHERE limit_decision <> 'admitted')::text AS denied_requests,
           sum(input_tokens)::text AS input_tokens, sum(cache_read_input_tokens)::text AS cache_read_input_tokens,
           sum(output_tokens)::text AS output_tokens, sum(reasoning_tokens)::text AS reasoning_tokens,
           sum(latency_ms)::text AS latency_ms_sum,
           coalesce(sum(time_to_first_token_ms), 0)::text AS time_to_first_token_ms_sum,
           count(time_to_first_token_ms)::text AS time_to_first_token_count
    FROM usage_events WHERE org_id = ${orgId}
    GROUP BY 1, 2, 3, 4, 5 ORDER BY 1, 2, 3, 4, 5`;
}

/** Latency histograms of `orgId`'s rollups by bucket and group, as `"<bucket>|<team>|<key>|<user>|<model>"`. */
export async function rollupHistograms(db: Db, orgId: string, granularity: "hour" | "day") {
  const rows = await db.usageRollup.findMany({ where: { orgId, granularity } });
  return Object.fromEntries(
    rows.map((row) => [
      [row.bucketStart.toISOString(), row.teamId ?? "-", row.apiKeyId ?? "-", row.userId ?? "-", row.model].join("|"),
      row.latencyMsHistogram.map(Number),
    ]),
  );
}

/**
 * The same histograms computed here from the raw latencies, independently of the SQL that builds
 * them: an event goes to the bucket numbered by how many bounds are at or below its latency.
 */
export async function histogramsFromRaw(db: Db, orgId: string, granularity: "hour" | "day") {
  const rows = await db.$queryRaw<
    { bucket: Date; team: string; key: string; user: string; model: string; latency: number }[]
  >`
    SELECT date_trunc(${granularity}, event_time, 'UTC') AS bucket, coalesce(team_id, '-') AS team,
           coalesce(api_key_id, '-') AS key, coalesce(user_id, '-') AS "user", model, latency_ms AS latency
    FROM usage_events WHERE org_id = ${orgId}`;
  const histograms: Record<string, number[]> = {};
  for (const row of rows) {
    const key = [row.bucket.toISOString(), row.team, row.key, row.user, row.model].join("|");
    const histogram = histograms[key] ?? new Array<number>(latencyHistogramSize).fill(0);
    histograms[key] = histogram;
    const index = latencyHistogramBoundsMs.filter((bound) => bound <= row.latency).length;
    histogram[index] = (histogram[index] ?? 0) + 1;
  }
  return histograms;
}
