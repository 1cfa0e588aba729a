import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { OrgContext } from "./context.ts";
import { toDeploymentAuditView } from "./deployment-view.ts";

export const purgeDeploymentInputSchema = z.strictObject({ deploymentId: z.string().min(1) });
export type PurgeDeploymentInput = z.input<typeof purgeDeploymentInputSchema>;

export type PurgeDeploymentResult = { ok: true } | { ok: false; code: "NOT_FOUND" | "NOT_DELETED" };

/**
 * Removes the row of a deployment marked deleted, with its replica rows, once its driver has confirmed
 * that nothing it owned is left; its name is free again afterwards. A deployment not marked deleted
 * is NOT_DELETED. Audits `deployment.purge` with the last row.
 */
export async function purgeDeployment(ctx: OrgContext, rawInput: PurgeDeploymentInput): Promise<PurgeDeploymentResult> {
  const input = purgeDeploymentInputSchema.parse(rawInput);
  return ctx.db.$transaction(async (tx): Promise<PurgeDeploymentResult> => {
    const deployment = await tx.deployment.findFirst({ where: { id: input.deploymentId, orgId: ctx.orgId } });
    if (!deployment) return { ok: false, code: "NOT_FOUND" };
    if (!deployment.deletedAt) return { ok: false, code: "NOT_DELETED" };
    await tx.deployment.delete({ where: { id: deployment.id } });
    await appendAuditEvent(tx, ctx, {
      action: "deployment.purge",
      targetType: "deployment",
      targetId: deployment.id,
      before: toDeploymentAuditView(deployment),
    });
    return { ok: true };
  });
}
