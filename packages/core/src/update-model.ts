import type { Model } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { OrgContext } from "./context.ts";
import { lockModelCatalog, takenModelNames } from "./lock-model-catalog.ts";
import { modelFieldsSchema, servingFields } from "./model-fields.ts";
import { publishChange } from "./publish-change.ts";

export const updateModelInputSchema = z.strictObject({
  modelId: z.string().min(1),
  /** Only the fields given change. */
  changes: modelFieldsSchema.partial(),
});
export type UpdateModelInput = z.input<typeof updateModelInputSchema>;

export type UpdateModelResult =
  | { ok: true; model: Model; rolledDeploymentIds: string[] }
  | { ok: false; code: "NOT_FOUND" }
  | { ok: false; code: "NAME_TAKEN"; names: string[] };

function sameValue(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * Edits a catalog model of the context's organization. A field that changes how vLLM starts (served
 * name, repository, parsers, context length, image, command) bumps the `generation` of every
 * deployment of the model that is not being deleted, so the reconcilers roll them; their ids come back
 * as `rolledDeploymentIds`. Names follow `createModel`'s rule. Audits `model.update`. A change of the
 * name, `supportsVision` or `enabled` is announced as the organization's change: gateways hold the
 * vision policies and vision models of every key they cache.
 */
export async function updateModel(ctx: OrgContext, rawInput: UpdateModelInput): Promise<UpdateModelResult> {
  const parsed = updateModelInputSchema.parse(rawInput);
  // `partial()` still fills defaults of omitted fields; only what the caller named may change.
  const given = new Set(Object.keys(rawInput.changes));
  const changes = Object.fromEntries(Object.entries(parsed.changes).filter(([key]) => given.has(key)));
  const result = await ctx.db.$transaction(async (tx): Promise<UpdateModelResult> => {
    await lockModelCatalog(tx, ctx.orgId);
    const before = await tx.model.findFirst({ where: { id: parsed.modelId, orgId: ctx.orgId } });
    if (!before) return { ok: false, code: "NOT_FOUND" };
    const publicName = (changes.publicName as string | undefined) ?? before.publicName;
    const aliases = (changes.aliases as string[] | undefined) ?? before.aliases;
    const taken = await takenModelNames(tx, ctx.orgId, [publicName, ...aliases], before.id);
    if (taken.length > 0) return { ok: false, code: "NAME_TAKEN", names: taken };
    if (changes.aliases) changes.aliases = [...new Set(aliases)];
    const model = await tx.model.update({ where: { id: before.id }, data: changes });
    const servingChanged = servingFields.some((field) => !sameValue(before[field], model[field]));
    let rolledDeploymentIds: string[] = [];
    if (servingChanged) {
      const deployments = await tx.deployment.findMany({
        where: { modelId: model.id, deletedAt: null },
        select: { id: true },
      });
      rolledDeploymentIds = deployments.map((deployment) => deployment.id);
      await tx.deployment.updateMany({
        where: { id: { in: rolledDeploymentIds } },
        data: { generation: { increment: 1 } },
      });
    }
    await appendAuditEvent(tx, ctx, {
      action: "model.update",
      targetType: "model",
      targetId: model.id,
      before,
      after: { ...model, rolledDeploymentIds },
    });
    return { ok: true, model, rolledDeploymentIds };
  });
  // Cached key principals carry the organization's vision models and disabled models: reload them.
  const principalFields = ["publicName", "supportsVision", "enabled"];
  if (result.ok && principalFields.some((field) => given.has(field)))
    await publishChange(ctx, { entity: "org", id: ctx.orgId });
  return result;
}
