import type { Model } from "@perimeter/db";
import { builtinModels } from "./builtin-models.ts";
import type { OrgContext } from "./context.ts";
import { insertModel } from "./create-model.ts";
import { lockModelCatalog } from "./lock-model-catalog.ts";

export interface EnsureBuiltinModelsResult {
  /** The built-in models added by this call; empty when the organization had them all. */
  created: Model[];
}

/**
 * Provisions the built-in catalog (`builtinModels`) in the context's organization: each entry whose
 * public name the organization does not use yet is added and audited as `model.create`. Idempotent and
 * safe from several processes at once; an admin's own model of the same name is left alone.
 */
export async function ensureBuiltinModels(ctx: OrgContext): Promise<EnsureBuiltinModelsResult> {
  return ctx.db.$transaction(async (tx) => {
    await lockModelCatalog(tx, ctx.orgId);
    const existing = await tx.model.findMany({ where: { orgId: ctx.orgId }, select: { publicName: true } });
    const used = new Set(existing.map((model) => model.publicName));
    const created: Model[] = [];
    for (const fields of builtinModels) {
      if (used.has(fields.publicName)) continue;
      const result = await insertModel(tx, ctx, fields, true);
      if (result.ok) created.push(result.model);
    }
    return { created };
  });
}
