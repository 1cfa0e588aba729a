// The arithmetic of the benchmark: one slice's figures from the generator's result and the counters
// sampled around its window, medians over rounds, and paired ratios to the references. Pure.

import type { LoadResult } from "./load-job.ts";
import type { ShapeName } from "./load-shapes.ts";
import type { MachineTicks, Sample } from "./process-stats.ts";

export const targetNames = ["direct", "bare-pipe", "bare-json", "bare-json-redis", "gateway"] as const;
export type TargetName = (typeof targetNames)[number];

/** The figures of one target in one shape and round. */
export interface SliceMeasure {
  target: TargetName;
  shape: ShapeName;
  round: number;
  rps: number;
  p50Ms: number;
  p99Ms: number;
  ttfbP50Ms: number;
  ttfbP99Ms: number;
  completed: number;
  errors: number;
  problems: Record<string, number>;
  /** CPU of the target process per correct answer (for `direct`, the simulator's). */
  cpuUsPerRequest: number | undefined;
  /** CPU of the simulator per answer, the same work behind every target. */
  upstreamCpuUsPerRequest: number | undefined;
  redisCpuUsPerRequest: number | undefined;
  rssMb: number | undefined;
  /** The load generator's CPU, in % of one core: near 100 means the client, not the target, was the limit. */
  clientCpuPct: number | undefined;
  /** Of the whole machine's CPU time in the window: stolen by the hypervisor, and used by other processes. */
  stealPct: number;
  othersPct: number;
}

/** Nearest-rank percentile of unsorted `values`; NaN when there are none. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1] as number;
}

/** Median of the defined, finite values; undefined when there are none. */
export function median(values: readonly (number | undefined)[]): number | undefined {
  const finite = values.filter((value): value is number => value !== undefined && Number.isFinite(value));
  if (finite.length === 0) return undefined;
  const sorted = [...finite].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function perRequest(micros: number | undefined, requests: number): number | undefined {
  return micros === undefined || requests === 0 ? undefined : micros / requests;
}

export interface SliceInput {
  target: TargetName;
  shape: ShapeName;
  round: number;
  result: LoadResult;
  start: Sample;
  end: Sample;
  rssMb: number | undefined;
  /** Whose CPU counters in the samples are what: `sim` and `client` always, `target` unless it is the simulator. */
  processes: { target: string; sim: string; client: string };
  clockTicksPerSecond: number;
}

function machineShares(
  start: MachineTicks,
  end: MachineTicks,
  oursMicros: number,
  ticksPerSecond: number,
): { stealPct: number; othersPct: number } {
  const total = end.total - start.total;
  if (total <= 0) return { stealPct: 0, othersPct: 0 };
  const busy = total - (end.idle - start.idle) - (end.steal - start.steal);
  const ours = (oursMicros * ticksPerSecond) / 1_000_000;
  return {
    stealPct: ((end.steal - start.steal) / total) * 100,
    othersPct: (Math.max(0, busy - ours) / total) * 100,
  };
}

/** The figures of one slice. */
export function measureSlice(input: SliceInput): SliceMeasure {
  const { result, start, end, processes } = input;
  const delta = (name: string) => {
    const before = start.cpu[name];
    const after = end.cpu[name];
    return before === undefined || after === undefined ? undefined : after - before;
  };
  const n = result.completed;
  const targetCpu = delta(processes.target);
  const simCpu = delta(processes.sim);
  const clientCpu = delta(processes.client);
  const redisCpu =
    start.redisCpu === undefined || end.redisCpu === undefined ? undefined : end.redisCpu - start.redisCpu;
  const windowMicros = (end.atMs - start.atMs) * 1000;
  const oursMicros =
    (simCpu ?? 0) + (clientCpu ?? 0) + (redisCpu ?? 0) + (processes.target === processes.sim ? 0 : (targetCpu ?? 0));
  return {
    target: input.target,
    shape: input.shape,
    round: input.round,
    rps: n / (result.windowMs / 1000),
    p50Ms: percentile(result.latenciesMs, 50),
    p99Ms: percentile(result.latenciesMs, 99),
    ttfbP50Ms: percentile(result.ttfbMs, 50),
    ttfbP99Ms: percentile(result.ttfbMs, 99),
    completed: n,
    errors: result.errors,
    problems: result.problems,
    cpuUsPerRequest: perRequest(targetCpu, n),
    upstreamCpuUsPerRequest: perRequest(simCpu, n),
    redisCpuUsPerRequest: perRequest(redisCpu, n),
    rssMb: input.rssMb,
    clientCpuPct: clientCpu === undefined || windowMicros <= 0 ? undefined : (clientCpu / windowMicros) * 100,
    ...machineShares(start.machine, end.machine, oursMicros, input.clockTicksPerSecond),
  };
}

/** The figures summarized by their median over rounds. */
const medianFields = [
  "rps",
  "p50Ms",
  "p99Ms",
  "ttfbP50Ms",
  "ttfbP99Ms",
  "cpuUsPerRequest",
  "upstreamCpuUsPerRequest",
  "redisCpuUsPerRequest",
  "rssMb",
  "clientCpuPct",
] as const satisfies readonly (keyof SliceMeasure)[];

/** One target's figures in one shape: medians over its rounds, the spread of its throughput, the worst noise. */
export type TargetSummary = Record<(typeof medianFields)[number], number | undefined> & {
  target: TargetName;
  rounds: number;
  rpsPerRound: number[];
  errors: number;
  problems: Record<string, number>;
  maxStealPct: number;
  maxOthersPct: number;
};

export function summarizeTarget(target: TargetName, slices: readonly SliceMeasure[]): TargetSummary {
  const problems: Record<string, number> = {};
  for (const slice of slices) {
    for (const [problem, count] of Object.entries(slice.problems)) problems[problem] = (problems[problem] ?? 0) + count;
  }
  const medians = Object.fromEntries(
    medianFields.map((field) => [field, median(slices.map((slice) => slice[field]))]),
  ) as Record<(typeof medianFields)[number], number | undefined>;
  return {
    ...medians,
    target,
    rounds: slices.length,
    rpsPerRound: slices.map((slice) => slice.rps),
    errors: slices.reduce((sum, slice) => sum + slice.errors, 0),
    problems,
    maxStealPct: Math.max(0, ...slices.map((slice) => slice.stealPct)),
    maxOthersPct: Math.max(0, ...slices.map((slice) => slice.othersPct)),
  };
}

/**
 * `combine(target, reference)` of the rounds both ran, one value per round, since the two slices of a
 * round ran seconds apart under the same machine noise; then their median. Undefined without a common round.
 */
export function paired(
  target: readonly SliceMeasure[],
  reference: readonly SliceMeasure[],
  combine: (target: SliceMeasure, reference: SliceMeasure) => number,
): { median: number | undefined; perRound: number[] } {
  const perRound: number[] = [];
  for (const slice of target) {
    const partner = reference.find((candidate) => candidate.round === slice.round);
    if (partner) perRound.push(combine(slice, partner));
  }
  return { median: median(perRound), perRound };
}

export const rpsRatio = (target: SliceMeasure, reference: SliceMeasure) => target.rps / reference.rps;
export const addedP50 = (target: SliceMeasure, reference: SliceMeasure) => target.p50Ms - reference.p50Ms;
export const addedTtfb = (target: SliceMeasure, reference: SliceMeasure) => target.ttfbP50Ms - reference.ttfbP50Ms;
export const cpuRatio = (target: SliceMeasure, reference: SliceMeasure) =>
  (target.cpuUsPerRequest ?? Number.NaN) / (reference.cpuUsPerRequest ?? Number.NaN);
