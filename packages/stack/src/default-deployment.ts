import {
  createDeployment,
  ensureBuiltinModels,
  type OrgContext,
  setDeploymentState,
  updateDeployment,
  updateModel,
} from "@perimeter/core";
import { createDb, type Db } from "@perimeter/db";

/** Names of the two deployments `npm start` manages for the built-in model: the simulator, or your vLLM. */
export const defaultDeploymentNames = { simulator: "umans-coder-simulator", external: "umans-coder-external" } as const;

/** How the simulator that stands in for the GPU server behaves: a few seconds of "loading", real latency. */
const simulatorSpec = { simulator: { startupMs: 3_000, noLatency: false }, preStopSec: 0, drainTimeoutSec: 5 };

export interface DefaultDeploymentInput {
  databaseUrl: string;
  /** A vLLM already running (`VLLM_URL`); without one the simulator serves the model. */
  vllmUrl?: string;
  /** Its `--served-model-name` (`VLLM_MODEL`), which the built-in model's catalog entry takes. */
  vllmModel: string;
  log: (line: string) => void;
}

export interface DefaultDeployment {
  id: string;
  name: string;
  driver: "simulator" | "external";
}

async function firstOrganization(db: Db): Promise<string> {
  const org = await db.organization.findFirst({ orderBy: { createdAt: "asc" }, select: { id: true } });
  if (!org) throw new Error("no organization to deploy the model in: seed the first admin first");
  return org.id;
}

/**
 * Makes the built-in model served the way this start asks for, through core's verbs (so each change is
 * audited and the worker reconciles it): with `VLLM_URL`, an `external` deployment of that URL (the
 * built-in model's served name follows `VLLM_MODEL`); without, a `simulator` deployment whose replicas the
 * worker runs as `vllm-sim` processes. The other of the two is stopped, so traffic never goes to both.
 * Idempotent: a later start with the same settings changes nothing.
 */
export async function ensureDefaultDeployment(input: DefaultDeploymentInput): Promise<DefaultDeployment> {
  const db = createDb(input.databaseUrl, { maxConnections: 2 });
  try {
    const ctx: OrgContext = { db, orgId: await firstOrganization(db), actor: { type: "system", label: "npm start" } };
    await ensureBuiltinModels(ctx);
    const model = await db.model.findFirstOrThrow({
      where: { orgId: ctx.orgId, builtin: true, publicName: "umans-coder-v0" },
    });
    const driver = input.vllmUrl ? "external" : "simulator";
    if (input.vllmUrl && model.servedName !== input.vllmModel) {
      const renamed = await updateModel(ctx, { modelId: model.id, changes: { servedName: input.vllmModel } });
      if (!renamed.ok) throw new Error(`cannot serve ${model.publicName} as ${input.vllmModel}: ${renamed.code}`);
    }
    const spec = input.vllmUrl ? { external: { urls: [input.vllmUrl] } } : simulatorSpec;
    const name = defaultDeploymentNames[driver];
    const existing = await db.deployment.findFirst({ where: { orgId: ctx.orgId, name, deletedAt: null } });
    let id: string;
    if (!existing) {
      const created = await createDeployment(ctx, { name, modelId: model.id, driver, replicas: 1, spec });
      if (!created.ok) throw new Error(`cannot create the ${name} deployment: ${created.code}`);
      id = created.deployment.id;
      input.log(`created deployment ${name} (${driver}${input.vllmUrl ? ` → ${input.vllmUrl}` : ""})`);
    } else {
      id = existing.id;
      // A changed VLLM_URL is a spec change the worker rolls out; an unchanged one changes nothing.
      await updateDeployment(ctx, { deploymentId: id, spec });
      await setDeploymentState(ctx, { deploymentId: id, state: "running" });
    }
    const other = await db.deployment.findFirst({
      where: {
        orgId: ctx.orgId,
        name: defaultDeploymentNames[driver === "external" ? "simulator" : "external"],
        deletedAt: null,
      },
    });
    if (other && other.desiredState !== "stopped") {
      await setDeploymentState(ctx, { deploymentId: other.id, state: "stopped" });
      input.log(`stopped deployment ${other.name}: this start serves the model through ${name}`);
    }
    return { id, name, driver };
  } finally {
    await db.$disconnect();
  }
}

/**
 * Waits until the deployment is Ready at its current generation as seen by a reconcile since `since`
 * (the status a previous run left behind says nothing of this run's replicas), logging each phase it goes
 * through ("loading", "ready"…). Resolves false, without failing the start, when it is not Ready within
 * `timeoutMs`: the gateway answers 529 for the model until it is.
 */
export async function waitForDeployment(
  databaseUrl: string,
  deployment: DefaultDeployment,
  options: { log: (line: string) => void; timeoutMs: number; since: Date; signal?: AbortSignal },
): Promise<boolean> {
  const db = createDb(databaseUrl, { maxConnections: 1 });
  try {
    const deadline = Date.now() + options.timeoutMs;
    let last = "";
    while (Date.now() < deadline) {
      options.signal?.throwIfAborted();
      const row = await db.deployment.findUnique({ where: { id: deployment.id } });
      const fresh = row?.lastReconcileAt != null && row.lastReconcileAt >= options.since;
      const phase = !row ? "gone" : fresh ? row.phase : "waiting for the worker";
      if (phase !== last) {
        options.log(`deployment ${deployment.name}: ${phase}${row?.message ? ` (${row.message})` : ""}`);
        last = phase;
      }
      if (row && fresh && phase === "ready" && row.observedGeneration === row.generation) return true;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    return false;
  } finally {
    await db.$disconnect();
  }
}
