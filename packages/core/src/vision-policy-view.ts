import type { Model, VisionMode, VisionPolicy } from "@perimeter/db";

/** A team's vision policy for one model, with the models' public names resolved. */
export interface VisionPolicyView {
  id: string;
  orgId: string;
  teamId: string;
  modelId: string;
  /** Public name of the text model the policy applies to. */
  model: string;
  mode: VisionMode;
  visionModelId: string | null;
  /** Public name of the named vision model; null when the policy uses the organization's one. */
  visionModel: string | null;
  createdAt: Date;
  updatedAt: Date;
}

type PolicyRow = VisionPolicy & { model: Pick<Model, "publicName">; visionModel: Pick<Model, "publicName"> | null };

/** Projects a policy row (with its two models) to a `VisionPolicyView`. */
export function toVisionPolicyView(row: PolicyRow): VisionPolicyView {
  return {
    id: row.id,
    orgId: row.orgId,
    teamId: row.teamId,
    modelId: row.modelId,
    model: row.model.publicName,
    mode: row.mode,
    visionModelId: row.visionModelId,
    visionModel: row.visionModel?.publicName ?? null,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

/** The Prisma `include` that `toVisionPolicyView` needs. */
export const visionPolicyInclude = {
  model: { select: { publicName: true } },
  visionModel: { select: { publicName: true } },
} as const;
