import type { BudgetPeriodKind } from "./budget-period.ts";

/** Whose budget a counter is: an API key's, a team membership's, or a team's. */
export type BudgetLevel = "key" | "member" | "team";

/** What a budget counts: uncached input tokens, output tokens, or both. */
export type BudgetMeasure = "input" | "output" | "total";

const fields: Record<BudgetMeasure, "i" | "o" | "t"> = { input: "i", output: "o", total: "t" };

/**
 * Where the gateway counts one calendar budget in Redis: a hash per level, id and period (under the
 * team's hash tag, so admission's one script stays in one Redis Cluster slot), one field per measure,
 * holding the tokens used plus those reserved by requests in flight. The gateway writes these counters
 * and the dashboard reads them; this is their one definition.
 */
export function budgetCounter(input: {
  namespace?: string;
  teamId: string;
  level: BudgetLevel;
  id: string;
  period: BudgetPeriodKind;
  periodStartMs: number;
  measure: BudgetMeasure;
}): { key: string; field: "i" | "o" | "t" } {
  const namespace = input.namespace ?? "perimeter";
  return {
    key: `${namespace}:{${input.teamId}}:budget:${input.level}:${input.id}:${input.period}:${input.periodStartMs}`,
    field: fields[input.measure],
  };
}
