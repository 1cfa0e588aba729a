import { describe, expect, it } from "vitest";
import { describeDenial } from "./describe-denial.ts";
import type { PlannedLimit } from "./limit-plan.ts";

const window: PlannedLimit = {
  name: "team.requests_per_minute",
  kind: "window",
  measure: "requests",
  key: "k",
  slot: 0,
  limit: 50,
  reserve: 1,
};
const budget: PlannedLimit = {
  name: "team.total_tokens_per_day",
  kind: "budget",
  measure: "total",
  key: "k",
  slot: 0,
  limit: 100_000,
  reserve: 40_000,
  period: { kind: "day", startMs: Date.parse("2026-12-01T23:00:00Z"), endMs: Date.parse("2026-12-02T23:00:00Z") },
};

describe("describeDenial", () => {
  it("a throttle: rate_limit_error, retry-after rounded up and at most 60, retry", () => {
    expect(describeDenial(window, 1_200, 0, "UTC")).toEqual({
      status: 429,
      type: "rate_limit_error",
      message: "rate limit exceeded: team.requests_per_minute allows 50 requests per minute; retry in 2 s",
      headers: { "x-should-retry": "true", "retry-after": "2" },
    });
    expect(describeDenial(window, 120_000, 0, "UTC").headers["retry-after"]).toBe("60");
  });

  it("a budget: billing_error, retry-after to the reset, no retry, the reset in the organization's zone", () => {
    expect(describeDenial(budget, 3_600_000, 12_345, "Europe/Paris")).toEqual({
      status: 429,
      type: "billing_error",
      message:
        "token budget exhausted: team.total_tokens_per_day allows 100000 tokens per day, 12345 left, this request " +
        "may need 40000; resets 2026-12-03 00:00 Europe/Paris (2026-12-02T23:00:00.000Z)",
      headers: { "x-should-retry": "false", "retry-after": "3600" },
    });
  });

  it("a request that can never fit: no retry-after, no retry", () => {
    expect(describeDenial(budget, null, 100_000, "UTC")).toMatchObject({
      type: "billing_error",
      headers: { "x-should-retry": "false" },
      message:
        "this request needs up to 40000 tokens, more than team.total_tokens_per_day allows in a whole day (100000)",
    });
    expect(describeDenial({ ...window, limit: 0 }, null, 0, "UTC")).toMatchObject({
      message: "team.requests_per_minute is 0: no request can pass",
      headers: { "x-should-retry": "false" },
    });
  });
});
