import {
  type EffectiveLimits,
  getEffectiveLimits,
  type LevelPolicy,
  type LimitPolicyView,
  type Limits,
  limitTargetSchema,
  setLimits,
  setLimitsInputSchema,
  toLimitPolicyView,
} from "@perimeter/core";
import type { Principal } from "../authz/principal";
import { can, type Resource, type Right } from "../authz/rights";
import { limitsOutsideOrgCaps } from "./limits-within-caps";
import { coreContext, type OperationEnv } from "./operation-env";
import { forbidden, guard, invalid, notFound, type OperationResult, ok } from "./operation-result";

type Target = ReturnType<typeof limitTargetSchema.parse>;

/** The resource a limit target belongs to, read from the database; null when it is not in the organization. */
async function targetResource(env: OperationEnv, orgId: string, target: Target): Promise<Resource | null> {
  switch (target.type) {
    case "org":
      return {};
    case "team": {
      const team = await env.db.team.findFirst({ where: { id: target.teamId, orgId }, select: { id: true } });
      return team ? { teamId: team.id } : null;
    }
    case "member": {
      const member = await env.db.teamMember.findFirst({ where: { id: target.memberId, team: { orgId } } });
      return member ? { teamId: member.teamId, ownerUserId: member.userId } : null;
    }
    case "key": {
      const key = await env.db.apiKey.findFirst({ where: { id: target.apiKeyId, orgId } });
      return key ? { teamId: key.teamId, ownerUserId: key.ownerUserId } : null;
    }
  }
}

function readRight(target: Target): Right {
  return target.type === "org" ? "limits.read.org" : target.type === "key" ? "keys.read" : "limits.read";
}

function writeRight(target: Target): Right {
  return target.type === "org" ? "limits.set.org" : target.type === "key" ? "limits.set.key" : "limits.set";
}

export interface LimitsView {
  levels: LevelPolicy[];
  effective: EffectiveLimits;
  canEdit: boolean;
}

/**
 * The limits that govern a target (its own policy and every broader one) and which of them binds.
 * A target the principal may not read is NOT_FOUND.
 */
export function getLimits(
  env: OperationEnv,
  principal: Principal,
  rawTarget: unknown,
): Promise<OperationResult<LimitsView>> {
  return guard(async () => {
    const target = limitTargetSchema.parse(rawTarget);
    const resource = await targetResource(env, principal.orgId, target);
    if (!resource || !can(principal, readRight(target), resource)) return notFound("limit target");
    const result = await getEffectiveLimits(env.db, principal.orgId, target);
    if (!result.ok) return notFound("limit target");
    return ok({
      levels: result.levels,
      effective: result.effective,
      canEdit: can(principal, writeRight(target), resource),
    });
  });
}

/**
 * Sets limits on a target: the organization's caps (admins), a team or member (admins, the team's
 * admins), a key (also its owner). Limits above the organization's caps are refused field by field.
 */
export function setLimitsAs(
  env: OperationEnv,
  principal: Principal,
  input: unknown,
): Promise<OperationResult<{ policy: LimitPolicyView; created: boolean }>> {
  return guard(async () => {
    const parsed = setLimitsInputSchema.parse(input);
    const resource = await targetResource(env, principal.orgId, parsed.target);
    if (!resource || !can(principal, readRight(parsed.target), resource)) return notFound("limit target");
    if (!can(principal, writeRight(parsed.target), resource)) return forbidden("your role cannot set these limits");
    if (parsed.target.type !== "org") {
      const outside = await limitsOutsideCaps(env, principal.orgId, parsed.limits);
      if (Object.keys(outside).length > 0) return invalid(outside, "limits exceed the organization's caps");
    }
    const result = await setLimits(coreContext(env, principal), parsed);
    if (!result.ok) return notFound("limit target");
    return ok({ policy: result.policy, created: result.created });
  });
}

/** `limitsOutsideOrgCaps` against the organization's stored policy, keyed `limits.<field>`. */
export async function limitsOutsideCaps(
  env: OperationEnv,
  orgId: string,
  limits: Limits,
): Promise<Record<string, string>> {
  const row = await env.db.limitPolicy.findFirst({ where: { orgId, scope: "org" } });
  const outside = limitsOutsideOrgCaps(limits, row ? toLimitPolicyView(row) : null);
  return Object.fromEntries(Object.entries(outside).map(([field, message]) => [`limits.${field}`, message]));
}
