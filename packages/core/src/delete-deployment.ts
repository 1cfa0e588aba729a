import { z } from "zod";
import { type ChangeDeploymentResult, changeDeployment } from "./change-deployment.ts";
import { currentTime, type OrgContext } from "./context.ts";

export const deleteDeploymentInputSchema = z.strictObject({ deploymentId: z.string().min(1) });
export type DeleteDeploymentInput = z.input<typeof deleteDeploymentInputSchema>;

/**
 * Marks a deployment for deletion (`deletedAt`). Its replicas leave routing at once; the reconciler
 * drains them, has the driver remove everything it owns, then purges the row (`purgeDeployment`).
 * From here on the other verbs see it as NOT_FOUND, and so does a second delete. Audits
 * `deployment.delete`.
 */
export async function deleteDeployment(
  ctx: OrgContext,
  rawInput: DeleteDeploymentInput,
): Promise<ChangeDeploymentResult> {
  const input = deleteDeploymentInputSchema.parse(rawInput);
  return changeDeployment(ctx, input.deploymentId, "deployment.delete", () => ({
    ok: true,
    data: { deletedAt: currentTime(ctx) },
  }));
}
