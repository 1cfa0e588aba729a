import type { CompletionPlan, Delta, PlannedChunk } from "./completion-plan.ts";
import type { ReasoningField } from "./validate-chat-request.ts";

// The JSON vLLM writes for a chat completion (`chat_completion/protocol.py`). Streamed chunks are
// serialised with `exclude_unset=True`, so only the fields vLLM sets appear, in its field order; the
// non-streamed answer is a full `model_dump()` (every field, nulls included, empty `tool_calls` dropped).

export interface ResponseIdentity {
  id: string;
  created: number;
  model: string;
}

export interface UsageInput {
  promptTokens: number;
  cachedTokens: number;
  completionTokens: number;
  reasoningTokens: number;
  /** `--enable-prompt-tokens-details`: whether `prompt_tokens_details.cached_tokens` is reported. */
  promptTokensDetails: boolean;
}

/** `usage`; without prompt-token details the field is null in a full dump and absent from a chunk. */
function finalUsage(usage: UsageInput, fullDump: boolean): Record<string, unknown> {
  const details = usage.promptTokensDetails ? { cached_tokens: usage.cachedTokens } : null;
  return {
    prompt_tokens: usage.promptTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    completion_tokens: usage.completionTokens,
    ...(details || fullDump ? { prompt_tokens_details: details } : {}),
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens },
  };
}

function continuousUsage(promptTokens: number, chunk: Pick<PlannedChunk, "completionTokens" | "reasoningTokens">) {
  return {
    prompt_tokens: promptTokens,
    total_tokens: promptTokens + chunk.completionTokens,
    completion_tokens: chunk.completionTokens,
    completion_tokens_details: { reasoning_tokens: chunk.reasoningTokens },
  };
}

function renameReasoning(delta: Delta, field: ReasoningField): Record<string, unknown> {
  if (field === "reasoning" || delta.reasoning === undefined) return { ...delta };
  const { reasoning, ...rest } = delta;
  // `reasoning_content` sits where `reasoning` would, before `tool_calls`.
  const { tool_calls, ...head } = rest;
  return { ...head, reasoning_content: reasoning, ...(tool_calls ? { tool_calls } : {}) };
}

export interface StreamChunkOptions {
  reasoningField: ReasoningField;
  /** Prompt tokens, when `continuous_usage_stats` puts usage on every chunk. */
  continuousPromptTokens?: number;
}

/** One `chat.completion.chunk` for `chunk` (the role chunk, a delta, or the finish chunk). */
export function streamChunk(
  identity: ResponseIdentity,
  chunk: PlannedChunk & { finishReason?: string; stopReason?: string | number | null },
  options: StreamChunkOptions,
): Record<string, unknown> {
  const choice: Record<string, unknown> = {
    index: 0,
    delta: renameReasoning(chunk.delta, options.reasoningField),
    logprobs: null,
    finish_reason: chunk.finishReason ?? null,
  };
  if (chunk.finishReason !== undefined) choice.stop_reason = chunk.stopReason ?? null;
  const body: Record<string, unknown> = {
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [choice],
  };
  if (options.continuousPromptTokens !== undefined) body.usage = continuousUsage(options.continuousPromptTokens, chunk);
  return body;
}

/** The trailing `choices: []` chunk `stream_options.include_usage` asks for. */
export function usageChunk(identity: ResponseIdentity, usage: UsageInput): Record<string, unknown> {
  return {
    id: identity.id,
    object: "chat.completion.chunk",
    created: identity.created,
    model: identity.model,
    choices: [],
    usage: finalUsage(usage, false),
  };
}

/** vLLM's in-stream error chunk (`create_streaming_error_response`), sent before `[DONE]`. */
export function streamErrorChunk(error: { message: string; type?: string; code?: number }): Record<string, unknown> {
  return {
    error: { message: error.message, type: error.type ?? "InternalServerError", param: null, code: error.code ?? 500 },
  };
}

/** The non-streamed `chat.completion` for a whole plan. */
export function completionBody(
  identity: ResponseIdentity,
  plan: CompletionPlan,
  usage: UsageInput,
  reasoningField: ReasoningField,
): Record<string, unknown> {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: plan.message.content,
    refusal: null,
    annotations: null,
    audio: null,
    function_call: null,
  };
  if (plan.message.toolCalls.length > 0) {
    message.tool_calls = plan.message.toolCalls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.arguments },
    }));
  }
  message[reasoningField] = plan.message.reasoning;
  return {
    id: identity.id,
    object: "chat.completion",
    created: identity.created,
    model: identity.model,
    choices: [
      {
        index: 0,
        message,
        logprobs: null,
        finish_reason: plan.finish.finishReason,
        stop_reason: plan.finish.stopReason,
        token_ids: null,
      },
    ],
    service_tier: null,
    system_fingerprint: null,
    usage: finalUsage(usage, true),
    prompt_logprobs: null,
    prompt_token_ids: null,
    kv_transfer_params: null,
  };
}
