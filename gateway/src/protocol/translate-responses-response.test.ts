import { describe, expect, it } from "vitest";
import type { ChatCompletion } from "./openai.ts";
import {
  mapResponsesUsage,
  type ResponsesContext,
  translateCompletionToResponse,
} from "./translate-responses-response.ts";

function context(): ResponsesContext {
  let n = 0;
  return {
    responseId: "resp_1",
    createdAt: 1_767_225_600,
    model: "claude-sonnet-5",
    request: { model: "claude-sonnet-5", input: "hi", reasoning: { effort: "high" }, tool_choice: "auto" },
    maxOutputTokens: 512,
    namespaces: { spawn_agent: "multi_agent_v1" },
    newId: (prefix) => `${prefix}_${++n}`,
  };
}

const usage = {
  prompt_tokens: 100,
  completion_tokens: 20,
  total_tokens: 120,
  prompt_tokens_details: { cached_tokens: 64 },
  completion_tokens_details: { reasoning_tokens: 7 },
};

describe("translateCompletionToResponse", () => {
  it("reasoning, then the message, then one function_call per tool call; the model as the client named it", () => {
    const completion: ChatCompletion = {
      choices: [
        {
          message: {
            role: "assistant",
            reasoning: "think",
            content: "text",
            tool_calls: [
              { id: "call_a", type: "function", function: { name: "exec_command", arguments: '{"cmd":"ls"}' } },
              { id: "call_b", type: "function", function: { name: "spawn_agent", arguments: "{}" } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage,
    };
    const result = translateCompletionToResponse(completion, context());
    expect(result.ok && result.response).toEqual({
      id: "resp_1",
      object: "response",
      created_at: 1_767_225_600,
      status: "completed",
      error: null,
      incomplete_details: null,
      instructions: null,
      max_output_tokens: 512,
      model: "claude-sonnet-5",
      output: [
        {
          type: "reasoning",
          id: "rs_1",
          summary: [],
          content: [{ type: "reasoning_text", text: "think" }],
          status: "completed",
        },
        {
          type: "message",
          id: "msg_2",
          role: "assistant",
          status: "completed",
          content: [{ type: "output_text", text: "text", annotations: [], logprobs: [] }],
        },
        {
          type: "function_call",
          id: "fc_3",
          call_id: "call_a",
          name: "exec_command",
          arguments: '{"cmd":"ls"}',
          status: "completed",
        },
        {
          type: "function_call",
          id: "fc_4",
          call_id: "call_b",
          name: "spawn_agent",
          namespace: "multi_agent_v1",
          arguments: "{}",
          status: "completed",
        },
      ],
      parallel_tool_calls: true,
      previous_response_id: null,
      reasoning: { effort: "high", summary: null },
      store: false,
      temperature: null,
      text: { format: { type: "text" } },
      tool_choice: "auto",
      tools: [],
      top_p: null,
      truncation: "disabled",
      usage: {
        input_tokens: 100,
        input_tokens_details: { cached_tokens: 64 },
        output_tokens: 20,
        output_tokens_details: { reasoning_tokens: 7 },
        total_tokens: 120,
      },
      metadata: {},
    });
  });

  it("length is an incomplete response with reason max_output_tokens, and its items incomplete", () => {
    const result = translateCompletionToResponse(
      { choices: [{ message: { content: "cut" }, finish_reason: "length" }], usage },
      context(),
    );
    expect(
      result.ok && [result.response.status, result.response.incomplete_details, result.response.output[0]?.status],
    ).toEqual(["incomplete", { reason: "max_output_tokens" }, "incomplete"]);
  });

  it("reads older vLLM's reasoning_content, and an answer without a choice is an upstream fault", () => {
    const older = translateCompletionToResponse(
      { choices: [{ message: { reasoning_content: "r" }, finish_reason: "stop" }] },
      context(),
    );
    expect(older.ok && older.response.output).toEqual([
      {
        type: "reasoning",
        id: "rs_1",
        summary: [],
        content: [{ type: "reasoning_text", text: "r" }],
        status: "completed",
      },
    ]);
    expect(translateCompletionToResponse({ choices: [] }, context())).toEqual({
      ok: false,
      message: "upstream answer has no choices[0].message",
    });
  });
});

describe("mapResponsesUsage", () => {
  it("counts the whole prompt as input, never more cached than prompt, and zeros without usage", () => {
    expect(
      mapResponsesUsage({ prompt_tokens: 5, completion_tokens: 1, prompt_tokens_details: { cached_tokens: 9 } }),
    ).toEqual({
      input_tokens: 5,
      input_tokens_details: { cached_tokens: 5 },
      output_tokens: 1,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: 6,
    });
    expect(mapResponsesUsage(null).total_tokens).toBe(0);
  });
});
