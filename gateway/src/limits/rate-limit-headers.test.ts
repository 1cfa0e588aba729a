import { describe, expect, it } from "vitest";
import type { PlannedLimit } from "./limit-plan.ts";
import type { LimitState } from "./limiter.ts";
import { rateLimitHeaders } from "./rate-limit-headers.ts";

function state(
  name: string,
  kind: PlannedLimit["kind"],
  measure: PlannedLimit["measure"],
  limit: number,
  remaining: number,
  resetAtMs?: number,
): LimitState {
  return {
    limit: { name, kind, measure, key: name, slot: 0, limit, reserve: 1 },
    remaining,
    ...(resetAtMs ? { resetAtMs } : {}),
  };
}

describe("rateLimitHeaders", () => {
  it("reports the limit of each kind with the least left, budgets counting as tokens", () => {
    const reset = Date.parse("2026-12-02T10:01:00Z");
    const headers = rateLimitHeaders([
      state("key.requests_per_minute", "window", "requests", 100, 90, reset),
      state("team.requests_per_minute", "window", "requests", 1000, 500, reset),
      state("team.input_tokens_per_minute", "window", "input", 10_000, 9_000, reset),
      state("team.output_tokens_per_minute", "window", "output", 1_000, 200, reset),
      state("team.total_tokens_per_day", "budget", "total", 100_000, 150, Date.parse("2026-12-03T00:00:00Z")),
      state("team.max_concurrent_requests", "concurrency", "concurrent", 2, 1),
    ]);
    expect(headers).toEqual({
      "anthropic-ratelimit-requests-limit": "100",
      "anthropic-ratelimit-requests-remaining": "90",
      "anthropic-ratelimit-requests-reset": "2026-12-02T10:01:00.000Z",
      "anthropic-ratelimit-input-tokens-limit": "10000",
      "anthropic-ratelimit-input-tokens-remaining": "9000",
      "anthropic-ratelimit-input-tokens-reset": "2026-12-02T10:01:00.000Z",
      "anthropic-ratelimit-output-tokens-limit": "1000",
      "anthropic-ratelimit-output-tokens-remaining": "200",
      "anthropic-ratelimit-output-tokens-reset": "2026-12-02T10:01:00.000Z",
      "anthropic-ratelimit-tokens-limit": "100000",
      "anthropic-ratelimit-tokens-remaining": "150",
      "anthropic-ratelimit-tokens-reset": "2026-12-03T00:00:00.000Z",
    });
  });

  it("never reports less than zero remaining, and nothing without limits", () => {
    expect(
      rateLimitHeaders([state("k", "window", "output", 10, -5)])["anthropic-ratelimit-output-tokens-remaining"],
    ).toBe("0");
    expect(rateLimitHeaders([])).toEqual({});
  });
});
