import { type Deployment, newId, type Prisma } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { OrgContext } from "./context.ts";
import { deploymentDriverSchema, deploymentNameSchema } from "./deployment-spec.ts";
import { toDeploymentAuditView } from "./deployment-view.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { parseDeploymentSpec } from "./parse-deployment-spec.ts";
import { publishChange } from "./publish-change.ts";

export const maxReplicas = 64;

export const createDeploymentInputSchema = z.strictObject({
  name: deploymentNameSchema,
  modelId: z.string().min(1),
  driver: deploymentDriverSchema,
  /** Ignored for the external driver, whose replicas are its URLs. */
  replicas: z.int().min(0).max(maxReplicas).default(1),
  /** Validated against `deploymentSpecSchema` once the model is known (its hardware profile fills `gpu`). */
  spec: z.record(z.string(), z.unknown()).default({}),
  desiredState: z.enum(["running", "stopped"]).default("running"),
});
export type CreateDeploymentInput = z.input<typeof createDeploymentInputSchema>;

export type CreateDeploymentResult =
  | { ok: true; deployment: Deployment }
  | { ok: false; code: "NAME_TAKEN" | "MODEL_NOT_FOUND" | "IMAGE_REQUIRED" };

/**
 * Creates a deployment of a catalog model of the context's organization, in phase `pending` at
 * generation 1; a reconciler picks it up from there. The spec is validated for the driver (a
 * `ZodError` names the bad field); GPU drivers need an image, from the spec or the model
 * (IMAGE_REQUIRED). A name used by another deployment there, even one being deleted, is NAME_TAKEN.
 * Audits `deployment.create` with environment values masked, and announces the new deployment on
 * `changeChannel` once committed so that a worker starts reconciling it at once.
 */
export async function createDeployment(
  ctx: OrgContext,
  rawInput: CreateDeploymentInput,
): Promise<CreateDeploymentResult> {
  const input = createDeploymentInputSchema.parse(rawInput);
  let result: CreateDeploymentResult;
  try {
    result = await ctx.db.$transaction(async (tx): Promise<CreateDeploymentResult> => {
      const model = await tx.model.findFirst({ where: { id: input.modelId, orgId: ctx.orgId } });
      if (!model) return { ok: false, code: "MODEL_NOT_FOUND" };
      const spec = parseDeploymentSpec(input.driver, input.spec, model.hardwareProfiles);
      const gpuDriver = input.driver === "kubernetes" || input.driver === "docker";
      if (gpuDriver && !spec.image && !model.defaultImage) return { ok: false, code: "IMAGE_REQUIRED" };
      const deployment = await tx.deployment.create({
        data: {
          id: newId("deployment"),
          orgId: ctx.orgId,
          modelId: model.id,
          name: input.name,
          driver: input.driver,
          spec: spec as Prisma.InputJsonValue,
          desiredState: input.desiredState,
          desiredReplicas: spec.external ? spec.external.urls.length : input.replicas,
        },
      });
      await appendAuditEvent(tx, ctx, {
        action: "deployment.create",
        targetType: "deployment",
        targetId: deployment.id,
        after: toDeploymentAuditView(deployment),
      });
      return { ok: true, deployment };
    });
  } catch (error) {
    if (isUniqueViolation(error, "deployments_org_id_name_key")) return { ok: false, code: "NAME_TAKEN" };
    throw error;
  }
  if (result.ok) await publishChange(ctx, { entity: "deployment", id: result.deployment.id });
  return result;
}
