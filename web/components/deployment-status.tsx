import type { DeploymentView, ReplicaView } from "../lib/operations/deployments";

const phaseClass: Record<DeploymentView["phase"], string> = {
  pending: "badge warn",
  provisioning: "badge warn",
  loading: "badge warn",
  updating: "badge warn",
  draining: "badge warn",
  ready: "badge ok",
  degraded: "badge danger",
  failed: "badge danger",
  stopped: "badge muted",
  sleeping: "badge muted",
  deleting: "badge muted",
};

const phaseNames: Record<DeploymentView["phase"], string> = {
  pending: "Pending",
  provisioning: "Provisioning",
  loading: "Loading",
  updating: "Updating",
  draining: "Draining",
  ready: "Ready",
  degraded: "Degraded",
  failed: "Failed",
  stopped: "Stopped",
  sleeping: "Sleeping",
  deleting: "Deleting",
};

/** The phase as a coloured badge ("Ready", "Loading"…); "Deleting" as soon as deletion was asked for. */
export function PhaseBadge({ deployment }: { deployment: Pick<DeploymentView, "phase" | "deletedAt"> }) {
  const phase = deployment.deletedAt ? "deleting" : deployment.phase;
  return (
    <span className={phaseClass[phase]} data-testid="deployment-phase">
      {phaseNames[phase]}
    </span>
  );
}

const healthClass: Record<ReplicaView["health"], string> = {
  healthy: "dot ok",
  loading: "dot warn",
  starting: "dot warn",
  draining: "dot warn",
  unknown: "dot",
  unhealthy: "dot danger",
  gone: "dot",
};

/** One dot per replica, coloured by health: a deployment's shape at a glance. */
export function ReplicaDots({ replicas }: { replicas: ReplicaView[] }) {
  return (
    <span
      className="dots"
      role="img"
      aria-label={replicas.map((r) => `${r.name} ${r.health}`).join(", ") || "no replicas"}
    >
      {replicas.map((replica) => (
        <span key={replica.name} className={healthClass[replica.health]} title={`${replica.name}: ${replica.health}`} />
      ))}
    </span>
  );
}

/** The load of the ready replicas: requests running and waiting, and the fullest KV cache. */
export function loadSummary(replicas: ReplicaView[]): string {
  const running = replicas.reduce((sum, r) => sum + r.runningRequests, 0);
  const waiting = replicas.reduce((sum, r) => sum + r.waitingRequests, 0);
  const kv = replicas.map((r) => r.kvCacheUsage).filter((v): v is number => v !== null);
  const cache = kv.length > 0 ? ` · KV ${Math.round(Math.max(...kv) * 100)}%` : "";
  return `${running} running, ${waiting} waiting${cache}`;
}
