import type { ReplicaAction } from "./driver.ts";
import { isAlive, type ReplicaView } from "./replica-view.ts";

export interface PlanReplicasInput {
  /** Replicas wanted for the target revision (0 when stopped or deleted). */
  desired: number;
  revision: string;
  rollout: "recreate" | "rolling";
  replicas: ReplicaView[];
  nowMs: number;
  /** Out of routing this long before SIGTERM, so every gateway has seen the replica leave. */
  preStopMs: number;
  /** After SIGTERM, vLLM's `--shutdown-timeout`; SIGKILL once this plus `killGraceMs` has passed. */
  drainMs: number;
  killGraceMs: number;
  /** A replica of the target revision still not ready after this is a failed start. */
  startupBudgetMs: number;
  /** The target revision failed to start too often: start no more of it until the spec changes. */
  startsBlocked: boolean;
}

export interface ReplicaPlan {
  actions: ReplicaAction[];
  /** Replicas to take out of routing now (their `drainStartedAt` is set to now). */
  drain: string[];
  /** Replicas signalled with SIGTERM in this pass (their `stopRequestedAt` is set to now). */
  stopRequested: string[];
  /** Target-revision replicas that exited before ever being ready, or overran the startup budget. */
  failedStarts: number;
}

const readyFirst = (a: ReplicaView, b: ReplicaView) => Number(b.state === "ready") - Number(a.state === "ready");
const newestFirst = (a: ReplicaView, b: ReplicaView) => (b.startedAt?.getTime() ?? 0) - (a.startedAt?.getTime() ?? 0);

/**
 * Pure: the next steps towards `desired` ready replicas of `revision` for drivers whose platform has
 * no rollout of its own (simulator, Docker). Rolling: new replicas are started first and old ones
 * drained only as new ones become ready, so ready capacity never drops below what is wanted.
 * Recreate: old replicas drain first and new ones start once the old are gone (their GPUs free).
 * Draining is a timeline: out of routing → SIGTERM after `preStopMs` → SIGKILL after the drain.
 * Running the plan again on the same input gives the same plan, so a repeated pass is harmless.
 */
export function planReplicas(input: PlanReplicasInput): ReplicaPlan {
  const plan: ReplicaPlan = { actions: [], drain: [], stopRequested: [], failedStarts: 0 };
  const { nowMs } = input;
  const drainNow = (view: ReplicaView) => plan.drain.push(view.name);

  for (const view of input.replicas) {
    if (view.state === "exited") {
      plan.actions.push({ type: "remove", name: view.name });
      if (!view.drainStartedAt && view.revision === input.revision && !view.wasReady) plan.failedStarts++;
      continue;
    }
    if (!view.drainStartedAt) continue;
    if (!view.stopRequestedAt) {
      if (nowMs - view.drainStartedAt.getTime() >= input.preStopMs) {
        plan.actions.push({ type: "terminate", name: view.name });
        plan.stopRequested.push(view.name);
      }
    } else if (nowMs - view.stopRequestedAt.getTime() >= input.drainMs + input.killGraceMs) {
      plan.actions.push({ type: "kill", name: view.name });
    }
  }

  const active = input.replicas.filter((view) => isAlive(view) && !view.drainStartedAt);
  const target: ReplicaView[] = [];
  const old: ReplicaView[] = [];
  for (const view of active) {
    const starting = view.state === "loading" || view.state === "provisioning";
    const overBudget = starting && view.startedAt && nowMs - view.startedAt.getTime() > input.startupBudgetMs;
    if (view.revision === input.revision && overBudget) {
      plan.failedStarts++;
      drainNow(view);
    } else if (view.revision === input.revision) target.push(view);
    else old.push(view);
  }

  const targetReady = target.filter((view) => view.state === "ready").length;
  if (input.rollout === "recreate") {
    for (const view of old) drainNow(view);
  } else {
    // Keep as many old replicas as new ready ones are still missing, the ready ones first.
    const keep = Math.max(0, input.desired - targetReady);
    for (const view of [...old].sort(readyFirst).slice(keep)) drainNow(view);
  }

  // Scale-down: the replicas doing the least go first (not ready, then the newest).
  const surplus = target.length - input.desired;
  if (surplus > 0) {
    const order = [...target].sort((a, b) => -readyFirst(a, b) || newestFirst(a, b));
    for (const view of order.slice(0, surplus)) drainNow(view);
  }

  const oldStillHolding = input.replicas.some((view) => isAlive(view) && view.revision !== input.revision);
  const missing = input.desired - Math.min(target.length, input.desired);
  const mayStart = !input.startsBlocked && !(input.rollout === "recreate" && oldStillHolding);
  if (missing > 0 && mayStart) plan.actions.push({ type: "start", count: missing });
  return plan;
}
