import { describe, expect, it } from "vitest";
import { errorClassOfStatus, openAIErrorShape, overflowCode } from "./openai-error.ts";

describe("OpenAI error shapes", () => {
  it("maps the gateway's error classes to OpenAI's statuses, types and codes", () => {
    const shape = (errorClass: Parameters<typeof openAIErrorShape>[0]["errorClass"]) =>
      openAIErrorShape({ errorClass });
    expect(shape("authentication_error")).toEqual({
      status: 401,
      type: "invalid_request_error",
      code: "invalid_api_key",
    });
    expect(shape("rate_limit_error")).toEqual({
      status: 429,
      type: "rate_limit_exceeded",
      code: "rate_limit_exceeded",
    });
    expect(shape("billing_error")).toEqual({ status: 429, type: "insufficient_quota", code: "insufficient_quota" });
    expect(shape("overloaded_error").status).toBe(503);
    expect(openAIErrorShape({ errorClass: "not_found_error", code: "model_not_found" }).code).toBe("model_not_found");
  });

  it("reads the class of a stage's status, and finds context overflows", () => {
    expect([401, 403, 413, 529, 418].map(errorClassOfStatus)).toEqual([
      "authentication_error",
      "permission_error",
      "request_too_large",
      "overloaded_error",
      "api_error",
    ]);
    expect(overflowCode("prompt is too long: 200000 tokens > 163840 maximum")).toBe("context_length_exceeded");
    expect(overflowCode("upstream rejected the request: bad")).toBeUndefined();
  });
});
