import { Prisma } from "@perimeter/db";
import { z } from "zod";
import { type CoreContext, currentTime } from "./context.ts";
import { estimateLatencyQuantileMs, latencyHistogramSumSql, mergeLatencyHistograms } from "./latency-histogram.ts";
import { bucketLimits, bucketWidthMs, planUsageReportWindow } from "./usage-report-window.ts";

/** Dimensions a report can be grouped by, and the rollup column behind each. */
const groupColumns = { team_id: "team_id", api_key_id: "api_key_id", user_id: "user_id", model: "model" } as const;
export type UsageGroupBy = keyof typeof groupColumns;

const ids = z.array(z.string().min(1).max(256)).min(1).max(100).optional();

export const getUsageReportInputSchema = z
  .strictObject({
    /** Buckets starting at or after this time (snapped down to the bucket) are returned. */
    startingAt: z.iso.datetime({ offset: true }),
    /** Exclusive; defaults to now. */
    endingAt: z.iso.datetime({ offset: true }).optional(),
    bucketWidth: z.enum(["1h", "1d"]).default("1d"),
    groupBy: z
      .array(z.enum(["team_id", "api_key_id", "user_id", "model"]))
      .default([])
      .refine((list) => new Set(list).size === list.length, "must not repeat a dimension"),
    teamIds: ids,
    apiKeyIds: ids,
    userIds: ids,
    models: ids,
    /** Buckets per page: 1h 24 by default (at most 168), 1d 7 (at most 31). */
    limit: z.int().min(1).optional(),
    page: z.string().max(200).optional(),
  })
  .superRefine((input, issues) => {
    const max = bucketLimits[input.bucketWidth].max;
    if (input.limit !== undefined && input.limit > max) {
      issues.addIssue({ code: "custom", path: ["limit"], message: `must be at most ${max} for ${input.bucketWidth}` });
    }
  });
export type GetUsageReportInput = z.input<typeof getUsageReportInputSchema>;

/**
 * One group's usage in one bucket. Field names follow Anthropic's usage report
 * (`uncached_input_tokens`, `cache_read_input_tokens`, `cache_creation`, `output_tokens`, and a
 * dimension field that is null unless grouped by it); `team_id` stands where Anthropic has
 * `workspace_id`. The rest are Perimeter's: requests, errors (status ≥ 400, denials included), denied
 * requests (refused by a limit), reasoning tokens and latency.
 */
export interface UsageReportResult {
  team_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
  model: string | null;
  uncached_input_tokens: number;
  cache_read_input_tokens: number;
  /** Always zero: vLLM's prefix cache has no billed cache writes. Kept so Anthropic tooling maps. */
  cache_creation: { ephemeral_1h_input_tokens: number; ephemeral_5m_input_tokens: number };
  output_tokens: number;
  reasoning_tokens: number;
  requests: number;
  errors: number;
  denied_requests: number;
  latency_ms_sum: number;
  avg_latency_ms: number | null;
  /** Estimated from the rollups' latency histograms, accurate to the width of a histogram bucket. */
  p50_latency_ms: number | null;
  p95_latency_ms: number | null;
  /** Over the requests that reported one (streams). */
  avg_time_to_first_token_ms: number | null;
}

export interface UsageReportBucket {
  starting_at: string;
  ending_at: string;
  results: UsageReportResult[];
}

export type GetUsageReportResult =
  | { ok: true; report: { data: UsageReportBucket[]; has_more: boolean; next_page: string | null } }
  | { ok: false; code: "INVALID_RANGE" | "INVALID_PAGE" };

interface AggregateRow {
  bucket_start: Date;
  team_id: string | null;
  api_key_id: string | null;
  user_id: string | null;
  model: string | null;
  requests: bigint;
  errors: bigint;
  denied_requests: bigint;
  input_tokens: bigint;
  cache_read_input_tokens: bigint;
  output_tokens: bigint;
  reasoning_tokens: bigint;
  latency_ms_sum: bigint;
  ttft_sum: bigint;
  ttft_count: bigint;
  latency_histogram: bigint[];
}

function anyOf(column: string, values: string[] | undefined): Prisma.Sql {
  return values ? Prisma.sql`AND ${Prisma.raw(column)} = ANY(${values})` : Prisma.empty;
}

/**
 * Usage of the context's organization over a range, in hourly or daily UTC buckets, grouped by any of
 * team, key, user and model and filtered by lists of them. Answered from `usage_rollups` only, so its
 * cost depends on the number of buckets and groups, never on the number of requests; it trails live
 * traffic by the rollup lag (under a minute by default). Every bucket of the page is present, empty
 * ones with `results: []`. Pages hold `limit` buckets; pass `next_page` back as `page`.
 */
export async function getUsageReport(
  ctx: Pick<CoreContext, "db" | "orgId" | "now">,
  rawInput: GetUsageReportInput,
): Promise<GetUsageReportResult> {
  const input = getUsageReportInputSchema.parse(rawInput);
  const window = planUsageReportWindow({
    startingAt: new Date(input.startingAt),
    endingAt: input.endingAt ? new Date(input.endingAt) : currentTime(ctx),
    bucketWidth: input.bucketWidth,
    limit: input.limit,
    page: input.page,
  });
  if (!window.ok) return window;

  const groups = input.groupBy.map((dimension) => Prisma.raw(groupColumns[dimension]));
  const granularity = input.bucketWidth === "1h" ? "hour" : "day";
  const rows = await ctx.db.$queryRaw<AggregateRow[]>`
    SELECT bucket_start, ${groups.length ? Prisma.sql`${Prisma.join(groups)},` : Prisma.empty}
           sum(requests)::bigint AS requests, sum(errors)::bigint AS errors,
           sum(denied_requests)::bigint AS denied_requests, sum(input_tokens)::bigint AS input_tokens,
           sum(cache_read_input_tokens)::bigint AS cache_read_input_tokens,
           sum(output_tokens)::bigint AS output_tokens, sum(reasoning_tokens)::bigint AS reasoning_tokens,
           sum(latency_ms_sum)::bigint AS latency_ms_sum, sum(time_to_first_token_ms_sum)::bigint AS ttft_sum,
           sum(time_to_first_token_count)::bigint AS ttft_count,
           ${Prisma.raw(latencyHistogramSumSql("latency_ms_histogram"))} AS latency_histogram
    FROM usage_rollups
    WHERE org_id = ${ctx.orgId} AND granularity = ${granularity}::rollup_granularity
      AND bucket_start >= ${window.from} AND bucket_start < ${window.to}
      ${anyOf("team_id", input.teamIds)} ${anyOf("api_key_id", input.apiKeyIds)}
      ${anyOf("user_id", input.userIds)} ${anyOf("model", input.models)}
    GROUP BY ${Prisma.join([Prisma.raw("bucket_start"), ...groups])}
    ORDER BY ${Prisma.join([Prisma.raw("bucket_start"), ...groups])}`;

  const byBucket = new Map<number, UsageReportResult[]>();
  for (const row of rows) {
    const requests = Number(row.requests);
    const ttftCount = Number(row.ttft_count);
    const histogram = mergeLatencyHistograms([row.latency_histogram]);
    const result: UsageReportResult = {
      team_id: row.team_id ?? null,
      api_key_id: row.api_key_id ?? null,
      user_id: row.user_id ?? null,
      model: row.model ?? null,
      uncached_input_tokens: Number(row.input_tokens),
      cache_read_input_tokens: Number(row.cache_read_input_tokens),
      cache_creation: { ephemeral_1h_input_tokens: 0, ephemeral_5m_input_tokens: 0 },
      output_tokens: Number(row.output_tokens),
      reasoning_tokens: Number(row.reasoning_tokens),
      requests,
      errors: Number(row.errors),
      denied_requests: Number(row.denied_requests),
      latency_ms_sum: Number(row.latency_ms_sum),
      avg_latency_ms: requests > 0 ? Number(row.latency_ms_sum) / requests : null,
      p50_latency_ms: estimateLatencyQuantileMs(histogram, 0.5),
      p95_latency_ms: estimateLatencyQuantileMs(histogram, 0.95),
      avg_time_to_first_token_ms: ttftCount > 0 ? Number(row.ttft_sum) / ttftCount : null,
    };
    const key = row.bucket_start.getTime();
    const list = byBucket.get(key);
    if (list) list.push(result);
    else byBucket.set(key, [result]);
  }
  const widthMs = bucketWidthMs[input.bucketWidth];
  return {
    ok: true,
    report: {
      data: window.buckets.map((start) => ({
        starting_at: start.toISOString(),
        ending_at: new Date(start.getTime() + widthMs).toISOString(),
        results: byBucket.get(start.getTime()) ?? [],
      })),
      has_more: window.nextPage !== null,
      next_page: window.nextPage,
    },
  };
}
