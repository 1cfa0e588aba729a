import { z } from "zod";
import { type ChangeDeploymentResult, changeDeployment } from "./change-deployment.ts";
import type { OrgContext } from "./context.ts";

export const setDeploymentStateInputSchema = z.strictObject({
  deploymentId: z.string().min(1),
  /** `stopped`: replicas leave routing, drain and stop, the spec is kept. `running`: start them again. */
  state: z.enum(["running", "stopped"]),
});
export type SetDeploymentStateInput = z.input<typeof setDeploymentStateInputSchema>;

/**
 * Stops or starts a deployment while keeping its spec. Asking for the state it already has changes
 * nothing. Audits `deployment.stop` or `deployment.start`.
 */
export async function setDeploymentState(
  ctx: OrgContext,
  rawInput: SetDeploymentStateInput,
): Promise<ChangeDeploymentResult> {
  const input = setDeploymentStateInputSchema.parse(rawInput);
  const action = input.state === "stopped" ? "deployment.stop" : "deployment.start";
  return changeDeployment(ctx, input.deploymentId, action, () => ({ ok: true, data: { desiredState: input.state } }));
}
