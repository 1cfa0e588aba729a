import { describe, expect, it } from "vitest";
import { type PlanReplicasInput, planReplicas } from "./plan-replicas.ts";
import type { ReplicaView } from "./replica-view.ts";

const t0 = Date.parse("2026-01-01T00:00:00Z");

function view(
  name: string,
  revision: string,
  state: ReplicaView["state"],
  extra: Partial<ReplicaView> = {},
): ReplicaView {
  return {
    name,
    revision,
    endpoint: `http://127.0.0.1:1/${name}`,
    state,
    startedAt: new Date(t0),
    drainStartedAt: null,
    stopRequestedAt: null,
    wasReady: state === "ready",
    error: null,
    ...extra,
  };
}

function plan(replicas: ReplicaView[], overrides: Partial<PlanReplicasInput> = {}) {
  return planReplicas({
    desired: 1,
    revision: "new",
    rollout: "rolling",
    replicas,
    nowMs: t0 + 10_000,
    preStopMs: 2_000,
    drainMs: 30_000,
    killGraceMs: 5_000,
    startupBudgetMs: 60_000,
    startsBlocked: false,
    ...overrides,
  });
}

describe("planReplicas", () => {
  it("starts what is missing and nothing once it is there", () => {
    expect(plan([], { desired: 3 })).toEqual({
      actions: [{ type: "start", count: 3 }],
      drain: [],
      stopRequested: [],
      failedStarts: 0,
    });
    expect(plan([view("a", "new", "loading")])).toEqual({ actions: [], drain: [], stopRequested: [], failedStarts: 0 });
  });

  it("rolling: keeps the old replica until the new one is ready, then drains it", () => {
    const old = view("old", "old", "ready");
    expect(plan([old])).toMatchObject({ actions: [{ type: "start", count: 1 }], drain: [] });
    expect(plan([old, view("n", "new", "loading")])).toMatchObject({ actions: [], drain: [] });
    expect(plan([old, view("n", "new", "ready")])).toMatchObject({ actions: [], drain: ["old"] });
  });

  it("rolling with several replicas drains one old replica per new ready one, ready old ones kept first", () => {
    const replicas = [
      view("o1", "old", "loading"),
      view("o2", "old", "ready"),
      view("o3", "old", "ready"),
      view("n1", "new", "ready"),
      view("n2", "new", "loading"),
      view("n3", "new", "loading"),
    ];
    expect(plan(replicas, { desired: 3 }).drain).toEqual(["o1"]);
  });

  it("recreate: drains the old first and starts the new only once the old has exited", () => {
    const old = view("old", "old", "ready");
    expect(plan([old], { rollout: "recreate" })).toMatchObject({ actions: [], drain: ["old"] });
    const draining = { ...old, state: "draining" as const, drainStartedAt: new Date(t0) };
    expect(plan([draining], { rollout: "recreate" }).actions).toEqual([{ type: "terminate", name: "old" }]);
    expect(plan([{ ...draining, state: "exited" }], { rollout: "recreate" }).actions).toEqual([
      { type: "remove", name: "old" },
      { type: "start", count: 1 },
    ]);
  });

  it("follows the drain timeline: out of routing, SIGTERM after the pre-stop delay, SIGKILL after the drain", () => {
    const drainStartedAt = new Date(t0 + 9_000);
    const draining = view("a", "new", "draining", { drainStartedAt });
    expect(plan([draining], { desired: 0 })).toMatchObject({ actions: [], stopRequested: [] });
    expect(plan([draining], { desired: 0, nowMs: t0 + 11_000 })).toMatchObject({
      actions: [{ type: "terminate", name: "a" }],
      stopRequested: ["a"],
    });
    const signalled = { ...draining, stopRequestedAt: new Date(t0 + 11_000) };
    expect(plan([signalled], { desired: 0, nowMs: t0 + 40_000 }).actions).toEqual([]);
    expect(plan([signalled], { desired: 0, nowMs: t0 + 46_000 }).actions).toEqual([{ type: "kill", name: "a" }]);
  });

  it("scales down by draining replicas that are not ready first, then the newest", () => {
    const replicas = [
      view("a", "new", "ready", { startedAt: new Date(t0) }),
      view("b", "new", "ready", { startedAt: new Date(t0 + 1_000) }),
      view("c", "new", "loading"),
    ];
    expect(plan(replicas, { desired: 1 }).drain).toEqual(["c", "b"]);
  });

  it("counts failed starts (an exit before ever being ready, an overrun startup budget) and stops starting", () => {
    const crashed = view("a", "new", "exited", { wasReady: false });
    expect(plan([crashed])).toMatchObject({
      failedStarts: 1,
      actions: [
        { type: "remove", name: "a" },
        { type: "start", count: 1 },
      ],
    });
    const slow = view("s", "new", "loading", { startedAt: new Date(t0 - 60_000) });
    expect(plan([slow])).toMatchObject({ failedStarts: 1, drain: ["s"], actions: [{ type: "start", count: 1 }] });
    // A crash after serving is not a failed start; a drained replica's exit is expected.
    expect(plan([view("r", "new", "exited", { wasReady: true })]).failedStarts).toBe(0);
    expect(plan([view("d", "new", "exited", { drainStartedAt: new Date(t0) })]).failedStarts).toBe(0);
    expect(plan([crashed], { startsBlocked: true }).actions).toEqual([{ type: "remove", name: "a" }]);
  });
});
