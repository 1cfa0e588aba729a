import type { LimitPolicyView } from "@perimeter/core";
import { describe, expect, it } from "vitest";
import { limitsOutsideOrgCaps } from "./limits-within-caps";

const org = {
  requestsPerMinute: 100,
  totalTokensPerDay: 1_000_000,
  maxTokensCap: null,
  allowedModels: ["umans-coder-v0"],
} as unknown as LimitPolicyView;

describe("limitsOutsideOrgCaps", () => {
  it("names every limit above its cap and every model outside the allow-list", () => {
    expect(
      limitsOutsideOrgCaps(
        {
          requestsPerMinute: 101,
          totalTokensPerDay: 1_000_000,
          maxTokensCap: 99_999,
          allowedModels: ["other", "umans-coder-v0"],
        },
        org,
      ),
    ).toEqual({
      requestsPerMinute: "exceeds the organization's cap of 100",
      allowedModels: "not allowed by the organization: other",
    });
  });

  it("accepts anything when the organization sets no caps, and null (no limit at this level) always", () => {
    expect(limitsOutsideOrgCaps({ requestsPerMinute: 10_000 }, null)).toEqual({});
    expect(limitsOutsideOrgCaps({ requestsPerMinute: null }, org)).toEqual({});
  });
});
