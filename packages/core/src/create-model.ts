import { type Model, newId, type Prisma } from "@perimeter/db";
import type { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { OrgContext } from "./context.ts";
import { lockModelCatalog, takenModelNames } from "./lock-model-catalog.ts";
import { modelFieldsSchema } from "./model-fields.ts";
import { publishChange } from "./publish-change.ts";

export const createModelInputSchema = modelFieldsSchema;
export type CreateModelInput = z.input<typeof createModelInputSchema>;

export type CreateModelResult = { ok: true; model: Model } | { ok: false; code: "NAME_TAKEN"; names: string[] };

/**
 * Inserts one catalog model, inside an open transaction whose catalog lock the caller holds. Shared by
 * `createModel` and `ensureBuiltinModels` so both check names and audit `model.create` the same way.
 */
export async function insertModel(
  tx: Prisma.TransactionClient,
  ctx: OrgContext,
  fields: z.output<typeof modelFieldsSchema>,
  builtin: boolean,
): Promise<CreateModelResult> {
  const names = [fields.publicName, ...fields.aliases];
  const taken = await takenModelNames(tx, ctx.orgId, names);
  if (taken.length > 0) return { ok: false, code: "NAME_TAKEN", names: taken };
  const model = await tx.model.create({
    data: { ...fields, id: newId("model"), orgId: ctx.orgId, builtin, aliases: [...new Set(fields.aliases)] },
  });
  await appendAuditEvent(tx, ctx, { action: "model.create", targetType: "model", targetId: model.id, after: model });
  return { ok: true, model };
}

/**
 * Adds a model to the context's organization catalog. Its public name and aliases must not be any
 * other model's public name or alias there (NAME_TAKEN lists the clashing ones), so routing a name is
 * never ambiguous. Audits `model.create`. A new vision model changes which model the organization's
 * vision policies use, so the organization's change is announced.
 */
export async function createModel(ctx: OrgContext, rawInput: CreateModelInput): Promise<CreateModelResult> {
  const input = createModelInputSchema.parse(rawInput);
  const result = await ctx.db.$transaction(async (tx) => {
    await lockModelCatalog(tx, ctx.orgId);
    return insertModel(tx, ctx, input, false);
  });
  if (result.ok && result.model.supportsVision) await publishChange(ctx, { entity: "org", id: ctx.orgId });
  return result;
}
