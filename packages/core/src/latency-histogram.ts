/**
 * Upper bounds (exclusive) of the latency histogram buckets in rollups, in milliseconds; the last
 * bucket holds everything from the last bound up. Bucket `i` counts requests with
 * `bounds[i-1] <= latency < bounds[i]`, exactly Postgres's `width_bucket(latency, bounds)`. Chosen for
 * coding-agent traffic: sub-second count_tokens calls up to ten-minute agent turns. Changing them
 * needs a migration that recomputes every rollup.
 */
export const latencyHistogramBoundsMs = [
  100, 250, 500, 1_000, 2_000, 3_000, 5_000, 7_500, 10_000, 15_000, 20_000, 30_000, 45_000, 60_000, 90_000, 120_000,
  180_000, 300_000, 600_000,
] as const;

/** Buckets per histogram: one more than there are bounds. */
export const latencyHistogramSize = latencyHistogramBoundsMs.length + 1;

/** Adds histograms element-wise; missing elements count as zero. */
export function mergeLatencyHistograms(histograms: readonly (readonly (bigint | number)[])[]): number[] {
  const merged = new Array<number>(latencyHistogramSize).fill(0);
  for (const histogram of histograms) {
    for (let i = 0; i < latencyHistogramSize; i++) merged[i] = (merged[i] ?? 0) + Number(histogram[i] ?? 0);
  }
  return merged;
}

/**
 * The `quantile` (0–1) of a histogram, interpolated linearly inside the bucket it falls in, so it is
 * accurate to that bucket's width. The open-ended last bucket reports its lower bound. Null when the
 * histogram is empty.
 */
export function estimateLatencyQuantileMs(histogram: readonly number[], quantile: number): number | null {
  const total = histogram.reduce((sum, count) => sum + count, 0);
  if (total === 0) return null;
  const rank = quantile * total;
  let seen = 0;
  for (let i = 0; i < latencyHistogramSize; i++) {
    const count = histogram[i] ?? 0;
    if (count > 0 && seen + count >= rank) {
      const lower = i === 0 ? 0 : latencyHistogramBoundsMs[i - 1];
      const upper = latencyHistogramBoundsMs[i];
      if (lower === undefined || upper === undefined) return lower ?? latencyHistogramBoundsMs.at(-1) ?? null;
      return Math.round(lower + ((rank - seen) / count) * (upper - lower));
    }
    seen += count;
  }
  return latencyHistogramBoundsMs.at(-1) ?? null;
}

/**
 * SQL summing the histograms in `column` element-wise over a GROUP BY (Postgres arrays start at 1,
 * and rows written before histograms existed count as zeros). Shared by rollups and the report.
 */
export function latencyHistogramSumSql(column: string): string {
  const slots = Array.from({ length: latencyHistogramSize }, (_, index) => `coalesce(sum(${column}[${index + 1}]), 0)`);
  return `ARRAY[${slots.join(", ")}]::bigint[]`;
}
