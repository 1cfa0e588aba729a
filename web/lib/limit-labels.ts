import type { LimitLevel, NumericLimitField } from "@perimeter/core";

/** How each limit is named on screen, grouped the way people think about them. */
export const limitGroups: { title: string; fields: { field: NumericLimitField; label: string; unit: string }[] }[] = [
  {
    title: "Rates",
    fields: [
      { field: "requestsPerMinute", label: "Requests", unit: "per minute" },
      { field: "inputTokensPerMinute", label: "Input tokens", unit: "per minute" },
      { field: "outputTokensPerMinute", label: "Output tokens", unit: "per minute" },
      { field: "maxConcurrentRequests", label: "Concurrent requests", unit: "at once" },
    ],
  },
  {
    title: "Token budgets",
    fields: [
      { field: "totalTokensPerDay", label: "Tokens", unit: "per day" },
      { field: "totalTokensPerWeek", label: "Tokens", unit: "per week" },
      { field: "totalTokensPerMonth", label: "Tokens", unit: "per month" },
      { field: "inputTokensPerDay", label: "Input tokens", unit: "per day" },
      { field: "outputTokensPerDay", label: "Output tokens", unit: "per day" },
      { field: "inputTokensPerWeek", label: "Input tokens", unit: "per week" },
      { field: "outputTokensPerWeek", label: "Output tokens", unit: "per week" },
      { field: "inputTokensPerMonth", label: "Input tokens", unit: "per month" },
      { field: "outputTokensPerMonth", label: "Output tokens", unit: "per month" },
    ],
  },
  { title: "Per request", fields: [{ field: "maxTokensCap", label: "max_tokens cap", unit: "tokens" }] },
];

export const levelLabels: Record<LimitLevel, string> = {
  org: "Organization",
  team: "Team",
  member: "Member",
  key: "Key",
};
