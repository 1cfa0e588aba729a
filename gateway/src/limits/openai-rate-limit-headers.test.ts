import { describe, expect, it } from "vitest";
import { openAIRateLimitHeaders } from "./openai-rate-limit-headers.ts";

describe("openAIRateLimitHeaders", () => {
  it("renames the tightest request and token limits and turns the reset time into seconds from now", () => {
    const now = Date.parse("2026-12-01T10:00:00.000Z");
    expect(
      openAIRateLimitHeaders(
        {
          "anthropic-ratelimit-requests-limit": "60",
          "anthropic-ratelimit-requests-remaining": "59",
          "anthropic-ratelimit-requests-reset": "2026-12-01T10:00:59.200Z",
          "anthropic-ratelimit-tokens-limit": "1000",
          "anthropic-ratelimit-tokens-remaining": "0",
          "anthropic-ratelimit-input-tokens-limit": "500",
        },
        now,
      ),
    ).toEqual({
      "x-ratelimit-limit-requests": "60",
      "x-ratelimit-remaining-requests": "59",
      "x-ratelimit-reset-requests": "60s",
      "x-ratelimit-limit-tokens": "1000",
      "x-ratelimit-remaining-tokens": "0",
    });
    expect(openAIRateLimitHeaders({}, now)).toEqual({});
  });
});
