import { type KeyPrincipal, type LimitPolicyView, numericLimitFields } from "@perimeter/core";
// The gateway's own limit plan: the keys read here must be the ones it writes.
import { planLimits } from "@perimeter/gateway/src/limits/limit-plan.ts";
import { describe, expect, it } from "vitest";
import { budgetCounters } from "./budget-counters";

function policy(values: Partial<LimitPolicyView>): LimitPolicyView {
  const none = Object.fromEntries(numericLimitFields.map((field) => [field, null]));
  return { ...none, allowedModels: [], thinkingPolicy: "client", ...values } as LimitPolicyView;
}

const principal: KeyPrincipal & { teamId: string } = {
  keyId: "key_k",
  publicId: "pub",
  hash: "",
  orgId: "org_x",
  teamId: "team_t",
  scope: "inference",
  ownerUserId: "usr_u",
  expiresAt: null,
  revokedAt: null,
  ownerDisabled: false,
  teamArchived: false,
  memberId: "mem_m",
  // A zone whose day does not start on a UTC hour, so a period computed in UTC would not match.
  org: { timeZone: "Asia/Kolkata", weekStartsOn: 3 },
  policies: {
    key: policy({ totalTokensPerDay: 1_000, requestsPerMinute: 5 }),
    member: policy({ outputTokensPerWeek: 50_000, maxConcurrentRequests: 2 }),
    team: policy({ inputTokensPerMonth: 9_000_000, totalTokensPerDay: 400_000 }),
  },
  vision: { policies: [], orgVisionModels: [] },
  disabledModels: [],
};

describe("budget counters", () => {
  it("are exactly the budget keys the gateway's limit plan counts in, with its periods", () => {
    const nowMs = Date.UTC(2026, 2, 31, 20, 15);
    const gateway = planLimits(principal, { inputTokens: 10, outputTokens: 10 }, nowMs)
      .filter((limit) => limit.kind === "budget")
      .map((limit) => ({
        name: limit.name,
        key: limit.key,
        // The admission script keeps input, output and total in fields i, o, t, by slot.
        hashField: ["i", "o", "t"][limit.slot],
        limit: limit.limit,
        endMs: limit.period?.endMs,
      }));
    const ours = budgetCounters(principal, nowMs).map((c) => ({
      name: c.name,
      key: c.key,
      hashField: c.hashField,
      limit: c.limit,
      endMs: c.period.endMs,
    }));
    expect(ours).toHaveLength(4);
    expect(new Set(ours.map((c) => JSON.stringify(c)))).toEqual(new Set(gateway.map((c) => JSON.stringify(c))));
  });

  it("are none for a key without a team or without budgets", () => {
    expect(budgetCounters({ ...principal, teamId: null }, Date.now())).toEqual([]);
    const noBudgets = { ...principal, policies: { key: policy({ requestsPerMinute: 1 }), member: null, team: null } };
    expect(budgetCounters(noBudgets, Date.now())).toEqual([]);
  });
});
