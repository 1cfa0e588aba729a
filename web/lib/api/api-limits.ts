import { type LimitPolicyView, type Limits, limitsSchema } from "@perimeter/core";
import { z } from "zod";

const core = limitsSchema.shape;

/**
 * Limits as the admin API spells them. Omitted: left as is; null: no limit at this level. Token
 * budgets count input plus output tokens; `maxTokens` clamps a request's `max_tokens`; `models` is the
 * allow-list of public model names (empty or null: every enabled model).
 */
export const apiLimitsSchema = z.strictObject({
  requestsPerMinute: core.requestsPerMinute,
  inputTokensPerMinute: core.inputTokensPerMinute,
  outputTokensPerMinute: core.outputTokensPerMinute,
  maxConcurrentRequests: core.maxConcurrentRequests,
  tokensPerDay: core.totalTokensPerDay,
  tokensPerWeek: core.totalTokensPerWeek,
  tokensPerMonth: core.totalTokensPerMonth,
  maxTokens: core.maxTokensCap,
  models: core.allowedModels,
});
export type ApiLimits = z.output<typeof apiLimitsSchema>;

/** API name → core name, for the fields whose names differ. */
const renamed = {
  tokensPerDay: "totalTokensPerDay",
  tokensPerWeek: "totalTokensPerWeek",
  tokensPerMonth: "totalTokensPerMonth",
  maxTokens: "maxTokensCap",
  models: "allowedModels",
} as const satisfies Partial<Record<keyof ApiLimits, keyof Limits>>;

/** The core limits for API limits (only the fields given). */
export function toCoreLimits(limits: ApiLimits): Limits {
  const out: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(limits)) {
    if (value === undefined) continue;
    out[renamed[field as keyof typeof renamed] ?? field] = value;
  }
  return out as Limits;
}

/** Renames `limits.<core field>` keys of field errors back to the API's names. */
export function toApiFieldNames(fields: Record<string, string>): Record<string, string> {
  const back = Object.fromEntries(Object.entries(renamed).map(([api, coreName]) => [coreName, api]));
  return Object.fromEntries(
    Object.entries(fields).map(([path, message]) => {
      const field = path.replace(/^limits\./, "");
      return [back[field] ?? field, message];
    }),
  );
}

/** A stored policy in the API's shape. */
export function toApiLimits(policy: LimitPolicyView | null): Required<{ [K in keyof ApiLimits]: unknown }> {
  return {
    requestsPerMinute: policy?.requestsPerMinute ?? null,
    inputTokensPerMinute: policy?.inputTokensPerMinute ?? null,
    outputTokensPerMinute: policy?.outputTokensPerMinute ?? null,
    maxConcurrentRequests: policy?.maxConcurrentRequests ?? null,
    tokensPerDay: policy?.totalTokensPerDay ?? null,
    tokensPerWeek: policy?.totalTokensPerWeek ?? null,
    tokensPerMonth: policy?.totalTokensPerMonth ?? null,
    maxTokens: policy?.maxTokensCap ?? null,
    models: policy?.allowedModels ?? [],
  };
}
