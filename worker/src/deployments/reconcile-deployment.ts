import {
  effectiveRollout,
  type OrgContext,
  publishDeploymentReplicas,
  purgeDeployment,
  type ReplicaTableKeys,
  recordDeploymentStatus,
  removeDeploymentReplicas,
} from "@perimeter/core";
import type { Db, DeploymentReplica } from "@perimeter/db";
import { errorMessage, type Logger } from "@perimeter/runtime";
import type { Redis } from "ioredis";
import { ZodError } from "zod";
import { buildReplicaViews, tableStateOf, toObservedReplica } from "./build-replica-views.ts";
import type { DeploymentLease } from "./deployment-lease.ts";
import { type LoadedDeployment, loadDeployment } from "./deployment-target.ts";
import { type DerivedStatus, deriveStatus } from "./derive-status.ts";
import type { DeploymentDriver, DriverObservation, RenderedDeployment } from "./driver.ts";
import { planReplicas } from "./plan-replicas.ts";
import { type ProbeResult, probeReplica } from "./probe-replica.ts";
import type { ReplicaView } from "./replica-view.ts";

export interface ReconcileSettings {
  /** Delay between passes for one deployment; bounds how fast a dead replica leaves routing. */
  pollIntervalMs: number;
  /** Lifetime of published replica entries without a refresh (a few poll intervals). */
  replicaTtlMs: number;
  probeTimeoutMs: number;
  /** SIGKILL this long after the drain timeout if a replica is still alive. */
  killGraceMs: number;
  /** Failed starts of one revision before the reconciler stops trying it (CrashLoop). */
  maxFailedStarts: number;
}

export interface ReconcileDeps {
  db: Db;
  redis: Redis;
  lease: DeploymentLease;
  driverFor: (kind: LoadedDeployment["target"]["driver"]) => DeploymentDriver;
  replicaKeys: ReplicaTableKeys;
  settings: ReconcileSettings;
  log: Logger;
  now?: () => Date;
}

export type ReconcileOutcome =
  | { outcome: "reconciled"; phase: DerivedStatus["phase"]; nextDelayMs: number }
  /** Another owner holds the lease; try again later. */
  | { outcome: "lease-held"; nextDelayMs: number }
  /** The deployment is gone (purged now or before): no more passes. */
  | { outcome: "gone" };

/** Bookkeeping kept across passes in `deployments.status_detail`. */
interface StatusDetail {
  readyGeneration: number;
  /** Failed starts per revision; only the current target's count matters. */
  failedStarts: Record<string, number>;
}

function readDetail(raw: Record<string, unknown>): StatusDetail {
  const readyGeneration = typeof raw.readyGeneration === "number" ? raw.readyGeneration : 0;
  const failedStarts = (raw.failedStarts ?? {}) as Record<string, number>;
  return { readyGeneration, failedStarts };
}

const systemActor = { type: "system", label: "deployment-reconciler" } as const;

/**
 * One level-triggered pass for a deployment: observe the platform and probe the replicas, compare
 * with the desired state, act (start, drain, stop, apply), write the status, publish the replica
 * table. Safe to run again at any point, and at most one pass per deployment runs at a time (the
 * lease). The caller schedules the next pass after `nextDelayMs`.
 */
export async function reconcileDeployment(deps: ReconcileDeps, deploymentId: string): Promise<ReconcileOutcome> {
  const { settings } = deps;
  if (!(await deps.lease.acquire(deploymentId))) return { outcome: "lease-held", nextDelayMs: settings.pollIntervalMs };
  // A pass that waits on the platform (an image pull) keeps its lease rather than sharing the deployment.
  const renew = setInterval(() => void deps.lease.acquire(deploymentId).catch(() => {}), deps.lease.ttlMs / 3);
  try {
    let loaded: LoadedDeployment | null;
    try {
      loaded = await loadDeployment(deps.db, deploymentId);
    } catch (error) {
      if (!(error instanceof ZodError)) throw error;
      return await recordInvalidSpec(deps, deploymentId, error);
    }
    if (!loaded) {
      await removeDeploymentReplicas(deps.redis, deps.replicaKeys, deploymentId);
      return { outcome: "gone" };
    }
    try {
      return await runPass(deps, loaded);
    } catch (error) {
      return await recordDriverError(deps, loaded, error);
    }
  } finally {
    clearInterval(renew);
    await deps.lease.release(deploymentId);
  }
}

async function recordInvalidSpec(
  deps: ReconcileDeps,
  deploymentId: string,
  error: ZodError,
): Promise<ReconcileOutcome> {
  const row = await deps.db.deployment.findUnique({ where: { id: deploymentId } });
  if (!row) return { outcome: "gone" };
  const ctx: OrgContext = { db: deps.db, orgId: row.orgId, actor: systemActor, ...(deps.now ? { now: deps.now } : {}) };
  await recordDeploymentStatus(ctx, {
    deploymentId,
    observedGeneration: row.generation,
    phase: "failed",
    reason: "InvalidSpec",
    message: error.issues.map((issue) => `${issue.path.join(".")}: ${issue.message}`).join("; "),
    targetRevision: null,
    readyReplicas: 0,
    statusDetail: (row.statusDetail ?? {}) as Record<string, unknown>,
    replicas: [],
  });
  return { outcome: "reconciled", phase: "failed", nextDelayMs: deps.settings.pollIntervalMs };
}

/**
 * A pass that failed on the platform (API unreachable, conflict): the phase and replicas stay as last
 * seen and the reason says what went wrong; the next pass tries again after a longer delay.
 */
async function recordDriverError(
  deps: ReconcileDeps,
  loaded: LoadedDeployment,
  error: unknown,
): Promise<ReconcileOutcome> {
  const { target, previous } = loaded;
  const message = errorMessage(error);
  deps.log.warn("reconcile failed", { deployment: target.id, error: message });
  const ctx: OrgContext = {
    db: deps.db,
    orgId: target.orgId,
    actor: systemActor,
    ...(deps.now ? { now: deps.now } : {}),
  };
  const row = await deps.db.deployment.findUnique({ where: { id: target.id } });
  if (!row) return { outcome: "gone" };
  await recordDeploymentStatus(ctx, {
    deploymentId: target.id,
    observedGeneration: row.observedGeneration,
    phase: row.phase,
    reason: "DriverError",
    message: message.slice(0, 2000),
    targetRevision: row.targetRevision,
    readyReplicas: row.readyReplicas,
    statusDetail: previous.statusDetail,
    replicas: loaded.replicaRows.map(({ id: _id, deploymentId: _d, createdAt: _c, updatedAt: _u, ...kept }) => kept),
  });
  return { outcome: "reconciled", phase: row.phase, nextDelayMs: deps.settings.pollIntervalMs * 5 };
}

async function probeAll(
  observation: DriverObservation,
  rows: Map<string, DeploymentReplica>,
  servedName: string,
  timeoutMs: number,
): Promise<Map<string, ProbeResult>> {
  const probes = new Map<string, ProbeResult>();
  await Promise.all(
    observation.replicas.map(async (replica) => {
      const stopping = rows.get(replica.name)?.stopRequestedAt || replica.terminating;
      if (replica.phase !== "running" || !replica.endpoint || stopping) return;
      probes.set(replica.name, await probeReplica(replica.endpoint, servedName, timeoutMs));
    }),
  );
  return probes;
}

async function runPass(deps: ReconcileDeps, loaded: LoadedDeployment): Promise<ReconcileOutcome> {
  const { target, previous } = loaded;
  const { settings } = deps;
  const now = deps.now ? deps.now() : new Date();
  const ctx: OrgContext = {
    db: deps.db,
    orgId: target.orgId,
    actor: systemActor,
    ...(deps.now ? { now: deps.now } : {}),
  };
  const driver = deps.driverFor(target.driver);
  let rendered: RenderedDeployment;
  try {
    rendered = driver.render(target);
  } catch (error) {
    await recordDeploymentStatus(ctx, {
      deploymentId: target.id,
      observedGeneration: target.generation,
      phase: "failed",
      reason: "InvalidSpec",
      message: errorMessage(error),
      targetRevision: null,
      readyReplicas: 0,
      statusDetail: previous.statusDetail,
      replicas: [],
    });
    return { outcome: "reconciled", phase: "failed", nextDelayMs: settings.pollIntervalMs };
  }

  const observation = await driver.observe(target);
  const rows = new Map(loaded.replicaRows.map((row) => [row.name, row]));
  const probes = await probeAll(observation, rows, target.model.servedName, settings.probeTimeoutMs);
  let views = buildReplicaViews(observation.replicas, rows, probes);
  const detail = readDetail(previous.statusDetail);
  const failedBefore = detail.failedStarts[rendered.revision] ?? 0;

  let failedNow = 0;
  if (driver.managesRollout) {
    if (target.deleted) {
      if (observation.resourcesExist) await driver.delete(target);
    } else {
      const stale =
        observation.appliedRevision !== rendered.revision || observation.appliedReplicas !== target.replicas;
      if (!observation.resourcesExist || stale) await driver.apply(target, rendered, []);
    }
  } else {
    const plan = planReplicas({
      desired: target.replicas,
      revision: rendered.revision,
      rollout: effectiveRollout(target.spec),
      replicas: views,
      nowMs: now.getTime(),
      preStopMs: target.spec.preStopSec * 1000,
      drainMs: target.spec.drainTimeoutSec * 1000,
      killGraceMs: settings.killGraceMs,
      startupBudgetMs: target.spec.startupBudgetSec * 1000,
      startsBlocked: failedBefore >= settings.maxFailedStarts,
    });
    failedNow = plan.failedStarts;
    const drained = new Set(plan.drain);
    const signalled = new Set(plan.stopRequested);
    views = views.map(
      (view): ReplicaView => ({
        ...view,
        ...(drained.has(view.name) ? { state: "draining", drainStartedAt: now } : {}),
        ...(signalled.has(view.name) ? { stopRequestedAt: now } : {}),
      }),
    );
    if (plan.actions.length > 0) await driver.apply(target, rendered, plan.actions);
  }

  const failedStarts = failedBefore + failedNow;
  const crashLoop = failedStarts >= settings.maxFailedStarts;
  const lastError = views.find((view) => view.error && view.revision === rendered.revision)?.error ?? null;
  const status = deriveStatus({
    generation: target.generation,
    desired: target.replicas,
    stopped: target.desiredState === "stopped",
    deleted: target.deleted,
    revision: rendered.revision,
    replicas: views,
    readyGeneration: detail.readyGeneration,
    crashLoop,
    detail: observation.message ?? lastError,
  });
  const statusDetail: StatusDetail = {
    readyGeneration: status.phase === "ready" ? target.generation : detail.readyGeneration,
    // Only the target revision's count is worth keeping.
    failedStarts: failedStarts > 0 ? { [rendered.revision]: failedStarts } : {},
  };
  // Exited replicas of replica-managing drivers were removed by this pass; pods stay until Kubernetes drops them.
  const kept = views
    .filter((view) => view.state !== "exited" || driver.managesRollout)
    .map((view) => ({ view, observed: toObservedReplica(view, rows.get(view.name), probes.get(view.name), now) }));
  const recorded = await recordDeploymentStatus(ctx, {
    deploymentId: target.id,
    observedGeneration: target.generation,
    ...status,
    targetRevision: rendered.revision,
    statusDetail: { ...statusDetail },
    replicas: kept.map(({ observed }) => observed),
  });
  if (!recorded.ok) return { outcome: "gone" };
  if (recorded.phaseChanged) {
    deps.log.info("deployment phase", { deployment: target.id, phase: status.phase, reason: status.reason });
  }

  const nothingLeft = !views.some((view) => view.state !== "exited");
  if (target.deleted && nothingLeft && (!driver.managesRollout || !observation.resourcesExist)) {
    await driver.delete(target);
    await purgeDeployment(ctx, { deploymentId: target.id });
    await removeDeploymentReplicas(deps.redis, deps.replicaKeys, target.id);
    deps.log.info("deployment purged", { deployment: target.id });
    return { outcome: "gone" };
  }

  await publishDeploymentReplicas(deps.redis, deps.replicaKeys, {
    deploymentId: target.id,
    ttlMs: settings.replicaTtlMs,
    nowMs: now.getTime(),
    replicas: kept
      .filter(({ view }) => view.endpoint && view.state !== "exited")
      .map(({ view, observed }) => ({
        deploymentId: target.id,
        orgId: target.orgId,
        replica: view.name,
        model: {
          publicName: target.model.publicName,
          aliases: target.model.aliases,
          servedName: target.model.servedName,
        },
        endpoint: observed.endpoint,
        revision: view.revision,
        state: tableStateOf[view.state],
        runningRequests: observed.runningRequests,
        waitingRequests: observed.waitingRequests,
        kvCacheUsage: observed.kvCacheUsage,
        maxModelLen: observed.maxModelLen,
      })),
  });
  return { outcome: "reconciled", phase: status.phase, nextDelayMs: settings.pollIntervalMs };
}
