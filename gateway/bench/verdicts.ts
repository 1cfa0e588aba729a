// Issue 5's acceptance targets for the gateway, judged against bare-json-redis from a run's slices. Pure.

import { addedP50, addedTtfb, cpuRatio, paired, rpsRatio, type SliceMeasure, type TargetName } from "./bench-stats.ts";
import type { ShapeName } from "./load-shapes.ts";

/** Below this, `direct` is hardly faster than the reference: the upstream, not the proxy, sets the pace. */
const upstreamBoundRatio = 1.25;

/** One of issue 5's acceptance targets, as measured. */
export interface Verdict {
  goal: string;
  /** undefined: not measured in this run (shape or target left out, or no common round). */
  pass: boolean | undefined;
  measured: number | undefined;
  perRound: number[];
  unit: "ratio" | "ms";
  /** Why a measurement does not count, e.g. errors in one of the two targets. */
  note?: string;
}

interface Goal {
  goal: string;
  shape: ShapeName;
  unit: Verdict["unit"];
  combine: (target: SliceMeasure, reference: SliceMeasure) => number;
  passes: (value: number) => boolean;
}

const goals: Goal[] = [
  {
    goal: "throughput ≥ 0.80 × bare-json-redis, small body, 50 connections",
    shape: "small",
    unit: "ratio",
    combine: rpsRatio,
    passes: (ratio) => ratio >= 0.8,
  },
  {
    goal: "throughput ≥ 0.80 × bare-json-redis, ~70 KB body, 50 connections",
    shape: "large",
    unit: "ratio",
    combine: rpsRatio,
    passes: (ratio) => ratio >= 0.8,
  },
  {
    goal: "added p50 ≤ 0.3 ms over bare-json-redis, 1 connection",
    shape: "c1",
    unit: "ms",
    combine: addedP50,
    passes: (ms) => ms <= 0.3,
  },
  {
    goal: "stream time to first byte ≤ 0.5 ms over bare-json-redis",
    shape: "ttfb",
    unit: "ms",
    combine: addedTtfb,
    passes: (ms) => ms <= 0.5,
  },
];

/** Issue 5's targets for the gateway against bare-json-redis, from every slice of the run. */
export function verdicts(slices: readonly SliceMeasure[]): Verdict[] {
  return goals.map((goal) => {
    const of = (target: TargetName) => slices.filter((slice) => slice.shape === goal.shape && slice.target === target);
    const gateway = of("gateway");
    const reference = of("bare-json-redis");
    const { median: measured, perRound } = paired(gateway, reference, goal.combine);
    const errors = [...gateway, ...reference].reduce((sum, slice) => sum + slice.errors, 0);
    if (measured === undefined) return { goal: goal.goal, pass: undefined, measured, perRound, unit: goal.unit };
    if (errors > 0) {
      return { goal: goal.goal, pass: false, measured, perRound, unit: goal.unit, note: `${errors} wrong answers` };
    }
    const verdict: Verdict = { goal: goal.goal, pass: goal.passes(measured), measured, perRound, unit: goal.unit };
    // A throughput ratio says little when the upstream is the bottleneck for everyone: say so, with the
    // proxies' own cost beside it.
    const headroom = paired(of("direct"), reference, rpsRatio).median;
    if (goal.combine === rpsRatio && headroom !== undefined && headroom < upstreamBoundRatio) {
      const cpu = paired(gateway, reference, cpuRatio).median;
      verdict.note =
        `upstream-bound: direct is ${headroom.toFixed(2)}× bare-json-redis; ` +
        `gateway CPU per answer ${cpu === undefined ? "-" : cpu.toFixed(2)}× bare-json-redis`;
    }
    return verdict;
  });
}
