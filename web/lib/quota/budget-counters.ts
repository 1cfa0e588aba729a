import {
  type BudgetPeriodKind,
  budgetPeriod,
  type KeyPrincipal,
  type LimitPolicyView,
  type NumericLimitField,
} from "@perimeter/core";

/** The calendar budgets of a policy and the period each one counts over. */
const budgetFields = [
  ["totalTokensPerDay", "day"],
  ["inputTokensPerDay", "day"],
  ["outputTokensPerDay", "day"],
  ["totalTokensPerWeek", "week"],
  ["inputTokensPerWeek", "week"],
  ["outputTokensPerWeek", "week"],
  ["totalTokensPerMonth", "month"],
  ["inputTokensPerMonth", "month"],
  ["outputTokensPerMonth", "month"],
] as const satisfies readonly (readonly [NumericLimitField & keyof LimitPolicyView, BudgetPeriodKind])[];

export type BudgetLevel = "key" | "member" | "team";

/** One calendar budget that applies to a key's requests, and the Redis counter the gateway keeps for it. */
export interface BudgetCounter {
  level: BudgetLevel;
  field: (typeof budgetFields)[number][0];
  /** As the gateway's 429s and usage records name it: `team.total_tokens_per_day`. */
  name: string;
  limit: number;
  /** The gateway's counter: tokens used, plus those reserved by requests in flight, in this period. */
  key: string;
  period: { kind: BudgetPeriodKind; startMs: number; endMs: number };
}

/** `totalTokensPerDay` → `total_tokens_per_day`. */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The budget counters the gateway checks a request of this key against, for the period containing
 * `nowMs` in the organization's calendar. The keys follow the gateway's limit plan
 * (`gateway/src/limits/limit-plan.ts`: `<ns>:{<teamId>}:budget:<level>:<id>:<limit>:<period start ms>`,
 * a test pins them to it). Keys without a team have no budgets. Pure.
 */
export function budgetCounters(
  principal: Pick<KeyPrincipal, "keyId" | "memberId" | "teamId" | "org" | "policies">,
  nowMs: number,
  namespace = "perimeter",
): BudgetCounter[] {
  if (!principal.teamId) return [];
  const levels: [BudgetLevel, string | null, LimitPolicyView | null][] = [
    ["key", principal.keyId, principal.policies.key],
    ["member", principal.memberId, principal.policies.member],
    ["team", principal.teamId, principal.policies.team],
  ];
  const counters: BudgetCounter[] = [];
  for (const [level, id, policy] of levels) {
    if (!id || !policy) continue;
    for (const [field, kind] of budgetFields) {
      const limit = policy[field];
      if (limit === null) continue;
      const period = budgetPeriod(kind, nowMs, principal.org.timeZone, principal.org.weekStartsOn);
      const name = snakeCase(field);
      counters.push({
        level,
        field,
        name: `${level}.${name}`,
        limit,
        key: `${namespace}:{${principal.teamId}}:budget:${level}:${id}:${name}:${period.startMs}`,
        period: { kind, startMs: period.startMs, endMs: period.endMs },
      });
    }
  }
  return counters;
}
