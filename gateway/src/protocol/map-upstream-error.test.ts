import { describe, expect, it } from "vitest";
import {
  mapUpstreamError,
  mapUpstreamFailure,
  parseContextOverflow,
  upstreamErrorMessage,
} from "./map-upstream-error.ts";

const vllm = (message: string) =>
  JSON.stringify({ error: { message, type: "BadRequestError", param: null, code: 400 } });

describe("parseContextOverflow", () => {
  it.each([
    [
      "This model's maximum context length is 163840 tokens. However, you requested 170000 tokens (138000 in the messages, 32000 in the completion). Please reduce the length of the messages or completion.",
      { promptTokens: 138_000, maxModelLen: 163_840, maxTokens: 32_000 },
    ],
    [
      "This model's maximum context length is 163840 tokens. However, you requested 32000 output tokens and your prompt contains at least 140001 input tokens, for a total of at least 172001 tokens.",
      { promptTokens: 140_001, maxModelLen: 163_840, maxTokens: 32_000 },
    ],
    [
      "'max_tokens' or 'max_completion_tokens' is too large: 8000. This model's maximum context length is 4096 tokens and your request has 2778 input tokens (8000 > 4096 - 2778). None",
      { promptTokens: 2778, maxModelLen: 4096, maxTokens: 8000 },
    ],
    [
      "The input (233781 tokens) is longer than the model's context length (202752 tokens).",
      { promptTokens: 233_781, maxModelLen: 202_752 },
    ],
    [
      "This model's maximum context length is 1536 tokens. However, your request has 4176 input tokens.",
      { promptTokens: 4176, maxModelLen: 1536 },
    ],
  ])("reads %s", (message, expected) => {
    expect(parseContextOverflow(message)).toEqual(expected);
  });

  it("is undefined for other errors", () => {
    expect(parseContextOverflow("Input should be a valid string")).toBeUndefined();
  });
});

describe("mapUpstreamError", () => {
  it("words a prompt over the window as Anthropic does, so auto-compaction triggers (T-21, ERR-10)", () => {
    expect(
      mapUpstreamError(
        400,
        vllm("The input (233781 tokens) is longer than the model's context length (202752 tokens)."),
      ),
    ).toEqual({
      failure: {
        status: 400,
        type: "invalid_request_error",
        message: "prompt is too long: 233781 tokens > 202752 maximum",
      },
      overflow: { promptTokens: 233_781, maxModelLen: 202_752 },
    });
  });

  it("words a prompt that fits but not with max_tokens as Anthropic does (T-22, ERR-11)", () => {
    const body = vllm(
      "This model's maximum context length is 163840 tokens. However, you requested 170000 tokens (138000 in the messages, 32000 in the completion).",
    );
    expect(mapUpstreamError(400, body).failure.message).toBe(
      "input length and `max_tokens` exceed context limit: 138000 + 32000 > 163840, decrease input length or `max_tokens` and try again",
    );
  });

  it("falls back to Anthropic's prefix when an overflow message has no numbers", () => {
    expect(mapUpstreamError(400, vllm("exceeds the context window")).failure.message).toBe(
      "prompt is too long: exceeds the context window",
    );
  });

  it.each([
    [400, "Input should be a valid string", 400, "invalid_request_error"],
    [422, "field required", 400, "invalid_request_error"],
    [404, "The model `x` does not exist.", 404, "not_found_error"],
    [401, "Unauthorized", 500, "api_error"],
    [403, "Forbidden", 500, "api_error"],
    [413, "too large", 413, "request_too_large"],
    [429, "busy", 529, "overloaded_error"],
    [503, "Service Unavailable", 529, "overloaded_error"],
    [502, "Bad Gateway", 529, "overloaded_error"],
    [504, "Gateway Timeout", 504, "timeout_error"],
    [500, "EngineDeadError", 500, "api_error"],
  ])("maps %i (%s) to %i %s (ERR-12…15)", (status, message, expectedStatus, type) => {
    expect(mapUpstreamError(status, vllm(message)).failure).toMatchObject({ status: expectedStatus, type });
  });

  it("never leaks the upstream's reason for refusing the gateway's credentials", () => {
    expect(mapUpstreamError(401, vllm("Invalid API key sk-vllm-secret")).failure.message).not.toContain("sk-vllm");
  });
});

describe("upstreamErrorMessage", () => {
  it("reads every error body vLLM has used, and plain text", () => {
    expect(upstreamErrorMessage(vllm("a"))).toBe("a");
    expect(upstreamErrorMessage('{"object":"error","message":"b","type":"BadRequestError"}')).toBe("b");
    expect(upstreamErrorMessage('{"detail":"Not Found"}')).toBe("Not Found");
    expect(upstreamErrorMessage('{"detail":[{"loc":["body"],"msg":"x"}]}')).toBe('[{"loc":["body"],"msg":"x"}]');
    expect(upstreamErrorMessage("Internal Server Error")).toBe("Internal Server Error");
    expect(upstreamErrorMessage("")).toBe("no error message");
  });
});

describe("mapUpstreamFailure", () => {
  it("is capacity when nothing answers and a timeout when the answer is late", () => {
    expect(mapUpstreamFailure("unavailable", "ECONNREFUSED")).toMatchObject({ status: 529, type: "overloaded_error" });
    expect(mapUpstreamFailure("timeout", "600 s")).toMatchObject({ status: 504, type: "timeout_error" });
  });
});
