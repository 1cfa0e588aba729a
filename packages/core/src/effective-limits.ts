import type { ThinkingPolicy } from "@perimeter/db";
import type { LimitPolicyView } from "./limit-policy-view.ts";
import { type Limits, limitsSchema } from "./set-limits.ts";

/** Where a limit can be set, from the broadest to the most specific. Every level applies at once. */
export type LimitLevel = "org" | "team" | "member" | "key";

export type NumericLimitField = Exclude<keyof Limits, "allowedModels" | "thinkingPolicy">;

/** Every numeric limit a policy holds (rates, concurrency, budgets, the max_tokens cap), in schema order. */
export const numericLimitFields = Object.keys(limitsSchema.shape).filter(
  (field): field is NumericLimitField => field !== "allowedModels" && field !== "thinkingPolicy",
);

export interface EffectiveNumber {
  /** The smallest value set at any level; null when no level limits it. */
  value: number | null;
  /** The level holding that value (the broadest one when several tie); null when unlimited. */
  level: LimitLevel | null;
  /** What each level sets, for showing the whole stack. Levels without a policy are absent. */
  byLevel: Partial<Record<LimitLevel, number | null>>;
}

export interface EffectiveLimits {
  numbers: Record<NumericLimitField, EffectiveNumber>;
  /** Models allowed by every level at once (null: every enabled model), and the levels that restrict. */
  allowedModels: { models: string[] | null; levels: LimitLevel[] };
  /** The most specific level's thinking policy other than `client`, else `client`. */
  thinkingPolicy: { value: ThinkingPolicy; level: LimitLevel | null };
}

export interface LevelPolicy {
  level: LimitLevel;
  policy: LimitPolicyView | null;
}

/**
 * Folds the policies that apply to one request (organization, team, member, key: pass them broadest
 * first) into the limits that actually bind: the minimum of each number, the intersection of model
 * allow-lists, the most specific non-default thinking policy. Pure, so the dashboard's "which limit is
 * tightest" view and its tests share one definition.
 */
export function computeEffectiveLimits(levels: LevelPolicy[]): EffectiveLimits {
  const numbers = {} as Record<NumericLimitField, EffectiveNumber>;
  for (const field of numericLimitFields) {
    const entry: EffectiveNumber = { value: null, level: null, byLevel: {} };
    for (const { level, policy } of levels) {
      if (!policy) continue;
      const value = policy[field];
      entry.byLevel[level] = value;
      if (value !== null && (entry.value === null || value < entry.value)) {
        entry.value = value;
        entry.level = level;
      }
    }
    numbers[field] = entry;
  }

  let models: string[] | null = null;
  const modelLevels: LimitLevel[] = [];
  for (const { level, policy } of levels) {
    if (!policy || policy.allowedModels.length === 0) continue;
    modelLevels.push(level);
    models = models === null ? [...policy.allowedModels] : models.filter((m) => policy.allowedModels.includes(m));
  }

  let thinkingPolicy: EffectiveLimits["thinkingPolicy"] = { value: "client", level: null };
  for (const { level, policy } of levels) {
    if (policy && policy.thinkingPolicy !== "client") thinkingPolicy = { value: policy.thinkingPolicy, level };
  }
  return { numbers, allowedModels: { models, levels: modelLevels }, thinkingPolicy };
}
