import { z } from "zod";
import { type ChangeDeploymentResult, changeDeployment } from "./change-deployment.ts";
import type { OrgContext } from "./context.ts";
import { maxReplicas } from "./create-deployment.ts";

export const scaleDeploymentInputSchema = z.strictObject({
  deploymentId: z.string().min(1),
  replicas: z.int().min(0).max(maxReplicas),
});
export type ScaleDeploymentInput = z.input<typeof scaleDeploymentInputSchema>;

export type ScaleDeploymentResult = ChangeDeploymentResult<"NOT_SCALABLE">;

/**
 * Sets the number of replicas. Scaling bumps `generation` but not the revision, so no replica is
 * rolled: new ones are started or surplus ones drained. An external deployment's replicas are its URLs
 * (NOT_SCALABLE). Audits `deployment.scale`.
 */
export async function scaleDeployment(ctx: OrgContext, rawInput: ScaleDeploymentInput): Promise<ScaleDeploymentResult> {
  const input = scaleDeploymentInputSchema.parse(rawInput);
  return changeDeployment(ctx, input.deploymentId, "deployment.scale", (current) =>
    current.driver === "external"
      ? { ok: false, code: "NOT_SCALABLE" }
      : { ok: true, data: { desiredReplicas: input.replicas } },
  );
}
