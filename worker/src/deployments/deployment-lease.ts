import type { Redis } from "ioredis";

export interface DeploymentLease {
  /** How long a lease lasts unless extended; a pass that runs long re-acquires it every third of that. */
  readonly ttlMs: number;
  /** True when this owner holds the deployment's lease now (taken, or extended if already its own). */
  acquire(deploymentId: string): Promise<boolean>;
  /** Gives the lease up if this owner still holds it; another owner's lease is left alone. */
  release(deploymentId: string): Promise<void>;
}

// Compare-and-set in one script, so a lease that expired and was taken by someone else in between is
// never extended or deleted by its former holder.
const acquireScript = `
if redis.call("SET", KEYS[1], ARGV[1], "PX", ARGV[2], "NX") then return 1 end
if redis.call("GET", KEYS[1]) == ARGV[1] then redis.call("PEXPIRE", KEYS[1], ARGV[2]) return 1 end
return 0`;
const releaseScript = `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`;

/**
 * One owner per deployment at a time, across every worker: a Redis key holding the owner's id with
 * a TTL longer than any reconcile pass. BullMQ's one-job-per-id already keeps passes apart; the lease
 * also covers a job BullMQ judged stalled and handed to a second worker while the first still runs.
 */
export function createDeploymentLease(redis: Redis, options: { prefix: string; ownerId: string; ttlMs: number }) {
  const key = (deploymentId: string) => `${options.prefix}:deployments:lease:{${deploymentId}}`;
  const lease: DeploymentLease = {
    ttlMs: options.ttlMs,
    async acquire(deploymentId) {
      const got = await redis.eval(acquireScript, 1, key(deploymentId), options.ownerId, `${options.ttlMs}`);
      return got === 1;
    },
    async release(deploymentId) {
      await redis.eval(releaseScript, 1, key(deploymentId), options.ownerId);
    },
  };
  return lease;
}
