import type { UsageReportBucket, UsageReportResult } from "@perimeter/core";
import type { StackedBucket } from "../charts/stacked-bars";
import type { UsageLabels } from "../operations/usage";

/** What a usage chart can show, and where each number sits in a report row. */
export const usageMetrics = [
  { id: "requests", title: "Requests", pick: (r: UsageReportResult) => r.requests },
  { id: "input", title: "Input tokens", pick: (r: UsageReportResult) => r.uncached_input_tokens },
  { id: "cacheRead", title: "Cache-read input tokens", pick: (r: UsageReportResult) => r.cache_read_input_tokens },
  { id: "output", title: "Output tokens", pick: (r: UsageReportResult) => r.output_tokens },
  { id: "errors", title: "Errors", pick: (r: UsageReportResult) => r.errors },
  { id: "denied", title: "Denied by a limit", pick: (r: UsageReportResult) => r.denied_requests },
] as const;
export type UsageMetric = (typeof usageMetrics)[number]["id"];

export type UsageDimension = "team_id" | "api_key_id" | "user_id" | "model";

/** The stand-in group of an ungrouped report. */
export const allGroup = "all";

/** A group's key in the charts: its dimension's value, or a marker for rows without one. */
export function groupKey(row: UsageReportResult, dimension: UsageDimension | null): string {
  if (!dimension) return allGroup;
  return row[dimension] ?? "-";
}

/** How a group is named on screen. */
export function groupLabel(key: string, dimension: UsageDimension | null, labels: UsageLabels): string {
  if (!dimension || key === allGroup) return "All usage";
  if (key === "-") {
    return { team_id: "(no team)", api_key_id: "(no key)", user_id: "Service keys (no owner)", model: "(none)" }[
      dimension
    ];
  }
  if (dimension === "team_id") return labels.teams[key] ?? key;
  if (dimension === "api_key_id") return labels.keys[key] ?? key;
  if (dimension === "user_id") return labels.users[key] ?? key;
  return key;
}

/** One metric over time, per group. */
export function metricSeries(
  buckets: UsageReportBucket[],
  dimension: UsageDimension | null,
  metric: UsageMetric,
): StackedBucket[] {
  const pick = usageMetrics.find((m) => m.id === metric)?.pick ?? (() => 0);
  return buckets.map((bucket) => {
    const values: Record<string, number> = {};
    for (const row of bucket.results) {
      const key = groupKey(row, dimension);
      values[key] = (values[key] ?? 0) + pick(row);
    }
    return { start: bucket.starting_at, values };
  });
}

/** A group's totals over the whole range, for the table under the charts. */
export interface GroupTotals extends Record<UsageMetric, number> {
  key: string;
  /** Mean latency over the range (sum over requests), or null without requests. */
  avgLatencyMs: number | null;
}

/** Totals per group over every bucket, largest by requests first. */
export function groupTotals(buckets: UsageReportBucket[], dimension: UsageDimension | null): GroupTotals[] {
  const totals = new Map<string, GroupTotals & { latencySum: number }>();
  for (const row of buckets.flatMap((bucket) => bucket.results)) {
    const key = groupKey(row, dimension);
    const sum = totals.get(key) ?? {
      key,
      requests: 0,
      input: 0,
      cacheRead: 0,
      output: 0,
      errors: 0,
      denied: 0,
      avgLatencyMs: null,
      latencySum: 0,
    };
    for (const metric of usageMetrics) sum[metric.id] += metric.pick(row);
    sum.latencySum += row.latency_ms_sum;
    totals.set(key, sum);
  }
  return [...totals.values()]
    .map(({ latencySum, ...group }) => ({
      ...group,
      avgLatencyMs: group.requests > 0 ? latencySum / group.requests : null,
    }))
    .sort((a, b) => b.requests - a.requests || a.key.localeCompare(b.key));
}
