import type { Prisma } from "@perimeter/db";
import { z } from "zod";
import { type ChangeDeploymentResult, changeDeployment } from "./change-deployment.ts";
import type { OrgContext } from "./context.ts";
import type { DeploymentDriverKind } from "./deployment-spec.ts";
import { parseDeploymentSpec } from "./parse-deployment-spec.ts";

export const updateDeploymentInputSchema = z.strictObject({
  deploymentId: z.string().min(1),
  /** The whole new spec (not a patch), validated like `createDeployment`'s. */
  spec: z.record(z.string(), z.unknown()).optional(),
  /** Moves the deployment to another model of the catalog. */
  modelId: z.string().min(1).optional(),
});
export type UpdateDeploymentInput = z.input<typeof updateDeploymentInputSchema>;

export type UpdateDeploymentResult = ChangeDeploymentResult<"MODEL_NOT_FOUND">;

/**
 * Replaces a deployment's spec and/or model. Any difference bumps `generation`, so the reconciler
 * rolls the replicas (new ones Ready before old ones drain, or stop-then-start under `recreate`); the
 * same spec again changes nothing. Audits `deployment.update`.
 */
export async function updateDeployment(
  ctx: OrgContext,
  rawInput: UpdateDeploymentInput,
): Promise<UpdateDeploymentResult> {
  const input = updateDeploymentInputSchema.parse(rawInput);
  return changeDeployment(ctx, input.deploymentId, "deployment.update", async (current, tx) => {
    const modelId = input.modelId ?? current.modelId;
    const model = await tx.model.findFirst({ where: { id: modelId, orgId: ctx.orgId } });
    if (!model) return { ok: false, code: "MODEL_NOT_FOUND" };
    const driver = current.driver as DeploymentDriverKind;
    const spec = parseDeploymentSpec(driver, input.spec ?? current.spec, model.hardwareProfiles);
    const data: Prisma.DeploymentUncheckedUpdateInput = { modelId, spec: spec as Prisma.InputJsonValue };
    if (spec.external) data.desiredReplicas = spec.external.urls.length;
    return { ok: true, data };
  });
}
