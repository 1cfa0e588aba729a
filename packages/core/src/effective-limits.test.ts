import { describe, expect, it } from "vitest";
import { computeEffectiveLimits, type LevelPolicy, numericLimitFields } from "./effective-limits.ts";
import type { LimitPolicyView } from "./limit-policy-view.ts";

function policy(fields: Partial<LimitPolicyView>): LimitPolicyView {
  const empty = Object.fromEntries(numericLimitFields.map((field) => [field, null]));
  return {
    ...(empty as unknown as LimitPolicyView),
    id: "lim_x",
    orgId: "org_x",
    scope: "team",
    teamId: null,
    memberId: null,
    apiKeyId: null,
    allowedModels: [],
    thinkingPolicy: "client",
    createdAt: new Date(0),
    updatedAt: new Date(0),
    ...fields,
  };
}

describe("computeEffectiveLimits", () => {
  it("takes the smallest value of every level and names the level that holds it", () => {
    const levels: LevelPolicy[] = [
      { level: "org", policy: policy({ requestsPerMinute: 600, totalTokensPerDay: 1_000_000 }) },
      { level: "team", policy: policy({ requestsPerMinute: 60 }) },
      { level: "member", policy: null },
      { level: "key", policy: policy({ requestsPerMinute: 120, maxTokensCap: 4096 }) },
    ];
    const { numbers } = computeEffectiveLimits(levels);
    expect(numbers.requestsPerMinute).toEqual({ value: 60, level: "team", byLevel: { org: 600, team: 60, key: 120 } });
    expect(numbers.totalTokensPerDay).toMatchObject({ value: 1_000_000, level: "org" });
    expect(numbers.maxTokensCap).toMatchObject({ value: 4096, level: "key" });
    expect(numbers.outputTokensPerMinute).toEqual({
      value: null,
      level: null,
      byLevel: { org: null, team: null, key: null },
    });
  });

  it("names the broadest level on a tie and treats 0 as a limit, not as unset", () => {
    const { numbers } = computeEffectiveLimits([
      { level: "org", policy: policy({ requestsPerMinute: 10, maxConcurrentRequests: 0 }) },
      { level: "key", policy: policy({ requestsPerMinute: 10, maxConcurrentRequests: 5 }) },
    ]);
    expect(numbers.requestsPerMinute).toMatchObject({ value: 10, level: "org" });
    expect(numbers.maxConcurrentRequests).toMatchObject({ value: 0, level: "org" });
  });

  it("intersects model allow-lists and lets the most specific thinking policy win", () => {
    const result = computeEffectiveLimits([
      { level: "org", policy: policy({ allowedModels: ["a", "b", "c"], thinkingPolicy: "force_off" }) },
      { level: "team", policy: policy({ allowedModels: [] }) },
      { level: "key", policy: policy({ allowedModels: ["c", "b", "z"], thinkingPolicy: "force_on" }) },
    ]);
    expect(result.allowedModels).toEqual({ models: ["b", "c"], levels: ["org", "key"] });
    expect(result.thinkingPolicy).toEqual({ value: "force_on", level: "key" });
    expect(computeEffectiveLimits([{ level: "org", policy: null }]).allowedModels).toEqual({
      models: null,
      levels: [],
    });
  });
});
