import {
  listVisionPolicies,
  type SetVisionPolicyResult,
  setVisionPolicy,
  setVisionPolicyInputSchema,
  type VisionPolicyView,
} from "@perimeter/core";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import { coreContext, type OperationEnv } from "./operation-env";
import { forbidden, guard, invalid, notFound, type OperationResult, ok } from "./operation-result";

export interface VisionPoliciesView {
  policies: VisionPolicyView[];
  /** The organization's enabled models that cannot read images (what a policy applies to). */
  textModels: { id: string; publicName: string }[];
  /** Its enabled models that can (what describes or takes the requests). */
  visionModels: { id: string; publicName: string }[];
  canEdit: boolean;
}

/**
 * The team's vision policies, the models they can name, and whether the principal may change them. A
 * team it cannot read is NOT_FOUND.
 */
export function getVisionPolicies(
  env: OperationEnv,
  principal: Principal,
  teamId: string,
): Promise<OperationResult<VisionPoliciesView>> {
  return guard(async () => {
    const team = await env.db.team.findFirst({ where: { id: teamId, orgId: principal.orgId }, select: { id: true } });
    if (!team || !can(principal, "vision.read", { teamId: team.id })) return notFound("team");
    const models = await env.db.model.findMany({
      where: { orgId: principal.orgId, enabled: true },
      select: { id: true, publicName: true, supportsVision: true },
      orderBy: { publicName: "asc" },
    });
    return ok({
      policies: await listVisionPolicies(env.db, principal.orgId, team.id),
      textModels: models.filter((m) => !m.supportsVision).map(({ id, publicName }) => ({ id, publicName })),
      visionModels: models.filter((m) => m.supportsVision).map(({ id, publicName }) => ({ id, publicName })),
      canEdit: can(principal, "vision.set", { teamId: team.id }),
    });
  });
}

type Refusal = Exclude<SetVisionPolicyResult, { ok: true } | { code: "NOT_FOUND" }>;

function refusalMessage(result: Refusal): { field: string; message: string } {
  switch (result.code) {
    case "MODEL_READS_IMAGES":
      return { field: "modelId", message: "this model reads images itself; a vision policy would never apply" };
    case "NOT_A_VISION_MODEL":
      return { field: "visionModelId", message: `${result.model} is not an enabled model that supports images` };
    case "VISION_MODEL_REQUIRED":
      return {
        field: "visionModelId",
        message:
          result.candidates.length === 0
            ? "the organization has no model that supports images; add one (Models) first"
            : `name the vision model: the organization has several (${result.candidates.join(", ")})`,
      };
  }
}

/**
 * Sets what happens to a team's images sent to a text-only model (`setVisionPolicy`): admins and the
 * team's admins. Unknown team or models are NOT_FOUND; a policy that cannot work is INVALID naming the field.
 */
export function setVisionPolicyAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<{ policy: VisionPolicyView; created: boolean }>> {
  return guard(async () => {
    const parsed = setVisionPolicyInputSchema.parse(input);
    const team = await env.db.team.findFirst({
      where: { id: parsed.teamId, orgId: principal.orgId },
      select: { id: true },
    });
    if (!team || !can(principal, "vision.read", { teamId: team.id })) return notFound("team");
    if (!can(principal, "vision.set", { teamId: team.id })) return forbidden("your role cannot set vision policies");
    const result = await setVisionPolicy(coreContext(env, principal), parsed);
    if (result.ok) return ok({ policy: result.policy, created: result.created });
    if (result.code === "NOT_FOUND") return notFound(result.entity.replace("_", " "));
    const { field, message } = refusalMessage(result);
    return invalid({ [field]: message }, message);
  });
}
