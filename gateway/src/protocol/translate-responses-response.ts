import type { ChatCompletion, ChatUsage } from "./openai.ts";
import type {
  FunctionCallItem,
  MessageItem,
  OutputItem,
  ReasoningItem,
  ResponseObject,
  ResponseStatus,
  ResponsesRequest,
  ResponsesUsage,
} from "./responses.ts";

/** What a Response object needs besides the completion: ids (from the caller, never made here) and the request. */
export interface ResponsesContext {
  responseId: string;
  /** Unix seconds. */
  createdAt: number;
  /** The model as the client named it. */
  model: string;
  request: ResponsesRequest;
  /** The output token cap the request was sent with. */
  maxOutputTokens: number;
  /** Function name → its namespace tool (`translateResponsesRequest`). */
  namespaces: Record<string, string>;
  /** A new item id with this prefix (`rs`, `msg`, `fc`, `call`). */
  newId(prefix: "rs" | "msg" | "fc" | "call"): string;
}

/**
 * Responses usage from vLLM's: `input_tokens` is the whole prompt with the cached part in
 * `input_tokens_details.cached_tokens`, and `output_tokens` includes reasoning.
 */
export function mapResponsesUsage(usage: ChatUsage | null | undefined): ResponsesUsage {
  const input = usage?.prompt_tokens ?? 0;
  const output = usage?.completion_tokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: Math.min(usage?.prompt_tokens_details?.cached_tokens ?? 0, input) },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage?.completion_tokens_details?.reasoning_tokens ?? 0 },
    total_tokens: input + output,
  };
}

/** `length` is an incomplete answer (`max_output_tokens`), as is a content filter; anything else completed it. */
export function responseStatus(finishReason: string | null | undefined): {
  status: Extract<ResponseStatus, "completed" | "incomplete">;
  incomplete_details: ResponseObject["incomplete_details"];
} {
  if (finishReason === "length") return { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } };
  if (finishReason === "content_filter") {
    return { status: "incomplete", incomplete_details: { reason: "content_filter" } };
  }
  return { status: "completed", incomplete_details: null };
}

/** A Response object with no output yet: the request's settings echoed as the API does. */
export function responseShell(ctx: ResponsesContext, status: ResponseStatus): ResponseObject {
  const { request } = ctx;
  return {
    id: ctx.responseId,
    object: "response",
    created_at: ctx.createdAt,
    status,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: ctx.maxOutputTokens,
    model: ctx.model,
    output: [],
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: false,
    temperature: request.temperature ?? null,
    text: { format: { type: request.text?.format?.type ?? "text" } },
    tool_choice: request.tool_choice ?? "auto",
    tools: request.tools ?? [],
    top_p: request.top_p ?? null,
    truncation: "disabled",
    usage: null,
    metadata: {},
  };
}

export function reasoningItem(id: string, text: string): ReasoningItem {
  return { type: "reasoning", id, summary: [], content: [{ type: "reasoning_text", text }], status: "completed" };
}

export function messageItem(id: string, text: string, status: MessageItem["status"]): MessageItem {
  return {
    type: "message",
    id,
    role: "assistant",
    status,
    content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
  };
}

export function functionCallItem(
  ctx: Pick<ResponsesContext, "namespaces">,
  call: { id: string; callId: string; name: string; arguments: string },
  status: FunctionCallItem["status"],
): FunctionCallItem {
  const namespace = ctx.namespaces[call.name];
  return {
    type: "function_call",
    id: call.id,
    call_id: call.callId,
    name: call.name,
    ...(namespace ? { namespace } : {}),
    arguments: call.arguments,
    status,
  };
}

export type TranslateCompletionToResponseResult =
  | { ok: true; response: ResponseObject; finishReason: string | null }
  | { ok: false; message: string };

/**
 * A non-streamed vLLM completion → a Response object: reasoning first, then the message, then one
 * `function_call` per tool call (its `call_id` is vLLM's call id). A completion without a choice is an
 * upstream fault, not an empty answer.
 */
export function translateCompletionToResponse(
  completion: ChatCompletion,
  ctx: ResponsesContext,
): TranslateCompletionToResponseResult {
  const choice = completion.choices?.[0];
  if (!choice?.message) return { ok: false, message: "upstream answer has no choices[0].message" };
  const { message } = choice;
  const { status, incomplete_details } = responseStatus(choice.finish_reason);
  const itemStatus = status === "completed" ? "completed" : "incomplete";
  const output: OutputItem[] = [];
  const reasoning = message.reasoning ?? message.reasoning_content;
  if (reasoning) output.push(reasoningItem(ctx.newId("rs"), reasoning));
  if (message.content) output.push(messageItem(ctx.newId("msg"), message.content, itemStatus));
  for (const call of message.tool_calls ?? []) {
    const name = call.function?.name ?? "";
    output.push(
      functionCallItem(
        ctx,
        {
          id: ctx.newId("fc"),
          callId: call.id ?? ctx.newId("call"),
          name,
          arguments: call.function?.arguments ?? "{}",
        },
        itemStatus,
      ),
    );
  }
  return {
    ok: true,
    finishReason: choice.finish_reason ?? null,
    response: {
      ...responseShell(ctx, status),
      incomplete_details,
      output,
      usage: mapResponsesUsage(completion.usage),
    },
  };
}
