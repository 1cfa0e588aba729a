import { describe, expect, it } from "vitest";
import { type DeriveStatusInput, deriveStatus } from "./derive-status.ts";
import type { ReplicaView } from "./replica-view.ts";

function view(name: string, revision: string, state: ReplicaView["state"]): ReplicaView {
  return {
    name,
    revision,
    endpoint: null,
    state,
    startedAt: null,
    drainStartedAt: state === "draining" ? new Date() : null,
    stopRequestedAt: null,
    wasReady: false,
    error: null,
  };
}

function phase(replicas: ReplicaView[], overrides: Partial<DeriveStatusInput> = {}) {
  const status = deriveStatus({
    generation: 2,
    desired: 2,
    stopped: false,
    deleted: false,
    revision: "r2",
    replicas,
    readyGeneration: 0,
    crashLoop: false,
    detail: null,
    ...overrides,
  });
  return `${status.phase}${status.reason ? `/${status.reason}` : ""}`;
}

describe("deriveStatus", () => {
  it("walks a first rollout through Pending, Provisioning, Loading and Ready", () => {
    expect(phase([])).toBe("pending");
    expect(phase([view("a", "r2", "provisioning")])).toBe("provisioning/Provisioning");
    expect(phase([view("a", "r2", "loading"), view("b", "r2", "provisioning")])).toBe("loading/ModelLoading");
    expect(phase([view("a", "r2", "ready"), view("b", "r2", "ready")])).toBe("ready");
  });

  it("is Updating while a change rolls out and something serves, Degraded once the generation was reached", () => {
    const rolling = [view("a", "r1", "ready"), view("b", "r2", "loading")];
    expect(phase(rolling, { desired: 1, readyGeneration: 1 })).toBe("updating/RollingOut");
    const lostOne = [view("a", "r2", "ready"), view("b", "r2", "loading")];
    expect(phase(lostOne, { readyGeneration: 2 })).toBe("degraded/ReplicaUnready");
    expect(phase([view("a", "r2", "loading")], { readyGeneration: 2 })).toBe("degraded/NoReplicaReady");
    // Nothing on its way: one replica serves, the other fails its probes.
    expect(phase([view("a", "r2", "ready"), view("b", "r2", "unhealthy")])).toBe("degraded/ReplicaUnready");
    // A surplus replica still draining keeps a scale-down from being done.
    expect(phase([view("a", "r2", "ready"), view("b", "r2", "draining")], { desired: 1, readyGeneration: 1 })).toBe(
      "updating/RollingOut",
    );
  });

  it("reports a crash loop as Failed when nothing serves, as Degraded(UpdateFailed) when the old revision does", () => {
    expect(phase([], { crashLoop: true, detail: "exit 1" })).toBe("failed/CrashLoop");
    expect(phase([view("a", "r1", "ready")], { crashLoop: true })).toBe("degraded/UpdateFailed");
  });

  it("drains to Stopped, and Deleting wins over everything", () => {
    expect(phase([view("a", "r2", "draining")], { stopped: true, desired: 0 })).toBe("draining/UserStopped");
    expect(phase([view("a", "r2", "exited")], { stopped: true, desired: 0 })).toBe("stopped/UserStopped");
    expect(phase([], { desired: 0 })).toBe("stopped/ScaledToZero");
    expect(phase([view("a", "r2", "ready")], { deleted: true, desired: 0 })).toBe("deleting/Deleted");
  });
});
