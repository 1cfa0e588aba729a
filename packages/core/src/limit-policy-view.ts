import type { LimitPolicy, LimitScope, ThinkingPolicy } from "@perimeter/db";

/** A limit policy with its counters as plain numbers (the bigint columns never exceed 2^53). */
export interface LimitPolicyView {
  id: string;
  orgId: string;
  scope: LimitScope;
  teamId: string | null;
  memberId: string | null;
  apiKeyId: string | null;
  requestsPerMinute: number | null;
  inputTokensPerMinute: number | null;
  outputTokensPerMinute: number | null;
  maxConcurrentRequests: number | null;
  inputTokensPerDay: number | null;
  outputTokensPerDay: number | null;
  totalTokensPerDay: number | null;
  inputTokensPerWeek: number | null;
  outputTokensPerWeek: number | null;
  totalTokensPerWeek: number | null;
  inputTokensPerMonth: number | null;
  outputTokensPerMonth: number | null;
  totalTokensPerMonth: number | null;
  maxTokensCap: number | null;
  allowedModels: string[];
  thinkingPolicy: ThinkingPolicy;
  createdAt: Date;
  updatedAt: Date;
}

function toNumber(value: bigint | null): number | null {
  return value === null ? null : Number(value);
}

/** Projects a limit-policy row to a `LimitPolicyView`, converting bigint budgets to numbers. */
export function toLimitPolicyView(policy: LimitPolicy): LimitPolicyView {
  return {
    ...policy,
    inputTokensPerDay: toNumber(policy.inputTokensPerDay),
    outputTokensPerDay: toNumber(policy.outputTokensPerDay),
    totalTokensPerDay: toNumber(policy.totalTokensPerDay),
    inputTokensPerWeek: toNumber(policy.inputTokensPerWeek),
    outputTokensPerWeek: toNumber(policy.outputTokensPerWeek),
    totalTokensPerWeek: toNumber(policy.totalTokensPerWeek),
    inputTokensPerMonth: toNumber(policy.inputTokensPerMonth),
    outputTokensPerMonth: toNumber(policy.outputTokensPerMonth),
    totalTokensPerMonth: toNumber(policy.totalTokensPerMonth),
  };
}
