import { describe, expect, it } from "vitest";
import {
  estimateLatencyQuantileMs,
  latencyHistogramBoundsMs,
  latencyHistogramSize,
  mergeLatencyHistograms,
} from "./latency-histogram.ts";

/** A histogram with `count` requests in bucket `index`. */
function only(index: number, count: number): number[] {
  const histogram = new Array<number>(latencyHistogramSize).fill(0);
  histogram[index] = count;
  return histogram;
}

describe("latency histogram", () => {
  it("merges element-wise, bigints and short arrays included", () => {
    const merged = mergeLatencyHistograms([only(0, 2), [1n, 0n, 3n], []]);
    expect(merged.slice(0, 4)).toEqual([3, 0, 3, 0]);
    expect(merged).toHaveLength(latencyHistogramSize);
  });

  it("interpolates inside the bucket the quantile falls in", () => {
    // 100 requests between 1 s and 2 s: the median sits half-way.
    expect(estimateLatencyQuantileMs(only(4, 100), 0.5)).toBe(1_500);
    // 95 requests in [100, 250) and 5 in [7.5 s, 10 s): p95 is still fast, p99 lands among the slow.
    const mixed = mergeLatencyHistograms([only(1, 95), only(8, 5)]);
    expect(estimateLatencyQuantileMs(mixed, 0.95)).toBe(250);
    expect(estimateLatencyQuantileMs(mixed, 0.99)).toBe(9_500);
  });

  it("reports the open-ended last bucket by its lower bound, and nothing for no requests", () => {
    expect(estimateLatencyQuantileMs(only(latencyHistogramSize - 1, 3), 0.95)).toBe(latencyHistogramBoundsMs.at(-1));
    expect(estimateLatencyQuantileMs(only(0, 0), 0.95)).toBeNull();
  });
});
