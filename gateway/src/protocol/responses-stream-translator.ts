import type { ChatCompletionChunk, ChatUsage } from "./openai.ts";
import type { FunctionCallItem, MessageItem, OutputItem, ReasoningItem, ResponsesStreamEvent } from "./responses.ts";
import {
  functionCallItem,
  mapResponsesUsage,
  messageItem,
  type ResponsesContext,
  reasoningItem,
  responseShell,
  responseStatus,
} from "./translate-responses-response.ts";

/** How a streamed response ended, for metering and the access log. */
export interface ResponsesStreamSummary {
  usage: ChatUsage | null;
  finishReason: string | null;
  hasToolCalls: boolean;
  error?: { code: string; message: string };
}

type OpenItem =
  | { kind: "reasoning"; index: number; item: ReasoningItem; text: string }
  | { kind: "message"; index: number; item: MessageItem; text: string }
  | { kind: "function_call"; index: number; item: FunctionCallItem; toolIndex: number };

/**
 * vLLM chat completion chunks → the Responses API's streaming events, one chunk at a time, in the grammar
 * the `openai` SDK's accumulator and Codex CLI read (platform.openai.com/docs/api-reference/responses-streaming):
 * `response.created`, `response.in_progress`, then per output item `response.output_item.added`, its content
 * part (`response.content_part.added`), deltas (`response.reasoning_text.delta`, `response.output_text.delta`,
 * `response.function_call_arguments.delta`), their `.done`, `response.output_item.done`; and last
 * `response.completed` (or `response.incomplete` for `length`) with usage, or `response.failed`. Every event
 * carries a `sequence_number`. Tool calls stay open until the answer ends, since vLLM may interleave their
 * argument fragments; reasoning and text items close when the next kind of output starts.
 */
export class ResponsesStreamTranslator {
  private sequence = 0;
  private startedFlag = false;
  private done = false;
  private readonly output: OutputItem[] = [];
  private reasoning: Extract<OpenItem, { kind: "reasoning" }> | undefined;
  private message: Extract<OpenItem, { kind: "message" }> | undefined;
  private readonly calls = new Map<number, Extract<OpenItem, { kind: "function_call" }>>();
  private usage: ChatUsage | null = null;
  private finishReason: string | null = null;
  private failure: { code: string; message: string } | undefined;

  constructor(private readonly ctx: ResponsesContext) {}

  /** True once `response.created` went out. */
  get started(): boolean {
    return this.startedFlag;
  }

  /** True after the terminal event (`completed`, `incomplete` or `failed`). */
  get finished(): boolean {
    return this.done;
  }

  get summary(): ResponsesStreamSummary {
    return {
      usage: this.usage,
      finishReason: this.finishReason,
      hasToolCalls: this.output.some((item) => item.type === "function_call"),
      ...(this.failure ? { error: this.failure } : {}),
    };
  }

  /** The events for one `data:` payload of vLLM's stream (`[DONE]` included). */
  pushData(data: string): ResponsesStreamEvent[] {
    if (this.done) return [];
    const events: ResponsesStreamEvent[] = [];
    if (data.trim() === "[DONE]") {
      this.finish(events);
      return events;
    }
    let chunk: ChatCompletionChunk;
    try {
      chunk = JSON.parse(data) as ChatCompletionChunk;
    } catch {
      return this.fail({
        code: "server_error",
        message: `upstream sent an event that is not JSON: ${data.slice(0, 200)}`,
      });
    }
    if (chunk.error || chunk.object === "error") {
      const message = chunk.error?.message ?? chunk.message ?? "upstream error";
      return this.fail({ code: "server_error", message: `model server error: ${message}` });
    }
    this.start(events);
    if (chunk.usage) this.usage = chunk.usage;
    const choice = chunk.choices?.[0];
    const delta = choice?.delta;
    const reasoning = delta?.reasoning ?? delta?.reasoning_content;
    if (reasoning) this.reasoningDelta(reasoning, events);
    if (delta?.content) this.textDelta(delta.content, events);
    for (const call of delta?.tool_calls ?? []) this.toolCallDelta(call, events);
    if (choice?.finish_reason) this.finishReason = choice.finish_reason;
    return events;
  }

  /** The events when the upstream body ended: the answer is complete if vLLM gave a finish reason. */
  end(): ResponsesStreamEvent[] {
    if (this.done) return [];
    if (this.finishReason === null) {
      return this.fail({
        code: "server_error",
        message: "the model server's stream ended before the answer was complete",
      });
    }
    const events: ResponsesStreamEvent[] = [];
    this.finish(events);
    return events;
  }

  /** Ends the stream with `response.failed`, carrying what was generated so far. */
  fail(error: { code: string; message: string }): ResponsesStreamEvent[] {
    if (this.done) return [];
    const events: ResponsesStreamEvent[] = [];
    this.start(events);
    this.failure = error;
    this.done = true;
    this.emit(events, "response.failed", {
      response: {
        ...responseShell(this.ctx, "failed"),
        error,
        output: this.output.map((item) => structuredClone(item)),
        usage: this.usage ? mapResponsesUsage(this.usage) : null,
      },
    });
    return events;
  }

  private emit(events: ResponsesStreamEvent[], type: string, fields: Record<string, unknown>): void {
    events.push({ type, sequence_number: this.sequence++, ...fields });
  }

  private start(events: ResponsesStreamEvent[]): void {
    if (this.startedFlag) return;
    this.startedFlag = true;
    this.emit(events, "response.created", { response: responseShell(this.ctx, "in_progress") });
    this.emit(events, "response.in_progress", { response: responseShell(this.ctx, "in_progress") });
  }

  private add(events: ResponsesStreamEvent[], item: OutputItem): number {
    const index = this.output.length;
    this.output.push(item);
    this.emit(events, "response.output_item.added", { output_index: index, item: structuredClone(item) });
    return index;
  }

  private reasoningDelta(text: string, events: ResponsesStreamEvent[]): void {
    this.closeMessage(events);
    this.closeCalls(events);
    if (!this.reasoning) {
      const item: ReasoningItem = { type: "reasoning", id: this.ctx.newId("rs"), summary: [], content: [] };
      const index = this.add(events, item);
      this.reasoning = { kind: "reasoning", index, item, text: "" };
      this.emit(events, "response.content_part.added", {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        part: { type: "reasoning_text", text: "" },
      });
    }
    this.reasoning.text += text;
    this.emit(events, "response.reasoning_text.delta", {
      item_id: this.reasoning.item.id,
      output_index: this.reasoning.index,
      content_index: 0,
      delta: text,
    });
  }

  private textDelta(text: string, events: ResponsesStreamEvent[]): void {
    this.closeReasoning(events);
    this.closeCalls(events);
    if (!this.message) {
      const item: MessageItem = {
        type: "message",
        id: this.ctx.newId("msg"),
        role: "assistant",
        status: "in_progress",
        content: [],
      };
      const index = this.add(events, item);
      this.message = { kind: "message", index, item, text: "" };
      this.emit(events, "response.content_part.added", {
        item_id: item.id,
        output_index: index,
        content_index: 0,
        part: { type: "output_text", text: "", annotations: [], logprobs: [] },
      });
    }
    this.message.text += text;
    this.emit(events, "response.output_text.delta", {
      item_id: this.message.item.id,
      output_index: this.message.index,
      content_index: 0,
      delta: text,
      logprobs: [],
    });
  }

  private toolCallDelta(
    call: NonNullable<NonNullable<NonNullable<ChatCompletionChunk["choices"]>[number]["delta"]>["tool_calls"]>[number],
    events: ResponsesStreamEvent[],
  ): void {
    const toolIndex = call.index ?? 0;
    let open = this.calls.get(toolIndex);
    if (!open) {
      this.closeReasoning(events);
      this.closeMessage(events);
      const item = functionCallItem(
        this.ctx,
        {
          id: this.ctx.newId("fc"),
          callId: call.id ?? this.ctx.newId("call"),
          name: call.function?.name ?? "",
          arguments: "",
        },
        "in_progress",
      );
      const index = this.add(events, item);
      open = { kind: "function_call", index, item, toolIndex };
      this.calls.set(toolIndex, open);
    }
    const fragment = call.function?.arguments;
    if (fragment) {
      open.item.arguments += fragment;
      this.emit(events, "response.function_call_arguments.delta", {
        item_id: open.item.id,
        output_index: open.index,
        delta: fragment,
      });
    }
  }

  private closeReasoning(events: ResponsesStreamEvent[]): void {
    const open = this.reasoning;
    if (!open) return;
    this.reasoning = undefined;
    const ref = { item_id: open.item.id, output_index: open.index, content_index: 0 };
    this.emit(events, "response.reasoning_text.done", { ...ref, text: open.text });
    this.emit(events, "response.content_part.done", { ...ref, part: { type: "reasoning_text", text: open.text } });
    const item = reasoningItem(open.item.id, open.text);
    this.output[open.index] = item;
    this.emit(events, "response.output_item.done", { output_index: open.index, item: structuredClone(item) });
  }

  private closeMessage(events: ResponsesStreamEvent[], status: MessageItem["status"] = "completed"): void {
    const open = this.message;
    if (!open) return;
    this.message = undefined;
    const ref = { item_id: open.item.id, output_index: open.index, content_index: 0 };
    this.emit(events, "response.output_text.done", { ...ref, text: open.text, logprobs: [] });
    this.emit(events, "response.content_part.done", {
      ...ref,
      part: { type: "output_text", text: open.text, annotations: [], logprobs: [] },
    });
    const item = messageItem(open.item.id, open.text, status);
    this.output[open.index] = item;
    this.emit(events, "response.output_item.done", { output_index: open.index, item: structuredClone(item) });
  }

  private closeCalls(events: ResponsesStreamEvent[], status: FunctionCallItem["status"] = "completed"): void {
    for (const open of [...this.calls.values()].sort((a, b) => a.index - b.index)) {
      const item = { ...open.item, status };
      this.output[open.index] = item;
      this.emit(events, "response.function_call_arguments.done", {
        item_id: item.id,
        output_index: open.index,
        name: item.name,
        arguments: item.arguments,
      });
      this.emit(events, "response.output_item.done", { output_index: open.index, item: structuredClone(item) });
    }
    this.calls.clear();
  }

  private finish(events: ResponsesStreamEvent[]): void {
    this.start(events);
    const { status, incomplete_details } = responseStatus(this.finishReason);
    const itemStatus = status === "completed" ? "completed" : "incomplete";
    this.closeReasoning(events);
    this.closeMessage(events, itemStatus);
    this.closeCalls(events, itemStatus);
    this.done = true;
    this.emit(events, status === "completed" ? "response.completed" : "response.incomplete", {
      response: {
        ...responseShell(this.ctx, status),
        incomplete_details,
        output: this.output.map((item) => structuredClone(item)),
        usage: mapResponsesUsage(this.usage),
      },
    });
  }
}
