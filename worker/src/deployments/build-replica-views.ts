import type { ObservedReplica, ReplicaState } from "@perimeter/core";
import type { DeploymentReplica } from "@perimeter/db";
import type { DriverReplica } from "./driver.ts";
import type { ProbeResult } from "./probe-replica.ts";
import type { ReplicaView } from "./replica-view.ts";

/**
 * Pure: merges what the driver reports, what the probes found and the drain bookkeeping kept in the
 * replica rows into one view per replica. The platform's own readiness (Kubernetes) wins over the
 * worker's probe, which then only supplies load figures.
 */
export function buildReplicaViews(
  replicas: DriverReplica[],
  rows: Map<string, DeploymentReplica>,
  probes: Map<string, ProbeResult>,
): ReplicaView[] {
  return replicas.map((replica): ReplicaView => {
    const row = rows.get(replica.name);
    const probe = probes.get(replica.name);
    const drainStartedAt = row?.drainStartedAt ?? null;
    let state: ReplicaView["state"];
    let error = replica.message ?? null;
    if (replica.phase === "exited") state = "exited";
    else if (drainStartedAt || replica.terminating) state = "draining";
    else if (replica.phase === "provisioning") state = "provisioning";
    else if (replica.ready !== undefined)
      state = replica.ready ? "ready" : replica.reason === "Loading" ? "loading" : "unhealthy";
    else if (probe) {
      state = probe.state;
      if (probe.state !== "ready") error = probe.error;
    } else state = "loading";
    const wasReady = state === "ready" || row?.health === "healthy" || (row?.maxModelLen ?? null) !== null;
    return {
      name: replica.name,
      revision: replica.revision,
      endpoint: replica.endpoint,
      state,
      startedAt: replica.startedAt ?? row?.startedAt ?? null,
      drainStartedAt,
      stopRequestedAt: row?.stopRequestedAt ?? null,
      wasReady,
      error,
    };
  });
}

const healthOf: Record<ReplicaView["state"], ObservedReplica["health"]> = {
  provisioning: "starting",
  loading: "loading",
  ready: "healthy",
  unhealthy: "unhealthy",
  draining: "draining",
  exited: "gone",
};

/** What the gateway may do with a replica in this state (`ready` only takes new requests). */
export const tableStateOf: Record<ReplicaView["state"], ReplicaState> = {
  provisioning: "loading",
  loading: "loading",
  ready: "ready",
  unhealthy: "unhealthy",
  draining: "draining",
  exited: "unhealthy",
};

/** A replica row for `recordDeploymentStatus`, carrying the last known `max_model_len` forward. */
export function toObservedReplica(
  view: ReplicaView,
  row: DeploymentReplica | undefined,
  probe: ProbeResult | undefined,
  now: Date,
): ObservedReplica {
  const load = probe?.state === "ready" ? probe.load : null;
  return {
    name: view.name,
    endpoint: view.endpoint ?? "",
    revision: view.revision,
    health: healthOf[view.state],
    healthCheckedAt: probe ? now : (row?.healthCheckedAt ?? null),
    lastError: view.error?.slice(0, 2000) ?? null,
    runningRequests: load?.runningRequests ?? 0,
    waitingRequests: load?.waitingRequests ?? 0,
    kvCacheUsage: load?.kvCacheUsage ?? null,
    maxModelLen: (probe?.state === "ready" ? probe.maxModelLen : null) ?? row?.maxModelLen ?? null,
    drainStartedAt: view.drainStartedAt,
    stopRequestedAt: view.stopRequestedAt,
    startedAt: view.startedAt,
  };
}
