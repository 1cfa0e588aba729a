import { newId } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { publishChange } from "./publish-change.ts";
import { toVisionPolicyView, type VisionPolicyView, visionPolicyInclude } from "./vision-policy-view.ts";

export const visionModes = ["placeholder", "reject", "describe", "route"] as const;

export const setVisionPolicyInputSchema = z.strictObject({
  teamId: z.string().min(1),
  /** The text model (id) whose image blocks the policy handles. */
  modelId: z.string().min(1),
  mode: z.enum(visionModes),
  /** For `describe` and `route`: the vision model (id); omitted or null: the organization's only one. */
  visionModelId: z.string().min(1).nullish(),
});
export type SetVisionPolicyInput = z.input<typeof setVisionPolicyInputSchema>;

export type SetVisionPolicyResult =
  | { ok: true; policy: VisionPolicyView; created: boolean }
  | { ok: false; code: "NOT_FOUND"; entity: "team" | "model" | "vision_model" }
  /** The model reads images itself: a policy would never apply. */
  | { ok: false; code: "MODEL_READS_IMAGES" }
  /** The named vision model does not declare `supportsVision`, or is disabled. */
  | { ok: false; code: "NOT_A_VISION_MODEL"; model: string }
  /** No vision model was named and the organization has none, or several (their names). */
  | { ok: false; code: "VISION_MODEL_REQUIRED"; candidates: string[] };

/**
 * Sets how a team's image and PDF blocks reach a text-only model: `placeholder` (a text stand-in, the
 * behaviour without a policy), `reject` (a 400), `describe` (a vision model describes each image for
 * the text model) or `route` (the request goes to the vision model). `describe` and `route` use the
 * named vision model, which must declare `supportsVision` and be enabled; without one the organization
 * must have exactly one such model, which the gateway then uses (the policy follows it if it changes).
 * Audits `vision_policy.set` with the policy before (null when new) and after, and announces a change
 * of the team so gateways reload its keys at once.
 */
export async function setVisionPolicy(
  ctx: CoreContext,
  rawInput: SetVisionPolicyInput,
): Promise<SetVisionPolicyResult> {
  const input = setVisionPolicyInputSchema.parse(rawInput);
  let result: SetVisionPolicyResult;
  try {
    result = await upsert(ctx, input);
  } catch (error) {
    // Two first-time writes for one team and model raced; the retry updates the winner's row.
    if (!isUniqueViolation(error, "vision_policies_team_id_model_id_key")) throw error;
    result = await upsert(ctx, input);
  }
  if (result.ok) await publishChange(ctx, { entity: "team", id: result.policy.teamId });
  return result;
}

function upsert(ctx: CoreContext, input: z.output<typeof setVisionPolicyInputSchema>): Promise<SetVisionPolicyResult> {
  return ctx.db.$transaction(async (tx): Promise<SetVisionPolicyResult> => {
    const team = await tx.team.findFirst({ where: { id: input.teamId, orgId: ctx.orgId }, select: { id: true } });
    if (!team) return { ok: false, code: "NOT_FOUND", entity: "team" };
    const model = await tx.model.findFirst({ where: { id: input.modelId, orgId: ctx.orgId } });
    if (!model) return { ok: false, code: "NOT_FOUND", entity: "model" };
    if (model.supportsVision) return { ok: false, code: "MODEL_READS_IMAGES" };
    const needsVision = input.mode === "describe" || input.mode === "route";
    let visionModelId: string | null = null;
    if (needsVision && input.visionModelId) {
      const vision = await tx.model.findFirst({ where: { id: input.visionModelId, orgId: ctx.orgId } });
      if (!vision) return { ok: false, code: "NOT_FOUND", entity: "vision_model" };
      if (!vision.supportsVision || !vision.enabled)
        return { ok: false, code: "NOT_A_VISION_MODEL", model: vision.publicName };
      visionModelId = vision.id;
    } else if (needsVision) {
      const candidates = await tx.model.findMany({
        where: { orgId: ctx.orgId, supportsVision: true, enabled: true },
        select: { publicName: true },
        orderBy: { publicName: "asc" },
      });
      if (candidates.length !== 1)
        return { ok: false, code: "VISION_MODEL_REQUIRED", candidates: candidates.map((c) => c.publicName) };
    }
    const where = { teamId_modelId: { teamId: team.id, modelId: model.id } };
    const existing = await tx.visionPolicy.findUnique({ where, include: visionPolicyInclude });
    const data = { mode: input.mode, visionModelId };
    const row = existing
      ? await tx.visionPolicy.update({ where, data, include: visionPolicyInclude })
      : await tx.visionPolicy.create({
          data: { id: newId("visionPolicy"), orgId: ctx.orgId, teamId: team.id, modelId: model.id, ...data },
          include: visionPolicyInclude,
        });
    const view = toVisionPolicyView(row);
    await appendAuditEvent(tx, ctx, {
      action: "vision_policy.set",
      targetType: "vision_policy",
      targetId: row.id,
      teamId: team.id,
      before: existing ? toVisionPolicyView(existing) : null,
      after: view,
    });
    return { ok: true, policy: view, created: existing === null };
  });
}
