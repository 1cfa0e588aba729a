import type { DbClient } from "./context.ts";
import { computeEffectiveLimits, type EffectiveLimits, type LevelPolicy } from "./effective-limits.ts";
import { toLimitPolicyView } from "./limit-policy-view.ts";

export type EffectiveLimitsTarget =
  | { type: "org" }
  | { type: "team"; teamId: string }
  | { type: "member"; memberId: string }
  | { type: "key"; apiKeyId: string };

export type GetEffectiveLimitsResult =
  | { ok: true; levels: LevelPolicy[]; effective: EffectiveLimits }
  | { ok: false; code: "NOT_FOUND" };

/**
 * The policies that apply to a target of `orgId`, broadest first, and what they add up to. A key is
 * governed by its own policy, its owner's membership in the key's team (when it has an owner), the team
 * and the organization; a member by theirs, their team's and the organization's. Reads only. A target
 * of another organization is NOT_FOUND.
 */
export async function getEffectiveLimits(
  db: DbClient,
  orgId: string,
  target: EffectiveLimitsTarget,
): Promise<GetEffectiveLimitsResult> {
  let teamId: string | null = null;
  let memberId: string | null = null;
  let apiKeyId: string | null = null;
  if (target.type === "team") {
    const team = await db.team.findFirst({ where: { id: target.teamId, orgId }, select: { id: true } });
    if (!team) return { ok: false, code: "NOT_FOUND" };
    teamId = team.id;
  } else if (target.type === "member") {
    const member = await db.teamMember.findFirst({ where: { id: target.memberId, team: { orgId } } });
    if (!member) return { ok: false, code: "NOT_FOUND" };
    teamId = member.teamId;
    memberId = member.id;
  } else if (target.type === "key") {
    const key = await db.apiKey.findFirst({ where: { id: target.apiKeyId, orgId } });
    if (!key) return { ok: false, code: "NOT_FOUND" };
    apiKeyId = key.id;
    teamId = key.teamId;
    if (key.teamId && key.ownerUserId) {
      const member = await db.teamMember.findUnique({
        where: { teamId_userId: { teamId: key.teamId, userId: key.ownerUserId } },
        select: { id: true },
      });
      memberId = member?.id ?? null;
    }
  }

  const policies = await db.limitPolicy.findMany({
    where: {
      orgId,
      OR: [
        { scope: "org" },
        ...(teamId ? [{ teamId }] : []),
        ...(memberId ? [{ memberId }] : []),
        ...(apiKeyId ? [{ apiKeyId }] : []),
      ],
    },
  });
  const find = (match: (p: (typeof policies)[number]) => boolean) => {
    const row = policies.find(match);
    return row ? toLimitPolicyView(row) : null;
  };
  const levels: LevelPolicy[] = [{ level: "org", policy: find((p) => p.scope === "org") }];
  if (teamId) levels.push({ level: "team", policy: find((p) => p.teamId === teamId) });
  if (memberId) levels.push({ level: "member", policy: find((p) => p.memberId === memberId) });
  if (apiKeyId) levels.push({ level: "key", policy: find((p) => p.apiKeyId === apiKeyId) });
  return { ok: true, levels, effective: computeEffectiveLimits(levels) };
}
