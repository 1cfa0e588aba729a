import { createModel, createModelInputSchema, type HardwareProfile, updateModel } from "@perimeter/core";
import type { Model } from "@perimeter/db";
import { z } from "zod";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import { coreContext, type OperationEnv } from "./operation-env";
import { forbidden, guard, invalid, notFound, type OperationResult, ok } from "./operation-result";

/** A catalog model as the dashboard and the API show it: the row, its hardware profiles typed. */
export type ModelView = Omit<Model, "orgId" | "hardwareProfiles"> & {
  hardwareProfiles: HardwareProfile[];
  /** Deployments of the model that are not being deleted. */
  deploymentCount: number;
};

function toModelView(model: Model, deploymentCount: number): ModelView {
  const { orgId: _orgId, hardwareProfiles, ...rest } = model;
  return { ...rest, hardwareProfiles: hardwareProfiles as unknown as HardwareProfile[], deploymentCount };
}

/** The organization's model catalog by public name (admins and auditors). */
export async function listModels(env: OperationEnv, principal: Principal): Promise<OperationResult<ModelView[]>> {
  if (!can(principal, "models.read")) return forbidden();
  const models = await env.db.model.findMany({
    where: { orgId: principal.orgId },
    orderBy: { publicName: "asc" },
    include: { _count: { select: { deployments: { where: { deletedAt: null } } } } },
  });
  return ok(models.map((model) => toModelView(model, model._count.deployments)));
}

function namesTaken(names: string[]) {
  return invalid({ publicName: `already used by another model: ${names.join(", ")}` });
}

/** Adds a model to the catalog (admins only). A name another model uses is a field error. */
export function createModelAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<ModelView>> {
  return guard(async () => {
    if (!can(principal, "models.manage")) return forbidden("only admins change the model catalog");
    const parsed = createModelInputSchema.parse(input);
    const result = await createModel(coreContext(env, principal), parsed);
    if (!result.ok) return namesTaken(result.names);
    return ok(toModelView(result.model, 0));
  });
}

export const updateModelRequestSchema = z.strictObject({
  modelId: z.string().min(1),
  changes: createModelInputSchema.partial(),
});

/**
 * Edits a catalog model (admins only); only the fields given change. Changing how vLLM starts rolls
 * every deployment of the model (their ids come back as `rolledDeploymentIds`).
 */
export function updateModelAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<ModelView & { rolledDeploymentIds: string[] }>> {
  return guard(async () => {
    const parsed = updateModelRequestSchema.parse(input);
    const exists = await env.db.model.findFirst({ where: { id: parsed.modelId, orgId: principal.orgId } });
    if (!exists || !can(principal, "models.read")) return notFound("model");
    if (!can(principal, "models.manage")) return forbidden("only admins change the model catalog");
    // `partial()` fills defaults for omitted fields; only the fields the caller sent may change.
    const sent = (input as { changes?: Record<string, unknown> }).changes ?? {};
    const changes = Object.fromEntries(Object.entries(parsed.changes).filter(([field]) => field in sent));
    const result = await updateModel(coreContext(env, principal), { modelId: parsed.modelId, changes });
    if (!result.ok) return result.code === "NOT_FOUND" ? notFound("model") : namesTaken(result.names);
    const deployments = await env.db.deployment.count({ where: { modelId: result.model.id, deletedAt: null } });
    return ok({ ...toModelView(result.model, deployments), rolledDeploymentIds: result.rolledDeploymentIds });
  });
}
