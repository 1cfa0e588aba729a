import { z } from "zod";
import type { ChatCompletionChunk, ChatUsage } from "./openai.ts";
import { streamFields, type ThinkingPolicy } from "./translate-request.ts";

// `POST /v1/chat/completions` is vLLM's own API, so requests and answers pass through; the gateway only
// changes what it must (platform.openai.com/docs/api-reference/chat): the model name both ways, the output
// cap, DeepSeek's thinking switch, and the usage options that make metering exact.

export const chatCompletionsRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string() })).min(1),
  stream: z.boolean().nullish(),
  stream_options: z
    .looseObject({ include_usage: z.boolean().nullish(), continuous_usage_stats: z.boolean().nullish() })
    .nullish(),
  max_tokens: z.number().int().min(1).nullish(),
  max_completion_tokens: z.number().int().min(1).nullish(),
  reasoning_effort: z.string().nullish(),
  chat_template_kwargs: z.record(z.string(), z.unknown()).nullish(),
});

export type ChatCompletionsRequest = z.infer<typeof chatCompletionsRequestSchema>;

/**
 * Whether DeepSeek thinks for a chat completion: the team's policy if it overrides the client; else the
 * client's own `chat_template_kwargs.thinking` (vLLM's switch); else a `reasoning_effort` other than `none`
 * or `minimal` (what OpenAI clients send for reasoning models); else off, DeepSeek's default.
 */
export function chatThinking(request: ChatCompletionsRequest, policy: ThinkingPolicy): boolean {
  if (policy === "force_on") return true;
  if (policy === "force_off") return false;
  const asked = request.chat_template_kwargs?.thinking;
  if (typeof asked === "boolean") return asked;
  const effort = request.reasoning_effort;
  return typeof effort === "string" && effort !== "none" && effort !== "minimal";
}

/** The output cap a client asked for: `max_completion_tokens` (current) or `max_tokens` (older). */
export function requestedMaxTokens(request: ChatCompletionsRequest): number | undefined {
  return request.max_completion_tokens ?? request.max_tokens ?? undefined;
}

/**
 * The request vLLM gets: the client's, with the served model name, `max_tokens` set to the caller's clamped
 * cap (`max_completion_tokens` removed), thinking decided by `chatThinking`, and — for a stream — usage
 * asked on every chunk (`include_usage`, `continuous_usage_stats`), whatever the client asked, so a request
 * is metered exactly even when the client leaves. `reasoning_effort` is DeepSeek's `thinking` here and is
 * not forwarded.
 */
export function toUpstreamChatRequest(
  request: ChatCompletionsRequest,
  options: { servedModel: string; maxTokens: number; thinking: boolean },
): Record<string, unknown> & { model: string; max_tokens: number } {
  const { max_completion_tokens: _, reasoning_effort: __, stream_options: ___, ...rest } = request;
  const stream = request.stream === true;
  return {
    ...rest,
    model: options.servedModel,
    max_tokens: options.maxTokens,
    ...streamFields(stream),
    chat_template_kwargs: { ...request.chat_template_kwargs, thinking: options.thinking },
  };
}

/** What a relayed completion told about itself, for metering. */
export interface ChatRelaySummary {
  usage: ChatUsage | null;
  finishReason: string | null;
  hasToolCalls: boolean;
  /** The first chunk with generated content was seen. */
  contentSeen: boolean;
  /** vLLM's in-stream error, if it sent one. */
  error?: string;
  /** `[DONE]` arrived. */
  done: boolean;
}

/**
 * Relays vLLM's stream chunk by chunk: each chunk's `model` becomes the name the client asked for; the
 * final usage chunk (no choices) goes out only if the client set `stream_options.include_usage`, and the
 * per-chunk usage only with `continuous_usage_stats`; `[DONE]` and in-stream errors pass unchanged.
 */
export class ChatChunkRelay {
  readonly summary: ChatRelaySummary = {
    usage: null,
    finishReason: null,
    hasToolCalls: false,
    contentSeen: false,
    done: false,
  };
  private readonly includeUsage: boolean;
  private readonly continuousUsage: boolean;

  constructor(
    private readonly model: string,
    request: Pick<ChatCompletionsRequest, "stream_options">,
  ) {
    this.includeUsage = request.stream_options?.include_usage === true;
    this.continuousUsage = request.stream_options?.continuous_usage_stats === true;
  }

  /** The payload to send for one `data:` payload from vLLM, or undefined to send nothing. */
  relay(data: string): string | undefined {
    if (data.trim() === "[DONE]") {
      this.summary.done = true;
      return "[DONE]";
    }
    let chunk: ChatCompletionChunk & { model?: string };
    try {
      chunk = JSON.parse(data) as ChatCompletionChunk & { model?: string };
    } catch {
      this.summary.error = `upstream sent an event that is not JSON: ${data.slice(0, 200)}`;
      return data;
    }
    if (chunk.error || chunk.object === "error") {
      this.summary.error = chunk.error?.message ?? chunk.message ?? "upstream error";
      return data;
    }
    if (chunk.usage) this.summary.usage = chunk.usage;
    for (const choice of chunk.choices ?? []) {
      if (choice.finish_reason) this.summary.finishReason = choice.finish_reason;
      const delta = choice.delta;
      if (delta?.tool_calls?.length) this.summary.hasToolCalls = true;
      if (delta?.content || delta?.reasoning || delta?.reasoning_content || delta?.tool_calls?.length) {
        this.summary.contentSeen = true;
      }
    }
    const usageOnly = (chunk.choices?.length ?? 0) === 0 && chunk.usage;
    if (usageOnly && !this.includeUsage) return undefined;
    if (!usageOnly && !this.continuousUsage) delete chunk.usage;
    if (chunk.model !== undefined) chunk.model = this.model;
    return JSON.stringify(chunk);
  }
}

/** A non-streamed completion with the model name the client asked for. */
export function rewriteCompletionModel<T extends { model?: string }>(completion: T, model: string): T {
  return { ...completion, model };
}
