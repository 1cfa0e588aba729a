import type { ReplicaEntry } from "@perimeter/core";

/** 32-bit FNV-1a: a fast, stable hash for choosing a session's replica. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export interface OrderOptions {
  /** Requests this gateway has in flight per replica endpoint. */
  inFlight: (endpoint: string) => number;
  /** Claude Code's `x-claude-code-session-id`, when sent. */
  sessionId?: string | null;
  /** How many more in-flight requests than the least loaded replica a session's replica may have and keep it. */
  stickyCap: number;
}

/**
 * The order in which to try a model's ready replicas: least outstanding requests first (this gateway's
 * in-flight count, then the load vLLM reported), except that a session keeps its replica — chosen by
 * rendezvous hashing, so it stays put as replicas come and go — while that replica is no more than
 * `stickyCap` requests busier than the least loaded one: its prefix cache holds the session's prompt. Pure.
 */
export function orderReplicas(entries: readonly ReplicaEntry[], options: OrderOptions): ReplicaEntry[] {
  const load = (entry: ReplicaEntry) => options.inFlight(entry.endpoint);
  const sorted = [...entries].sort(
    (a, b) =>
      load(a) - load(b) ||
      a.waitingRequests + a.runningRequests - (b.waitingRequests + b.runningRequests) ||
      a.replica.localeCompare(b.replica),
  );
  const session = options.sessionId;
  const least = sorted[0];
  if (!session || !least || sorted.length < 2) return sorted;
  let home = least;
  let best = -1;
  for (const entry of sorted) {
    const score = fnv1a(`${session}|${entry.deploymentId}|${entry.replica}`);
    if (score > best) [best, home] = [score, entry];
  }
  if (load(home) > load(least) + options.stickyCap) return sorted;
  return [home, ...sorted.filter((entry) => entry !== home)];
}
