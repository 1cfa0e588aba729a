import type { ReplicaEntry } from "@perimeter/core";
import { describe, expect, it } from "vitest";
import { orderReplicas } from "./order-replicas.ts";

function replica(name: string, running = 0): ReplicaEntry {
  return {
    v: 1,
    deploymentId: "dep_1",
    orgId: "org_1",
    replica: name,
    model: { publicName: "umans-coder-v0", aliases: [], servedName: "umans-coder" },
    endpoint: `http://${name}:8000`,
    revision: "r1",
    state: "ready",
    runningRequests: running,
    waitingRequests: 0,
    kvCacheUsage: null,
    maxModelLen: 163_840,
    updatedAtMs: 0,
    expiresAtMs: Number.MAX_SAFE_INTEGER,
  };
}

const names = (entries: ReplicaEntry[]) => entries.map((entry) => entry.replica);

describe("orderReplicas", () => {
  const three = [replica("a"), replica("b"), replica("c")];

  it("puts the replica with the fewest requests in flight first, then the least loaded as vLLM reports it", () => {
    const inFlight = (endpoint: string) =>
      ({ "http://a:8000": 3, "http://b:8000": 1, "http://c:8000": 1 })[endpoint] ?? 0;
    expect(names(orderReplicas([replica("a"), replica("b", 5), replica("c", 2)], { inFlight, stickyCap: 4 }))).toEqual([
      "c",
      "b",
      "a",
    ]);
  });

  it("keeps a session on one replica whatever the order it is given in", () => {
    const homes = new Set<string>();
    for (const order of [three, [...three].reverse(), [three[1], three[2], three[0]] as ReplicaEntry[]]) {
      homes.add(names(orderReplicas(order, { inFlight: () => 0, sessionId: "session-42", stickyCap: 4 }))[0] ?? "");
    }
    expect(homes.size).toBe(1);
  });

  it("spreads sessions over the replicas", () => {
    const homes = new Set<string>();
    for (let i = 0; i < 60; i++) {
      homes.add(names(orderReplicas(three, { inFlight: () => 0, sessionId: `s-${i}`, stickyCap: 4 }))[0] ?? "");
    }
    expect(homes).toEqual(new Set(["a", "b", "c"]));
  });

  it("moves a session off its replica once that one is more than the cap busier than the least loaded", () => {
    const home = names(orderReplicas(three, { inFlight: () => 0, sessionId: "s-1", stickyCap: 2 }))[0];
    const busy = (load: number) => (endpoint: string) => (endpoint === `http://${home}:8000` ? load : 0);
    expect(names(orderReplicas(three, { inFlight: busy(2), sessionId: "s-1", stickyCap: 2 }))[0]).toBe(home);
    expect(names(orderReplicas(three, { inFlight: busy(3), sessionId: "s-1", stickyCap: 2 }))[0]).not.toBe(home);
  });
});
