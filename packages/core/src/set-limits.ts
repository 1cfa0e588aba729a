import { type LimitScope, newId, type Prisma, type ThinkingPolicy } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import type { CoreContext } from "./context.ts";
import { isUniqueViolation } from "./is-unique-violation.ts";
import { type LimitPolicyView, toLimitPolicyView } from "./limit-policy-view.ts";
import { type ChangeEvent, publishChange } from "./publish-change.ts";

const intFields = [
  "requestsPerMinute",
  "inputTokensPerMinute",
  "outputTokensPerMinute",
  "maxConcurrentRequests",
  "maxTokensCap",
] as const;
const budgetFields = [
  "inputTokensPerDay",
  "outputTokensPerDay",
  "totalTokensPerDay",
  "inputTokensPerWeek",
  "outputTokensPerWeek",
  "totalTokensPerWeek",
  "inputTokensPerMonth",
  "outputTokensPerMonth",
  "totalTokensPerMonth",
] as const;
type IntField = (typeof intFields)[number];
type BudgetField = (typeof budgetFields)[number];

// Rates fit the int4 columns; budgets are bigint columns but arrive as JSON numbers, so they are
// bounded by what a number holds exactly.
const rate = z.int().min(0).max(2_147_483_647).nullish();
const budget = z.int().min(0).nullish();

/** Every limit of a policy. Omitted: left as is. Null: no limit at this level (models: all; thinking: client). */
export const limitsSchema = z.strictObject({
  requestsPerMinute: rate,
  inputTokensPerMinute: rate,
  outputTokensPerMinute: rate,
  maxConcurrentRequests: rate,
  /** Requests asking for more output tokens are clamped to this. */
  maxTokensCap: rate,
  inputTokensPerDay: budget,
  outputTokensPerDay: budget,
  totalTokensPerDay: budget,
  inputTokensPerWeek: budget,
  outputTokensPerWeek: budget,
  totalTokensPerWeek: budget,
  inputTokensPerMonth: budget,
  outputTokensPerMonth: budget,
  totalTokensPerMonth: budget,
  /** Public model names; empty means every enabled model. */
  allowedModels: z.array(z.string().trim().min(1).max(200)).max(500).nullish(),
  thinkingPolicy: z.enum(["client", "force_on", "force_off"]).nullish(),
});
export type Limits = z.input<typeof limitsSchema>;

/** What a policy applies to: the whole organization, a team, one member of a team, or one key. */
export const limitTargetSchema = z.discriminatedUnion("type", [
  z.strictObject({ type: z.literal("org") }),
  z.strictObject({ type: z.literal("team"), teamId: z.string().min(1) }),
  z.strictObject({ type: z.literal("member"), memberId: z.string().min(1) }),
  z.strictObject({ type: z.literal("key"), apiKeyId: z.string().min(1) }),
]);
export type LimitTarget = z.input<typeof limitTargetSchema>;

export const setLimitsInputSchema = z.strictObject({ target: limitTargetSchema, limits: limitsSchema });
export type SetLimitsInput = z.input<typeof setLimitsInputSchema>;

export type SetLimitsResult =
  | { ok: true; policy: LimitPolicyView; created: boolean }
  | { ok: false; code: "NOT_FOUND"; entity: "team" | "member" | "api_key" };

type LimitColumns = Partial<Record<IntField, number | null>> &
  Partial<Record<BudgetField, bigint | null>> & { allowedModels?: string[]; thinkingPolicy?: ThinkingPolicy };

function toColumns(limits: z.output<typeof limitsSchema>): LimitColumns {
  const columns: LimitColumns = {};
  for (const field of intFields) {
    const value = limits[field];
    if (value !== undefined) columns[field] = value;
  }
  for (const field of budgetFields) {
    const value = limits[field];
    if (value !== undefined) columns[field] = value === null ? null : BigInt(value);
  }
  if (limits.allowedModels !== undefined) columns.allowedModels = [...new Set(limits.allowedModels ?? [])];
  if (limits.thinkingPolicy !== undefined) columns.thinkingPolicy = limits.thinkingPolicy ?? "client";
  return columns;
}

const policyIndexes = [
  "limit_policies_one_org_policy",
  "limit_policies_team_id_key",
  "limit_policies_member_id_key",
  "limit_policies_api_key_id_key",
];

/**
 * Creates or updates the one limit policy of a target in the context's organization, changing only
 * the limits given. A team, member or key of another organization is NOT_FOUND. Audits `limits.set`
 * with the policy before (null when new) and after, and announces the change on `changeChannel`.
 */
export async function setLimits(ctx: CoreContext, rawInput: SetLimitsInput): Promise<SetLimitsResult> {
  const input = setLimitsInputSchema.parse(rawInput);
  const columns = toColumns(input.limits);
  let result: SetLimitsResult;
  try {
    result = await upsertPolicy(ctx, input.target, columns);
  } catch (error) {
    // Two first-time writes for one target raced; the retry finds the winner's row and updates it.
    if (!policyIndexes.some((index) => isUniqueViolation(error, index))) throw error;
    result = await upsertPolicy(ctx, input.target, columns);
  }
  if (result.ok) await publishChange(ctx, changeOf(input.target, ctx.orgId));
  return result;
}

/** Whose cached limits a policy change affects. */
function changeOf(target: z.output<typeof limitTargetSchema>, orgId: string): ChangeEvent {
  switch (target.type) {
    case "org":
      return { entity: "org", id: orgId };
    case "team":
      return { entity: "team", id: target.teamId };
    case "member":
      return { entity: "member", id: target.memberId };
    case "key":
      return { entity: "api_key", id: target.apiKeyId };
  }
}

/** The columns naming a policy's target, as stored on its row. */
type PolicyOwner = { scope: LimitScope; teamId?: string; memberId?: string; apiKeyId?: string };

type ResolvedTarget =
  | { ok: true; owner: PolicyOwner; auditTeamId: string | null }
  | Extract<SetLimitsResult, { ok: false }>;

/** The target's owner columns and the team its audit event is filed under, or NOT_FOUND outside the organization. */
async function resolveTarget(
  tx: Prisma.TransactionClient,
  orgId: string,
  target: z.output<typeof limitTargetSchema>,
): Promise<ResolvedTarget> {
  switch (target.type) {
    case "org":
      return { ok: true, owner: { scope: "org" }, auditTeamId: null };
    case "team": {
      const team = await tx.team.findFirst({ where: { id: target.teamId, orgId }, select: { id: true } });
      if (!team) return { ok: false, code: "NOT_FOUND", entity: "team" };
      return { ok: true, owner: { scope: "team", teamId: team.id }, auditTeamId: team.id };
    }
    case "member": {
      const member = await tx.teamMember.findFirst({
        where: { id: target.memberId, team: { orgId } },
        select: { id: true, teamId: true },
      });
      if (!member) return { ok: false, code: "NOT_FOUND", entity: "member" };
      return { ok: true, owner: { scope: "member", memberId: member.id }, auditTeamId: member.teamId };
    }
    case "key": {
      const key = await tx.apiKey.findFirst({
        where: { id: target.apiKeyId, orgId },
        select: { id: true, teamId: true },
      });
      if (!key) return { ok: false, code: "NOT_FOUND", entity: "api_key" };
      return { ok: true, owner: { scope: "key", apiKeyId: key.id }, auditTeamId: key.teamId };
    }
  }
}

function upsertPolicy(
  ctx: CoreContext,
  target: z.output<typeof limitTargetSchema>,
  columns: LimitColumns,
): Promise<SetLimitsResult> {
  return ctx.db.$transaction(async (tx): Promise<SetLimitsResult> => {
    const resolved = await resolveTarget(tx, ctx.orgId, target);
    if (!resolved.ok) return resolved;
    const { owner, auditTeamId } = resolved;
    const existing = await tx.limitPolicy.findFirst({ where: { orgId: ctx.orgId, ...owner } });
    const policy = existing
      ? await tx.limitPolicy.update({ where: { id: existing.id }, data: columns })
      : await tx.limitPolicy.create({ data: { id: newId("limitPolicy"), orgId: ctx.orgId, ...owner, ...columns } });
    const view = toLimitPolicyView(policy);
    await appendAuditEvent(tx, ctx, {
      action: "limits.set",
      targetType: "limit_policy",
      targetId: policy.id,
      teamId: auditTeamId,
      before: existing ? toLimitPolicyView(existing) : null,
      after: view,
    });
    return { ok: true, policy: view, created: existing === null };
  });
}
