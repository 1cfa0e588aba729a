import type { DbClient } from "./context.ts";
import { toVisionPolicyView, type VisionPolicyView, visionPolicyInclude } from "./vision-policy-view.ts";

/** The vision policies of a team of `orgId`, by text model name; `[]` for a team of another organization. */
export async function listVisionPolicies(db: DbClient, orgId: string, teamId: string): Promise<VisionPolicyView[]> {
  const rows = await db.visionPolicy.findMany({
    where: { orgId, teamId },
    include: visionPolicyInclude,
    orderBy: { createdAt: "asc" },
  });
  return rows.map(toVisionPolicyView).sort((a, b) => a.model.localeCompare(b.model));
}
