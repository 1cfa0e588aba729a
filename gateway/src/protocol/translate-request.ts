import type { MessagesRequest, PromptRequest } from "./anthropic.ts";
import type { ChatCompletionRequest, ChatMessage, ChatTool, ChatToolChoice, TokenizeChatRequest } from "./openai.ts";
import { type TranslateMessagesOptions, translateMessages } from "./translate-messages.ts";
import { type ServerToolPolicy, translateTools } from "./translate-tools.ts";

/** A team's thinking policy (`LimitPolicy.thinkingPolicy`): follow the client, or override it. */
export type ThinkingPolicy = "client" | "force_on" | "force_off";

export interface TranslatePromptOptions extends TranslateMessagesOptions {
  /** `--served-model-name` of the upstream. */
  servedModel: string;
  serverTools: ServerToolPolicy;
  thinkingPolicy: ThinkingPolicy;
}

/** The parts of a translated request that decide the prompt, and so its token count. */
export interface TranslatedPrompt {
  model: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  toolChoice?: ChatToolChoice;
  parallelToolCalls?: false;
  thinking: boolean;
}

export type TranslatePromptResult = { ok: true; prompt: TranslatedPrompt } | { ok: false; message: string };

/**
 * Whether DeepSeek thinks: `enabled` and `adaptive` turn it on, `disabled` or no `thinking` leave it off
 * (XL-30), unless the team's policy overrides the client. `budget_tokens` and `output_config.effort` have
 * no DeepSeek equivalent and are dropped, which also avoids the effort-with-thinking-disabled rejection
 * subagents trigger elsewhere (CC-25).
 */
export function thinkingEnabled(request: PromptRequest, policy: ThinkingPolicy): boolean {
  if (policy === "force_on") return true;
  if (policy === "force_off") return false;
  return request.thinking?.type === "enabled" || request.thinking?.type === "adaptive";
}

/**
 * The prompt of an Anthropic request (system, messages, tools, thinking) in vLLM's terms. Generation and
 * token counting both start here, so `count_tokens` measures exactly the prompt a generation would send.
 */
export function translatePrompt(request: PromptRequest, options: TranslatePromptOptions): TranslatePromptResult {
  const messages = translateMessages(request, options);
  if (!messages.ok) return messages;
  const tools = translateTools(request.tools, request.tool_choice, options.serverTools);
  if (!tools.ok) return tools;
  return {
    ok: true,
    prompt: {
      model: options.servedModel,
      messages: messages.messages,
      ...(tools.tools ? { tools: tools.tools } : {}),
      ...(tools.toolChoice ? { toolChoice: tools.toolChoice } : {}),
      ...(tools.parallelToolCalls === false ? { parallelToolCalls: false } : {}),
      thinking: thinkingEnabled(request, options.thinkingPolicy),
    },
  };
}

/**
 * How a request to vLLM streams. A stream asks for usage on every chunk (`include_usage`,
 * `continuous_usage_stats`), so a request is metered exactly even when its client leaves mid-answer.
 */
export function streamFields(
  stream: boolean,
): { stream: true; stream_options: { include_usage: true; continuous_usage_stats: true } } | { stream: false } {
  return stream
    ? { stream: true, stream_options: { include_usage: true, continuous_usage_stats: true } }
    : { stream: false };
}

/**
 * The chat completion request for a translated prompt. Sampling fields pass through (XL-03, XL-04),
 * `output_config.format` becomes structured output (XL-07), streams ask for vLLM's usage on every chunk
 * (XL-05); `metadata`, `context_management`, `cache_control`, `effort` and the rest are not forwarded
 * (XL-08). `maxTokens` is the caller's clamped value (XL-02).
 */
export function toChatCompletionRequest(
  prompt: TranslatedPrompt,
  request: MessagesRequest,
  generation: { maxTokens: number; stream: boolean },
): ChatCompletionRequest {
  const format = request.output_config?.format;
  return {
    model: prompt.model,
    messages: prompt.messages,
    max_tokens: generation.maxTokens,
    ...streamFields(generation.stream),
    ...(request.temperature !== undefined ? { temperature: request.temperature } : {}),
    ...(request.top_p !== undefined ? { top_p: request.top_p } : {}),
    ...(request.top_k !== undefined ? { top_k: request.top_k } : {}),
    ...(request.stop_sequences?.length ? { stop: request.stop_sequences } : {}),
    ...(prompt.tools ? { tools: prompt.tools } : {}),
    ...(prompt.toolChoice ? { tool_choice: prompt.toolChoice } : {}),
    ...(prompt.parallelToolCalls === false ? { parallel_tool_calls: false } : {}),
    ...(format
      ? {
          response_format: {
            type: "json_schema",
            json_schema: { name: format.name ?? "structured_output", schema: format.schema, strict: true },
          },
        }
      : {}),
    chat_template_kwargs: { thinking: prompt.thinking },
  };
}

/** vLLM's `/tokenize` request (chat form) for the same prompt, with the generation prompt a completion adds. */
export function toTokenizeRequest(prompt: TranslatedPrompt): TokenizeChatRequest {
  return {
    model: prompt.model,
    messages: prompt.messages,
    ...(prompt.tools ? { tools: prompt.tools } : {}),
    chat_template_kwargs: { thinking: prompt.thinking },
    add_generation_prompt: true,
  };
}
