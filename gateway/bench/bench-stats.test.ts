import { describe, expect, it } from "vitest";
import {
  measureSlice,
  median,
  paired,
  percentile,
  rpsRatio,
  type SliceMeasure,
  summarizeTarget,
  type TargetName,
} from "./bench-stats.ts";
import type { ShapeName } from "./load-shapes.ts";
import { verdicts } from "./verdicts.ts";

function slice(target: TargetName, shape: ShapeName, round: number, figures: Partial<SliceMeasure>): SliceMeasure {
  return {
    target,
    shape,
    round,
    rps: 1000,
    p50Ms: 1,
    p99Ms: 2,
    ttfbP50Ms: 1,
    ttfbP99Ms: 2,
    completed: 1000,
    errors: 0,
    problems: {},
    cpuUsPerRequest: 100,
    upstreamCpuUsPerRequest: 50,
    redisCpuUsPerRequest: 10,
    rssMb: 100,
    clientCpuPct: 20,
    stealPct: 0,
    othersPct: 0,
    ...figures,
  };
}

describe("percentile and median", () => {
  it("uses the nearest rank", () => {
    const values = Array.from({ length: 100 }, (_, i) => 100 - i);
    expect(percentile(values, 50)).toBe(50);
    expect(percentile(values, 99)).toBe(99);
    expect(percentile(values, 100)).toBe(100);
    expect(percentile([3, 1, 2], 50)).toBe(2);
    expect(percentile([7], 99)).toBe(7);
    expect(percentile([], 50)).toBeNaN();
  });

  it("takes the middle of the defined values", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([undefined, 5, Number.NaN])).toBe(5);
    expect(median([])).toBeUndefined();
  });
});

describe("measureSlice", () => {
  it("turns counters into per-request and per-window figures", () => {
    const start = {
      atMs: 0,
      machine: { total: 0, idle: 0, steal: 0 },
      cpu: { target: 1_000_000, sim: 0, client: 0 },
      redisCpu: 0,
    };
    // 2 s on 2 cores at 100 ticks/s: 400 ticks, 40 stolen, 160 idle, 200 busy.
    const end = {
      atMs: 2000,
      machine: { total: 400, idle: 160, steal: 40 },
      cpu: { target: 1_500_000, sim: 200_000, client: 1_000_000 },
      redisCpu: 50_000,
    };
    const measure = measureSlice({
      target: "gateway",
      shape: "small",
      round: 1,
      result: { windowMs: 2000, completed: 1000, latenciesMs: [1, 2, 3, 4], ttfbMs: [1], errors: 0, problems: {} },
      start,
      end,
      rssMb: 80,
      processes: { target: "target", sim: "sim", client: "client" },
      clockTicksPerSecond: 100,
    });
    expect(measure.rps).toBe(500);
    expect(measure.p50Ms).toBe(2);
    expect(measure.cpuUsPerRequest).toBe(500);
    expect(measure.upstreamCpuUsPerRequest).toBe(200);
    expect(measure.redisCpuUsPerRequest).toBe(50);
    expect(measure.clientCpuPct).toBe(50);
    expect(measure.stealPct).toBe(10);
    // Ours: 0.5 + 0.2 + 1 + 0.05 s = 175 ticks of the 200 busy ones; 25 of 400 are someone else's.
    expect(measure.othersPct).toBeCloseTo(6.25);
  });

  it("does not count the simulator twice when it is the target", () => {
    // 1 s of the simulator (100 ticks) in a window of 400 ticks of which 300 were busy.
    const sample = (cpu: number) => ({
      atMs: cpu,
      machine: { total: cpu / 2500, idle: cpu / 10_000, steal: 0 },
      cpu: { sim: cpu, client: 0 },
      redisCpu: 0,
    });
    const measure = measureSlice({
      target: "direct",
      shape: "c1",
      round: 1,
      result: { windowMs: 1000, completed: 100, latenciesMs: [1], ttfbMs: [1], errors: 0, problems: {} },
      start: sample(0),
      end: sample(1_000_000),
      rssMb: undefined,
      processes: { target: "sim", sim: "sim", client: "client" },
      clockTicksPerSecond: 100,
    });
    expect(measure.cpuUsPerRequest).toBe(10_000);
    expect(measure.othersPct).toBe(50);
  });
});

describe("pairing and verdicts", () => {
  it("pairs rounds and takes the median of the per-round values", () => {
    const gateway = [1, 2, 3].map((round) => slice("gateway", "small", round, { rps: 100 * round }));
    const reference = [1, 2, 4].map((round) => slice("bare-json-redis", "small", round, { rps: 200 }));
    expect(paired(gateway, reference, rpsRatio)).toEqual({ median: 0.75, perRound: [0.5, 1] });
    expect(summarizeTarget("gateway", gateway)).toMatchObject({ rps: 200, rpsPerRound: [100, 200, 300], errors: 0 });
  });

  it("judges issue 5's four targets", () => {
    const slices = [
      slice("gateway", "small", 1, { rps: 810 }),
      slice("bare-json-redis", "small", 1, { rps: 1000 }),
      slice("gateway", "large", 1, { rps: 790 }),
      slice("bare-json-redis", "large", 1, { rps: 1000 }),
      slice("gateway", "c1", 1, { p50Ms: 1.31 }),
      slice("bare-json-redis", "c1", 1, { p50Ms: 1 }),
    ];
    const [small, large, c1, ttfb] = verdicts(slices);
    expect(small).toMatchObject({ pass: true, measured: 0.81 });
    expect(large).toMatchObject({ pass: false, measured: 0.79 });
    expect(c1?.pass).toBe(false);
    expect(c1?.measured).toBeCloseTo(0.31);
    expect(ttfb).toMatchObject({ pass: undefined, measured: undefined });
  });

  it("says when the upstream, not the proxy, limits throughput", () => {
    const slices = [
      slice("direct", "large", 1, { rps: 110 }),
      slice("gateway", "large", 1, { rps: 95, cpuUsPerRequest: 300 }),
      slice("bare-json-redis", "large", 1, { rps: 100, cpuUsPerRequest: 200 }),
    ];
    expect(verdicts(slices)[1]).toMatchObject({
      pass: true,
      note: "upstream-bound: direct is 1.10× bare-json-redis; gateway CPU per answer 1.50× bare-json-redis",
    });
    const fast = [...slices.slice(1), slice("direct", "large", 1, { rps: 500 })];
    expect(verdicts(fast)[1]?.note).toBeUndefined();
  });

  it("fails a target whose answers were wrong, however fast", () => {
    const slices = [
      slice("gateway", "small", 1, { rps: 2000, errors: 3 }),
      slice("bare-json-redis", "small", 1, { rps: 1000 }),
    ];
    expect(verdicts(slices)[0]).toMatchObject({ pass: false, note: "3 wrong answers" });
  });
});
