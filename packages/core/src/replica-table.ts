import type { Cluster, Redis } from "ioredis";
import { z } from "zod";

// The replica table: which vLLM endpoints serve which model right now, written by the worker that
// owns each deployment and read by every gateway. Redis holds it rather than Postgres because it
// changes every few seconds and the gateway reads it on its request path (from an in-process copy).
//
// Layout (Cluster-safe: every command touches one key, and each deployment's data is one key):
//   <prefix>:replicas:{<deploymentId>}  HASH   replica name → ReplicaEntry JSON, PEXPIRE ttl
//   <prefix>:replicas:index             ZSET   deploymentId, scored by the hash's expiry (epoch ms)
//   <prefix>:replicas:changed           PUBSUB message = deploymentId, after every write
// A worker that dies stops refreshing: its hash expires and readers drop entries past `expiresAtMs`.

/** Bumped when `ReplicaEntry` changes incompatibly; readers skip entries of other versions. */
export const replicaTableVersion = 1;

export interface ReplicaTableKeys {
  index: string;
  channel: string;
  deployment(deploymentId: string): string;
}

/** The keys of the replica table under `prefix` (`perimeter` in production; tests use their own). */
export function replicaTableKeys(prefix = "perimeter"): ReplicaTableKeys {
  return {
    index: `${prefix}:replicas:index`,
    channel: `${prefix}:replicas:changed`,
    // The braces make the deployment id the Cluster hash tag.
    deployment: (deploymentId) => `${prefix}:replicas:{${deploymentId}}`,
  };
}

/**
 * How a replica may be used. Only `ready` replicas take new requests; `loading` ones have their port
 * closed or their model not served yet, `draining` ones finish what they have and must get nothing new,
 * `unhealthy` ones failed their last probe or exited.
 */
export const replicaStates = ["loading", "ready", "draining", "unhealthy"] as const;
export type ReplicaState = (typeof replicaStates)[number];

export const replicaEntrySchema = z.object({
  v: z.literal(replicaTableVersion),
  deploymentId: z.string(),
  orgId: z.string(),
  /** The driver's name for the replica (process, container, pod); unique within the deployment. */
  replica: z.string(),
  model: z.object({
    /** What clients send (`umans-coder-v0`). */
    publicName: z.string(),
    aliases: z.array(z.string()),
    /** What the gateway must send vLLM as `model` (`--served-model-name`). */
    servedName: z.string(),
  }),
  /** Base URL of the vLLM server, no `/v1` suffix. */
  endpoint: z.string(),
  revision: z.string().nullable(),
  state: z.enum(replicaStates),
  /** `vllm:num_requests_running` / `_waiting` at the last scrape; 0 when `/metrics` gave nothing. */
  runningRequests: z.number().int().min(0),
  waitingRequests: z.number().int().min(0),
  /** `vllm:kv_cache_usage_perc`, 0..1; null when unknown. */
  kvCacheUsage: z.number().min(0).max(1).nullable(),
  /** `max_model_len` from `/v1/models`; null until the replica answered it. */
  maxModelLen: z.number().int().nullable(),
  updatedAtMs: z.number().int(),
  /** Past this instant the entry is stale (its worker stopped refreshing it) and must be ignored. */
  expiresAtMs: z.number().int(),
});
export type ReplicaEntry = z.output<typeof replicaEntrySchema>;

type RedisClient = Redis | Cluster;

/** Whether the gateway may send a new request to this replica at `nowMs`. */
export function isRoutable(entry: ReplicaEntry, nowMs: number): boolean {
  return entry.state === "ready" && entry.expiresAtMs > nowMs;
}

/** Whether `entry` serves the model a client named (public name or alias) in organization `orgId`. */
export function servesModel(entry: ReplicaEntry, orgId: string, modelName: string): boolean {
  return entry.orgId === orgId && (entry.model.publicName === modelName || entry.model.aliases.includes(modelName));
}

export interface PublishDeploymentReplicas {
  deploymentId: string;
  /** Every replica of the deployment now, whatever its state; an empty list removes the deployment. */
  replicas: Omit<ReplicaEntry, "v" | "updatedAtMs" | "expiresAtMs">[];
  /** How long the entries stay valid without another publish; a few poll intervals. */
  ttlMs: number;
  nowMs: number;
}

/**
 * Replaces a deployment's replicas in the table (one MULTI on its own key, so readers never see half
 * of it), refreshes its expiry in the index, then notifies subscribers. Called by the worker that
 * owns the deployment after every reconcile pass.
 */
export async function publishDeploymentReplicas(
  redis: RedisClient,
  keys: ReplicaTableKeys,
  update: PublishDeploymentReplicas,
): Promise<void> {
  const key = keys.deployment(update.deploymentId);
  const expiresAtMs = update.nowMs + update.ttlMs;
  if (update.replicas.length === 0) {
    await removeDeploymentReplicas(redis, keys, update.deploymentId);
    return;
  }
  const fields: string[] = [];
  for (const replica of update.replicas) {
    const entry: ReplicaEntry = { ...replica, v: replicaTableVersion, updatedAtMs: update.nowMs, expiresAtMs };
    fields.push(replica.replica, JSON.stringify(entry));
  }
  await redis
    .multi()
    .del(key)
    .hset(key, ...fields)
    .pexpire(key, update.ttlMs)
    .exec();
  await redis.zadd(keys.index, expiresAtMs, update.deploymentId);
  await redis.zremrangebyscore(keys.index, "-inf", update.nowMs);
  await redis.publish(keys.channel, update.deploymentId);
}

/** Takes a deployment out of the table at once (stopped, deleted) and notifies subscribers. */
export async function removeDeploymentReplicas(
  redis: RedisClient,
  keys: ReplicaTableKeys,
  deploymentId: string,
): Promise<void> {
  await redis.del(keys.deployment(deploymentId));
  await redis.zrem(keys.index, deploymentId);
  await redis.publish(keys.channel, deploymentId);
}

function parseEntries(hash: Record<string, string>, nowMs: number): ReplicaEntry[] {
  const entries: ReplicaEntry[] = [];
  for (const raw of Object.values(hash)) {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      continue;
    }
    const parsed = replicaEntrySchema.safeParse(json);
    // Malformed or other-version entries are skipped, never fatal: a reader must keep routing.
    if (parsed.success && parsed.data.expiresAtMs > nowMs) entries.push(parsed.data);
  }
  return entries.sort((a, b) => a.replica.localeCompare(b.replica));
}

/** The unexpired replicas of one deployment, sorted by replica name; `[]` when it has none. */
export async function readDeploymentReplicas(
  redis: RedisClient,
  keys: ReplicaTableKeys,
  deploymentId: string,
  nowMs: number,
): Promise<ReplicaEntry[]> {
  return parseEntries(await redis.hgetall(keys.deployment(deploymentId)), nowMs);
}

/** Every unexpired replica of every deployment, grouped by deployment id. */
export async function readReplicaTable(
  redis: RedisClient,
  keys: ReplicaTableKeys,
  nowMs: number,
): Promise<Map<string, ReplicaEntry[]>> {
  const ids = await redis.zrangebyscore(keys.index, `(${nowMs}`, "+inf");
  const table = new Map<string, ReplicaEntry[]>();
  await Promise.all(
    ids.map(async (id) => {
      const entries = await readDeploymentReplicas(redis, keys, id, nowMs);
      if (entries.length > 0) table.set(id, entries);
    }),
  );
  return table;
}

/**
 * Calls `onChange(deploymentId)` for every table write, on `subscriber`, a connection used for
 * nothing else (a subscribed Redis connection cannot run other commands). Resolves once subscribed;
 * the returned function unsubscribes. Pub/sub is fire-and-forget: callers also re-read the whole table
 * now and then (`createReplicaTableCache` does) so a message lost in a reconnect costs only a delay.
 */
export async function subscribeReplicaTable(
  subscriber: RedisClient,
  keys: ReplicaTableKeys,
  onChange: (deploymentId: string) => void,
): Promise<() => Promise<void>> {
  const listener = (channel: string, message: string) => {
    if (channel === keys.channel) onChange(message);
  };
  subscriber.on("message", listener);
  await subscriber.subscribe(keys.channel);
  return async () => {
    subscriber.off("message", listener);
    await subscriber.unsubscribe(keys.channel);
  };
}
