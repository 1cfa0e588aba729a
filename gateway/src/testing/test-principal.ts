import type { KeyPrincipal, LimitPolicyView } from "@perimeter/core";
import type { TeamPrincipal } from "../pipeline/authenticate.ts";

/** A key principal for unit tests: a team key of `usr_1` in `team_1` of `org_1`, UTC, no policies. */
export function testPrincipal(overrides: Partial<KeyPrincipal> = {}): TeamPrincipal {
  return {
    keyId: "key_1",
    publicId: "p",
    hash: "h",
    orgId: "org_1",
    teamId: "team_1",
    scope: "inference",
    ownerUserId: "usr_1",
    expiresAt: null,
    revokedAt: null,
    ownerDisabled: false,
    teamArchived: false,
    memberId: "mem_1",
    org: { timeZone: "UTC", weekStartsOn: 1 },
    policies: { key: null, member: null, team: null },
    vision: { policies: [], orgVisionModels: [] },
    disabledModels: [],
    ...overrides,
  } as TeamPrincipal;
}

const noLimits = {
  requestsPerMinute: null,
  inputTokensPerMinute: null,
  outputTokensPerMinute: null,
  maxConcurrentRequests: null,
  inputTokensPerDay: null,
  outputTokensPerDay: null,
  totalTokensPerDay: null,
  inputTokensPerWeek: null,
  outputTokensPerWeek: null,
  totalTokensPerWeek: null,
  inputTokensPerMonth: null,
  outputTokensPerMonth: null,
  totalTokensPerMonth: null,
  maxTokensCap: null,
  allowedModels: [],
  thinkingPolicy: "client",
} as const;

/** A limit policy for unit tests: `limits`, and no limit on anything else. */
export function testPolicy(limits: Partial<LimitPolicyView>): LimitPolicyView {
  return { ...noLimits, ...limits } as LimitPolicyView;
}
