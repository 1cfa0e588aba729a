import {
  type BudgetLevel,
  type BudgetPeriodKind,
  budgetCounter,
  budgetPeriod,
  type KeyPrincipal,
  type LimitPolicyView,
  type NumericLimitField,
} from "@perimeter/core";

/** The calendar budgets of a policy and the period each one counts over. */
const budgetFields = [
  ["totalTokensPerDay", "day", "total"],
  ["inputTokensPerDay", "day", "input"],
  ["outputTokensPerDay", "day", "output"],
  ["totalTokensPerWeek", "week", "total"],
  ["inputTokensPerWeek", "week", "input"],
  ["outputTokensPerWeek", "week", "output"],
  ["totalTokensPerMonth", "month", "total"],
  ["inputTokensPerMonth", "month", "input"],
  ["outputTokensPerMonth", "month", "output"],
] as const satisfies readonly (readonly [
  NumericLimitField & keyof LimitPolicyView,
  BudgetPeriodKind,
  "input" | "output" | "total",
])[];

export type { BudgetLevel };

/** One calendar budget that applies to a key's requests, and the Redis counter the gateway keeps for it. */
export interface BudgetCounter {
  level: BudgetLevel;
  field: (typeof budgetFields)[number][0];
  /** As the gateway's 429s and usage records name it: `team.total_tokens_per_day`. */
  name: string;
  limit: number;
  /** The gateway's counter (core's `budgetCounter`): tokens used, plus those reserved by requests in
   * flight, in this period, in field `hashField` of the hash at `key`. */
  key: string;
  hashField: "i" | "o" | "t";
  period: { kind: BudgetPeriodKind; startMs: number; endMs: number };
}

function counterAt(counter: { key: string; field: "i" | "o" | "t" }) {
  return { key: counter.key, hashField: counter.field };
}

/** `totalTokensPerDay` → `total_tokens_per_day`. */
function snakeCase(field: string): string {
  return field.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * The budget counters the gateway checks a request of this key against, for the period containing
 * `nowMs` in the organization's calendar, where core's `budgetCounter` puts them (a test pins them to the
 * gateway's limit plan). Keys without a team have no budgets. Pure.
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
    for (const [field, kind, measure] of budgetFields) {
      const limit = policy[field];
      if (limit === null) continue;
      const period = budgetPeriod(kind, nowMs, principal.org.timeZone, principal.org.weekStartsOn);
      const name = snakeCase(field);
      counters.push({
        level,
        field,
        name: `${level}.${name}`,
        limit,
        ...counterAt(
          budgetCounter({
            namespace,
            teamId: principal.teamId,
            level,
            id,
            period: kind,
            periodStartMs: period.startMs,
            measure,
          }),
        ),
        period: { kind, startMs: period.startMs, endMs: period.endMs },
      });
    }
  }
  return counters;
}
