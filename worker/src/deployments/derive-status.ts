import type { DeploymentPhase } from "@perimeter/db";
import { isAlive, type ReplicaView } from "./replica-view.ts";

export interface DeriveStatusInput {
  generation: number;
  /** Replicas wanted (0 when stopped or deleted). */
  desired: number;
  stopped: boolean;
  deleted: boolean;
  revision: string;
  /** Replicas after this pass's plan (drains already applied). */
  replicas: ReplicaView[];
  /** The generation at which the deployment was last Ready (0: never). */
  readyGeneration: number;
  /** The target revision failed to start too often. */
  crashLoop: boolean;
  /** A platform remark (unschedulable pod, stuck rollout) or the last start failure. */
  detail: string | null;
}

export interface DerivedStatus {
  phase: DeploymentPhase;
  reason: string | null;
  message: string | null;
  readyReplicas: number;
}

/**
 * Pure: the deployment's phase from what was observed, per the state machine in docs/deployments.md.
 * `Updating` means a change (new generation: a spec edit or a scale) is being rolled out while
 * something serves; `Degraded` means fewer replicas are ready than wanted and nothing is on its way
 * (the generation was reached before, or the missing ones are failing rather than starting). Loading covers "port closed, model loading"; Provisioning "created, not running".
 */
export function deriveStatus(input: DeriveStatusInput): DerivedStatus {
  const alive = input.replicas.filter(isAlive);
  const ready = alive.filter((view) => view.state === "ready");
  const readyTarget = ready.filter((view) => view.revision === input.revision);
  const counts = `${readyTarget.length}/${input.desired} ready`;
  const result = (phase: DeploymentPhase, reason: string | null, message: string | null): DerivedStatus => ({
    phase,
    reason,
    message,
    readyReplicas: ready.length,
  });

  if (input.deleted) return result("deleting", "Deleted", `${alive.length} replica(s) left to stop`);
  if (input.stopped || input.desired === 0) {
    const reason = input.stopped ? "UserStopped" : "ScaledToZero";
    return alive.length > 0
      ? result("draining", reason, `${alive.length} replica(s) draining`)
      : result("stopped", reason, null);
  }
  if (input.crashLoop) {
    const message = `revision ${input.revision} keeps failing to start${input.detail ? `: ${input.detail}` : ""}`;
    return ready.length > 0 ? result("degraded", "UpdateFailed", message) : result("failed", "CrashLoop", message);
  }
  const serving = (view: ReplicaView) => view.revision === input.revision && view.state !== "draining";
  const others = alive.filter((view) => !serving(view));
  const targetAlive = alive.filter(serving);
  if (readyTarget.length >= input.desired && others.length === 0 && targetAlive.length === input.desired) {
    return result("ready", null, counts);
  }
  const reached = input.readyGeneration >= input.generation;
  // Still converging: old or surplus replicas to retire, new ones starting, or some not created yet.
  const progressing =
    others.length > 0 ||
    targetAlive.length < input.desired ||
    targetAlive.some((view) => view.state === "loading" || view.state === "provisioning");
  if (ready.length > 0) {
    return !reached && progressing
      ? result("updating", "RollingOut", `${counts}, ${others.length} old or surplus replica(s) left`)
      : result("degraded", "ReplicaUnready", input.detail ? `${counts}: ${input.detail}` : counts);
  }
  if (reached) return result("degraded", "NoReplicaReady", input.detail ?? counts);
  if (targetAlive.some((view) => view.state === "loading" || view.state === "unhealthy")) {
    return result("loading", "ModelLoading", input.detail ?? counts);
  }
  if (targetAlive.length > 0) return result("provisioning", "Provisioning", input.detail ?? counts);
  return result("pending", null, input.detail);
}
