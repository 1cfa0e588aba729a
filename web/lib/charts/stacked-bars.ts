/** One bar's worth of data: a bucket and how much each group contributed to it. */
export interface StackedBucket {
  /** ISO start of the bucket. */
  start: string;
  values: Record<string, number>;
}

export interface ChartFrame {
  width: number;
  height: number;
  /** Room for the y-axis labels on the left and the x-axis labels below. */
  left: number;
  bottom: number;
  top: number;
  right: number;
}

export interface BarSegment {
  group: string;
  value: number;
  y: number;
  height: number;
}

export interface Bar {
  start: string;
  x: number;
  width: number;
  total: number;
  /** Bottom to top, in the order of the groups given. */
  segments: BarSegment[];
}

export interface StackedBarsLayout {
  bars: Bar[];
  /** Gridlines: value, its y and its label. */
  yTicks: { value: number; y: number; label: string }[];
  /** Which bars get an x-axis label (an evenly spread few), by index into `bars`. */
  xLabelIndexes: number[];
  max: number;
}

/** The smallest "nice" step (1, 2 or 5 × 10ⁿ, and never below 1: counts are whole) at or above `value`. */
export function niceStep(value: number): number {
  if (value <= 1) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) {
    if (step * power >= value) return step * power;
  }
  return 10 * power;
}

/** Gridline values for data up to `max`: from 0 in about four nice steps to the first step above it. */
export function axisTicks(max: number): number[] {
  const step = niceStep(max / 4);
  const top = Math.max(step, Math.ceil(max / step) * step);
  return Array.from({ length: Math.round(top / step) + 1 }, (_, index) => index * step);
}

const compactFormat = new Intl.NumberFormat("en-US", { notation: "compact", maximumFractionDigits: 1 });

/** 950, 1.2K, 3.4M: short enough for an axis. */
export function compactNumber(value: number): string {
  return compactFormat.format(value);
}

/**
 * Lays out a stacked bar chart: one bar per bucket, one segment per group (in `groups` order, from
 * the bottom), a y-axis from 0 in nice steps to just above the tallest bar, and at most `maxXLabels` x
 * labels spread evenly. Empty buckets keep their slot, so gaps in traffic show as gaps. Pure: the SVG
 * component only draws what this returns.
 */
export function layoutStackedBars(
  buckets: StackedBucket[],
  groups: string[],
  frame: ChartFrame,
  maxXLabels = 6,
): StackedBarsLayout {
  const plotWidth = frame.width - frame.left - frame.right;
  const plotHeight = frame.height - frame.top - frame.bottom;
  const totals = buckets.map((bucket) => groups.reduce((sum, group) => sum + (bucket.values[group] ?? 0), 0));
  const ticks = axisTicks(Math.max(0, ...totals));
  const max = ticks.at(-1) ?? 1;
  const slot = buckets.length > 0 ? plotWidth / buckets.length : plotWidth;
  // Bars fill most of their slot; very many bars touch rather than vanish into gaps.
  const gap = slot > 6 ? Math.min(slot * 0.25, 8) : 0;
  const scale = (value: number) => (value / max) * plotHeight;
  const bars = buckets.map((bucket, index): Bar => {
    let base = frame.top + plotHeight;
    const segments: BarSegment[] = [];
    for (const group of groups) {
      const value = bucket.values[group] ?? 0;
      if (value <= 0) continue;
      const height = scale(value);
      base -= height;
      segments.push({ group, value, y: base, height });
    }
    return {
      start: bucket.start,
      x: frame.left + index * slot + gap / 2,
      width: slot - gap,
      total: totals[index] ?? 0,
      segments,
    };
  });
  const yTicks = ticks.map((value) => ({
    value,
    y: frame.top + plotHeight - scale(value),
    label: compactNumber(value),
  }));
  const every = Math.max(1, Math.ceil(buckets.length / maxXLabels));
  const xLabelIndexes = buckets.map((_, index) => index).filter((index) => index % every === 0);
  return { bars, yTicks, xLabelIndexes, max };
}

/**
 * The groups to draw: the `limit − 1` largest by total, then one `otherKey` group summing the rest
 * (only when there is a rest), so a chart of 300 keys stays readable. Returns the buckets re-keyed.
 */
export function topGroups(
  buckets: StackedBucket[],
  limit: number,
  otherKey: string,
): { groups: string[]; buckets: StackedBucket[] } {
  const totals = new Map<string, number>();
  for (const bucket of buckets) {
    for (const [group, value] of Object.entries(bucket.values)) totals.set(group, (totals.get(group) ?? 0) + value);
  }
  const ranked = [...totals.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([group]) => group);
  if (ranked.length <= limit) return { groups: ranked, buckets };
  const kept = new Set(ranked.slice(0, limit - 1));
  return { groups: [...kept, otherKey], buckets: foldGroups(buckets, kept, otherKey) };
}

/** `buckets` with every group not in `kept` summed into `otherKey`. */
export function foldGroups(buckets: StackedBucket[], kept: ReadonlySet<string>, otherKey: string): StackedBucket[] {
  return buckets.map((bucket) => {
    const values: Record<string, number> = {};
    for (const [group, value] of Object.entries(bucket.values)) {
      const key = kept.has(group) ? group : otherKey;
      values[key] = (values[key] ?? 0) + value;
    }
    return { start: bucket.start, values };
  });
}
