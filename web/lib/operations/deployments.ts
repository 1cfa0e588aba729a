import {
  type CreateDeploymentInput,
  createDeployment,
  deleteDeployment,
  readDeploymentReplicas,
  replicaTableKeys,
  type ScaleDeploymentInput,
  type SetDeploymentStateInput,
  scaleDeployment,
  setDeploymentState,
  updateDeployment,
} from "@perimeter/core";
import type { Deployment, DeploymentReplica } from "@perimeter/db";
import { z } from "zod";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import { maskSpecEnv, restoreMaskedEnv } from "./deployment-spec-env";
import { coreContext, type OperationEnv } from "./operation-env";
import {
  forbidden,
  guard,
  invalid,
  notFound,
  type OperationFailure,
  type OperationResult,
  ok,
} from "./operation-result";

/** One replica as the dashboard shows it: the worker's row, and whether the gateways route to it now. */
export interface ReplicaView {
  name: string;
  endpoint: string;
  revision: string | null;
  health: DeploymentReplica["health"];
  healthCheckedAt: Date | null;
  lastError: string | null;
  runningRequests: number;
  waitingRequests: number;
  /** 0..1, or null when the engine reports no KV-cache figure. */
  kvCacheUsage: number | null;
  maxModelLen: number | null;
  startedAt: Date | null;
  drainStartedAt: Date | null;
  /** The replica table's state (what gateways see), or null when it is not in the table. */
  routingState: "loading" | "ready" | "draining" | "unhealthy" | null;
}

/** A deployment's desired state and observed status. Environment values of the spec read as `***`. */
export interface DeploymentView {
  id: string;
  name: string;
  model: { id: string; publicName: string };
  driver: Deployment["driver"];
  spec: Record<string, unknown>;
  desiredState: Deployment["desiredState"];
  desiredReplicas: number;
  generation: number;
  observedGeneration: number;
  phase: Deployment["phase"];
  reason: string | null;
  message: string | null;
  phaseSince: Date;
  lastReconcileAt: Date | null;
  readyReplicas: number;
  targetRevision: string | null;
  createdAt: Date;
  updatedAt: Date;
  /** Set once deletion was asked for; the worker purges the row when everything is gone. */
  deletedAt: Date | null;
  replicas: ReplicaView[];
}

type DeploymentRow = Deployment & { model: { id: string; publicName: string }; replicas: DeploymentReplica[] };

function toView(row: DeploymentRow, routing: Map<string, ReplicaView["routingState"]>): DeploymentView {
  return {
    id: row.id,
    name: row.name,
    model: row.model,
    driver: row.driver,
    spec: maskSpecEnv(row.spec),
    desiredState: row.desiredState,
    desiredReplicas: row.desiredReplicas,
    generation: row.generation,
    observedGeneration: row.observedGeneration,
    phase: row.phase,
    reason: row.reason,
    message: row.message,
    phaseSince: row.phaseSince,
    lastReconcileAt: row.lastReconcileAt,
    readyReplicas: row.readyReplicas,
    targetRevision: row.targetRevision,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
    deletedAt: row.deletedAt,
    replicas: row.replicas
      .filter((replica) => replica.health !== "gone")
      .map((replica) => ({
        name: replica.name,
        endpoint: replica.endpoint,
        revision: replica.revision,
        health: replica.health,
        healthCheckedAt: replica.healthCheckedAt,
        lastError: replica.lastError,
        runningRequests: replica.runningRequests,
        waitingRequests: replica.waitingRequests,
        kvCacheUsage: replica.kvCacheUsage,
        maxModelLen: replica.maxModelLen,
        startedAt: replica.startedAt,
        drainStartedAt: replica.drainStartedAt,
        routingState: routing.get(replica.name) ?? null,
      })),
  };
}

const include = {
  model: { select: { id: true, publicName: true } },
  replicas: { orderBy: { name: "asc" as const } },
};

/** Replica name → its state in the replica table, for the deployments given; empty without Redis. */
async function routingStates(env: OperationEnv, ids: string[]) {
  const states = new Map<string, Map<string, ReplicaView["routingState"]>>();
  const redis = env.redis;
  if (!redis) return states;
  const keys = env.replicaTable ?? replicaTableKeys();
  const now = env.now?.().getTime() ?? Date.now();
  await Promise.all(
    ids.map(async (id) => {
      // The table is the gateways' view; when Redis cannot answer, the page still shows the rows.
      const entries = await readDeploymentReplicas(redis, keys, id, now).catch(() => []);
      states.set(id, new Map(entries.map((entry) => [entry.replica, entry.state])));
    }),
  );
  return states;
}

/** Every deployment of the organization, by name, with its replicas (admins and auditors). */
export async function listDeployments(
  env: OperationEnv,
  principal: Principal,
): Promise<OperationResult<DeploymentView[]>> {
  if (!can(principal, "deployments.read")) return forbidden();
  const rows = await env.db.deployment.findMany({
    where: { orgId: principal.orgId },
    orderBy: { name: "asc" },
    include,
  });
  const routing = await routingStates(
    env,
    rows.map((row) => row.id),
  );
  return ok(rows.map((row) => toView(row, routing.get(row.id) ?? new Map())));
}

/** One deployment with its live status; another organization's (or a purged one) is NOT_FOUND. */
export async function getDeploymentAs(
  env: OperationEnv,
  principal: Principal,
  deploymentId: string,
): Promise<OperationResult<DeploymentView>> {
  if (!can(principal, "deployments.read")) return notFound("deployment");
  const row = await env.db.deployment.findFirst({ where: { id: deploymentId, orgId: principal.orgId }, include });
  if (!row) return notFound("deployment");
  const routing = await routingStates(env, [row.id]);
  return ok(toView(row, routing.get(row.id) ?? new Map()));
}

/**
 * Spec errors arrive from core under `spec.<path>` (zod) or as `spec` with the field named at the
 * start of the message (`gpu.count: the docker driver runs vLLM on GPUs…`); both end up on the field.
 */
export function specFieldErrors(fields: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [path, message] of Object.entries(fields)) {
    const named = path === "spec" ? message.match(/^([\w.]+): (.+)$/) : null;
    const key = named ? `spec.${named[1]}` : path;
    out[key] ??= named?.[2] ?? message;
  }
  return out;
}

function withSpecFields<T>(result: OperationResult<T>): OperationResult<T> {
  return result.ok || result.code !== "INVALID" ? result : invalid(specFieldErrors(result.fields), result.message);
}

/** Runs a change only an admin may make, on a deployment the principal can read. */
async function manage(
  env: OperationEnv,
  principal: Principal,
  deploymentId: unknown,
  body: (id: string) => Promise<OperationResult<DeploymentView>>,
): Promise<OperationResult<DeploymentView>> {
  const id = typeof deploymentId === "string" ? deploymentId : "";
  const exists = await env.db.deployment.findFirst({
    where: { id, orgId: principal.orgId, deletedAt: null },
    select: { id: true },
  });
  if (!exists || !can(principal, "deployments.read")) return notFound("deployment");
  if (!can(principal, "deployments.manage")) return forbidden("only admins change deployments");
  return withSpecFields(await guard(() => body(id)));
}

const createFailures: Record<"NAME_TAKEN" | "MODEL_NOT_FOUND" | "IMAGE_REQUIRED", OperationFailure> = {
  NAME_TAKEN: invalid({ name: "another deployment has this name" }),
  MODEL_NOT_FOUND: invalid({ modelId: "no such model in the catalog" }),
  IMAGE_REQUIRED: invalid({ "spec.image": "this driver needs a vLLM image (the model has no default)" }),
};

/** Creates a deployment of a catalog model (admins only); the spec is checked field by field for its driver. */
export async function createDeploymentAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<DeploymentView>> {
  if (!can(principal, "deployments.manage")) return forbidden("only admins create deployments");
  return withSpecFields(
    await guard(async () => {
      const result = await createDeployment(coreContext(env, principal), input as CreateDeploymentInput);
      if (!result.ok) return createFailures[result.code];
      return getDeploymentAs(env, principal, result.deployment.id);
    }),
  );
}

export const updateDeploymentRequestSchema = z.strictObject({
  deploymentId: z.string().min(1),
  /** The whole new spec. Environment values sent as `***` keep the stored value of that variable. */
  spec: z.record(z.string(), z.unknown()).optional(),
  modelId: z.string().min(1).optional(),
});

/** Replaces a deployment's spec and/or model (admins only); the reconciler rolls the replicas. */
export function updateDeploymentAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<DeploymentView>> {
  return guard(async () => {
    const parsed = updateDeploymentRequestSchema.parse(input);
    return manage(env, principal, parsed.deploymentId, async (id) => {
      const current = await env.db.deployment.findUniqueOrThrow({ where: { id }, select: { spec: true } });
      const spec = parsed.spec ? restoreMaskedEnv(parsed.spec, current.spec) : undefined;
      const result = await updateDeployment(coreContext(env, principal), {
        deploymentId: id,
        modelId: parsed.modelId,
        spec,
      });
      if (!result.ok)
        return result.code === "NOT_FOUND" ? notFound("deployment") : invalid({ modelId: "no such model" });
      return getDeploymentAs(env, principal, id);
    });
  });
}

/** Sets the number of replicas (admins only); an external deployment's replicas are its URLs. */
export function scaleDeploymentAs(
  env: OperationEnv,
  principal: Principal,
  input: { deploymentId?: unknown; replicas?: unknown },
): Promise<OperationResult<DeploymentView>> {
  return manage(env, principal, input.deploymentId, async (id) => {
    const result = await scaleDeployment(coreContext(env, principal), {
      deploymentId: id,
      replicas: input.replicas as ScaleDeploymentInput["replicas"],
    });
    if (!result.ok) {
      return result.code === "NOT_FOUND"
        ? notFound("deployment")
        : invalid({ replicas: "an external deployment has one replica per URL: edit its URLs instead" });
    }
    return getDeploymentAs(env, principal, id);
  });
}

/** Stops (replicas drain, the spec is kept) or starts a deployment (admins only). */
export function setDeploymentStateAs(
  env: OperationEnv,
  principal: Principal,
  input: { deploymentId?: unknown; state?: unknown },
): Promise<OperationResult<DeploymentView>> {
  return manage(env, principal, input.deploymentId, async (id) => {
    const result = await setDeploymentState(coreContext(env, principal), {
      deploymentId: id,
      // Core validates both; a bad state is a field error like any other.
      state: input.state as SetDeploymentStateInput["state"],
    });
    if (!result.ok) return notFound("deployment");
    return getDeploymentAs(env, principal, id);
  });
}

/** Marks a deployment for deletion (admins only): its replicas leave routing, drain, and are removed. */
export function deleteDeploymentAs(
  env: OperationEnv,
  principal: Principal,
  input: { deploymentId?: unknown },
): Promise<OperationResult<DeploymentView>> {
  return manage(env, principal, input.deploymentId, async (id) => {
    const result = await deleteDeployment(coreContext(env, principal), { deploymentId: id });
    if (!result.ok) return notFound("deployment");
    return getDeploymentAs(env, principal, id);
  });
}
