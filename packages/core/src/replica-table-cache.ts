import type { Cluster, Redis } from "ioredis";
import {
  isRoutable,
  type ReplicaEntry,
  type ReplicaTableKeys,
  readDeploymentReplicas,
  readReplicaTable,
  servesModel,
  subscribeReplicaTable,
} from "./replica-table.ts";

export interface ReplicaTableCacheOptions {
  /** For reads. */
  redis: Redis | Cluster;
  /** A connection of its own, put in subscriber mode. */
  subscriber: Redis | Cluster;
  keys: ReplicaTableKeys;
  /** Whole-table re-read period, which bounds how long a lost notification can go unnoticed. */
  fullRefreshMs?: number;
  now?: () => number;
  /** Read errors (Redis away); the cache keeps serving what it had, which expires on its own. */
  onError?: (error: unknown) => void;
}

export interface ReplicaTableCache {
  /** Replicas of organization `orgId` serving `modelName` (public name or alias) that may take a request now. */
  routable(orgId: string, modelName: string): ReplicaEntry[];
  /** Every cached, unexpired entry by deployment id, whatever its state. */
  snapshot(): Map<string, ReplicaEntry[]>;
  /** Re-reads the whole table now. */
  refresh(): Promise<void>;
  close(): Promise<void>;
}

/**
 * An in-process copy of the replica table for the gateway's request path: filled once before it
 * resolves, updated per deployment on every change notification, and re-read whole every
 * `fullRefreshMs`. Lookups are synchronous and never touch Redis; entries past their expiry are
 * ignored, so a dead worker's replicas stop being routable even if Redis is unreachable.
 */
export async function createReplicaTableCache(options: ReplicaTableCacheOptions): Promise<ReplicaTableCache> {
  const { redis, subscriber, keys } = options;
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => {});
  let table = new Map<string, ReplicaEntry[]>();
  // One read per deployment at a time; a notification during a read asks for one more afterwards,
  // so the last write always wins.
  const reading = new Map<string, Promise<void>>();
  const again = new Set<string>();

  const readOne = (deploymentId: string): Promise<void> => {
    const inFlight = reading.get(deploymentId);
    if (inFlight) {
      again.add(deploymentId);
      return inFlight;
    }
    const read = (async () => {
      try {
        const entries = await readDeploymentReplicas(redis, keys, deploymentId, now());
        if (entries.length > 0) table.set(deploymentId, entries);
        else table.delete(deploymentId);
      } catch (error) {
        onError(error);
      } finally {
        reading.delete(deploymentId);
        if (again.delete(deploymentId)) void readOne(deploymentId);
      }
    })();
    reading.set(deploymentId, read);
    return read;
  };

  const refresh = async () => {
    try {
      table = await readReplicaTable(redis, keys, now());
    } catch (error) {
      onError(error);
    }
  };

  const unsubscribe = await subscribeReplicaTable(subscriber, keys, (deploymentId) => void readOne(deploymentId));
  await refresh();
  const timer = setInterval(() => void refresh(), options.fullRefreshMs ?? 5_000);
  timer.unref();

  return {
    routable(orgId, modelName) {
      const nowMs = now();
      const out: ReplicaEntry[] = [];
      for (const entries of table.values()) {
        for (const entry of entries)
          if (servesModel(entry, orgId, modelName) && isRoutable(entry, nowMs)) out.push(entry);
      }
      return out;
    },
    snapshot() {
      const nowMs = now();
      const out = new Map<string, ReplicaEntry[]>();
      for (const [id, entries] of table) {
        const fresh = entries.filter((entry) => entry.expiresAtMs > nowMs);
        if (fresh.length > 0) out.set(id, fresh);
      }
      return out;
    },
    refresh,
    async close() {
      clearInterval(timer);
      await unsubscribe();
      await Promise.allSettled(reading.values());
    },
  };
}
