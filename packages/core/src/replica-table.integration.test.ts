import { randomBytes } from "node:crypto";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import {
  isRoutable,
  publishDeploymentReplicas,
  type ReplicaEntry,
  readReplicaTable,
  removeDeploymentReplicas,
  replicaTableKeys,
  subscribeReplicaTable,
} from "./replica-table.ts";
import { createReplicaTableCache } from "./replica-table-cache.ts";

const redis = new Redis(inject("redisUrl"));
const prefix = `perimeter-test-${randomBytes(4).toString("hex")}`;
const keys = replicaTableKeys(prefix);

afterAll(async () => {
  const leftovers = await redis.keys(`${prefix}:*`);
  if (leftovers.length > 0) await redis.del(...leftovers);
  await redis.quit();
});

type Published = Omit<ReplicaEntry, "v" | "updatedAtMs" | "expiresAtMs">;

function replica(deploymentId: string, name: string, state: ReplicaEntry["state"], orgId = "org_a"): Published {
  return {
    deploymentId,
    orgId,
    replica: name,
    model: { publicName: "umans-coder-v0", aliases: ["claude-sonnet-4-5"], servedName: "umans-coder" },
    endpoint: `http://127.0.0.1:1/${name}`,
    revision: "r1",
    state,
    runningRequests: 2,
    waitingRequests: 1,
    kvCacheUsage: 0.5,
    maxModelLen: 163_840,
  };
}

async function until(check: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(check()).toBe(true);
}

describe("replica table", () => {
  it("publishes, reads back and expires a deployment's replicas, one Cluster slot per deployment", async () => {
    const nowMs = Date.now();
    expect(keys.deployment("dep_1")).toBe(`${prefix}:replicas:{dep_1}`);
    await publishDeploymentReplicas(redis, keys, {
      deploymentId: "dep_1",
      replicas: [replica("dep_1", "b", "loading"), replica("dep_1", "a", "ready")],
      ttlMs: 10_000,
      nowMs,
    });
    const table = await readReplicaTable(redis, keys, nowMs);
    const entries = table.get("dep_1") ?? [];
    expect(entries.map((entry) => [entry.replica, entry.state, isRoutable(entry, nowMs)])).toEqual([
      ["a", "ready", true],
      ["b", "loading", false],
    ]);
    expect(entries[0]).toMatchObject({ v: 1, updatedAtMs: nowMs, expiresAtMs: nowMs + 10_000 });
    // Past their expiry the entries are gone for readers, as when the owning worker died.
    expect((await readReplicaTable(redis, keys, nowMs + 10_001)).size).toBe(0);
    expect(await redis.pttl(keys.deployment("dep_1"))).toBeGreaterThan(0);
  });

  it("skips malformed entries instead of failing the read", async () => {
    const nowMs = Date.now();
    await publishDeploymentReplicas(redis, keys, {
      deploymentId: "dep_2",
      replicas: [replica("dep_2", "a", "ready")],
      ttlMs: 10_000,
      nowMs,
    });
    await redis.hset(keys.deployment("dep_2"), "junk", "{not json", "old", JSON.stringify({ v: 0 }));
    expect((await readReplicaTable(redis, keys, nowMs)).get("dep_2")?.map((entry) => entry.replica)).toEqual(["a"]);
  });

  it("notifies subscribers, and the gateway cache follows every change", async () => {
    const subscriber = new Redis(inject("redisUrl"));
    const cacheSubscriber = new Redis(inject("redisUrl"));
    const seen: string[] = [];
    const unsubscribe = await subscribeReplicaTable(subscriber, keys, (id) => seen.push(id));
    const cache = await createReplicaTableCache({ redis, subscriber: cacheSubscriber, keys, fullRefreshMs: 60_000 });
    try {
      const publish = (replicas: Published[]) =>
        publishDeploymentReplicas(redis, keys, { deploymentId: "dep_3", replicas, ttlMs: 10_000, nowMs: Date.now() });
      await publish([replica("dep_3", "a", "ready", "org_3"), replica("dep_3", "b", "loading", "org_3")]);
      await until(() => cache.routable("org_3", "umans-coder-v0").length === 1);
      expect(cache.routable("org_3", "claude-sonnet-4-5").map((entry) => entry.replica)).toEqual(["a"]);
      expect(cache.routable("org_b", "umans-coder-v0")).toEqual([]);

      await publish([replica("dep_3", "a", "draining", "org_3"), replica("dep_3", "b", "ready", "org_3")]);
      await until(() => cache.routable("org_3", "umans-coder-v0")[0]?.replica === "b");

      await removeDeploymentReplicas(redis, keys, "dep_3");
      await until(() => cache.routable("org_3", "umans-coder-v0").length === 0);
      expect(seen.filter((id) => id === "dep_3")).toHaveLength(3);
    } finally {
      await cache.close();
      await unsubscribe();
      subscriber.disconnect();
      cacheSubscriber.disconnect();
    }
  });
});
