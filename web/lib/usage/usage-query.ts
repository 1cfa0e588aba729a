import type { UsageDimension } from "./usage-series";

/** The ranges people pick most, ending now; `custom` takes the from/to days. */
export const usageRanges = {
  "24h": { label: "Last 24 hours", ms: 86_400_000, bucket: "1h" },
  "7d": { label: "Last 7 days", ms: 7 * 86_400_000, bucket: "1d" },
  "30d": { label: "Last 30 days", ms: 30 * 86_400_000, bucket: "1d" },
  "90d": { label: "Last 90 days", ms: 90 * 86_400_000, bucket: "1d" },
} as const;
export type UsageRange = keyof typeof usageRanges | "custom";

const dimensions = { team: "team_id", key: "api_key_id", user: "user_id", model: "model" } as const;
export type GroupByParam = keyof typeof dimensions;

/** Most bars a chart draws: a month of hours. */
export const maxBuckets = 31 * 24;

/** What the usage page and its request log are asked for, from the URL. */
export interface UsageQuery {
  range: UsageRange;
  /** Inclusive start and exclusive end. */
  from: Date;
  to: Date;
  bucket: "1h" | "1d";
  groupBy: GroupByParam | null;
  dimension: UsageDimension | null;
  teamId?: string;
  apiKeyId?: string;
  userId?: string;
  model?: string;
  /** Field → message for parameters that could not be used (the page says so and uses the default). */
  errors: Record<string, string>;
}

const day = /^\d{4}-\d{2}-\d{2}$/;

/** A page's search params with repeated ones dropped: only single values are ever read. */
export function singleParams(raw: Record<string, string | string[] | undefined>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(raw).filter((entry): entry is [string, string] => typeof entry[1] === "string"),
  );
}

/** `2026-03-01` as the start of that UTC day, or undefined. */
function utcDay(value: string | undefined): Date | undefined {
  if (!value || !day.test(value)) return undefined;
  const date = new Date(`${value}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? undefined : date;
}

/**
 * Reads the usage page's query string: a preset range ending now or custom UTC days (`to` inclusive),
 * the bucket width (hourly up to two days by default, daily beyond; hourly is refused past a month),
 * one dimension to group by and the filters. Anything unusable falls back to the default with a
 * message for its field, so a hand-edited URL still shows something. Pure.
 */
export function parseUsageQuery(params: Record<string, string | undefined>, now: Date): UsageQuery {
  const errors: Record<string, string> = {};
  let range: UsageRange = "24h";
  if (params.range === "custom" || (params.range && params.range in usageRanges)) range = params.range as UsageRange;
  else if (params.range) errors.range = "unknown range; showing the last 24 hours";

  let from = new Date(now.getTime() - usageRanges["24h"].ms);
  let to = now;
  if (range === "custom") {
    const start = utcDay(params.from);
    const end = utcDay(params.to);
    if (!start) errors.from = "pick a start day";
    if (!end) errors.to = "pick an end day";
    if (start && end && end < start) errors.to = "must not be before the start";
    if (start && end && end >= start) {
      from = start;
      to = new Date(end.getTime() + 86_400_000);
    } else {
      range = "24h";
    }
  } else {
    from = new Date(now.getTime() - usageRanges[range].ms);
  }

  const spanMs = to.getTime() - from.getTime();
  let bucket: "1h" | "1d" = spanMs <= 2 * 86_400_000 ? "1h" : "1d";
  if (params.bucket === "1h" || params.bucket === "1d") bucket = params.bucket;
  else if (params.bucket) errors.bucket = "must be 1h or 1d";
  if (bucket === "1h" && spanMs / 3_600_000 > maxBuckets) {
    errors.bucket = "hourly buckets cover at most 31 days; showing days";
    bucket = "1d";
  }

  let groupBy: GroupByParam | null = null;
  if (params.groupBy && params.groupBy in dimensions) groupBy = params.groupBy as GroupByParam;
  else if (params.groupBy) errors.groupBy = "must be team, key, user or model";

  const text = (name: string) => {
    const value = params[name]?.trim();
    return value ? value : undefined;
  };
  return {
    range,
    from,
    to,
    bucket,
    groupBy,
    dimension: groupBy ? dimensions[groupBy] : null,
    teamId: text("teamId"),
    apiKeyId: text("apiKeyId"),
    userId: text("userId"),
    model: text("model"),
    errors,
  };
}

/** The query string that reproduces `query` (for links between usage, the request log and exports). */
export function usageSearch(query: UsageQuery, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  params.set("range", query.range);
  if (query.range === "custom") {
    params.set("from", query.from.toISOString().slice(0, 10));
    params.set("to", new Date(query.to.getTime() - 86_400_000).toISOString().slice(0, 10));
  }
  params.set("bucket", query.bucket);
  if (query.groupBy) params.set("groupBy", query.groupBy);
  for (const name of ["teamId", "apiKeyId", "userId", "model"] as const) {
    const value = query[name];
    if (value) params.set(name, value);
  }
  for (const [name, value] of Object.entries(extra)) params.set(name, value);
  return params.toString();
}
