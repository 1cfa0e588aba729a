import type { AnthropicErrorType, StopReason, StreamEvent, Usage } from "./anthropic.ts";
import { toolUseId } from "./anthropic-ids.ts";
import { mapStopReason } from "./map-stop-reason.ts";
import { mapUsage } from "./map-usage.ts";
import type { ChatCompletionChunk, ChatToolCallDelta, ChatUsage } from "./openai.ts";
import { thinkingSignature } from "./thinking-signature.ts";
import { JsonObjectScanner } from "./tool-input.ts";
import type { ResponseContext } from "./translate-response.ts";

/** One upstream tool call, from its first fragment to its block's end. */
interface ToolCall {
  kind: "tool";
  upstreamIndex: number;
  position: number;
  id?: string;
  name?: string;
  args: string;
  /** Our block index once the block is open. */
  block?: number;
  /** Characters of `args` already looked at for sending. */
  sent: number;
  /** `json` once the arguments start as an object, `raw` when they do not (sent wrapped at the end). */
  mode: "pending" | "json" | "raw";
  scanner: JsonObjectScanner;
  closed: boolean;
}

type OpenBlock = { kind: "thinking"; index: number; text: string } | { kind: "text"; index: number } | ToolCall;

/** How the stream ended, for metering and logs. */
export interface StreamSummary {
  usage: Usage;
  /** Part of the output that was reasoning, when vLLM reports it. */
  reasoningTokens: number;
  stopReason: StopReason | null;
  /** Set when the stream ended with an `error` event instead of `message_stop`. */
  error?: { type: AnthropicErrorType; message: string };
}

/**
 * Turns vLLM's chat completion chunks into Anthropic's SSE event sequence, one chunk at a time, and
 * guarantees the grammar whatever the upstream does (protocol reference §2.3, SSE-01…SSE-11, §3.5):
 * `message_start` first, then blocks with contiguous indices, one open at a time, each started and
 * stopped once; thinking blocks end with a non-empty `signature_delta`; a tool block opens with its id
 * and name and gets the first arguments fragment at once (XL-53); parallel calls are separate blocks in
 * upstream index order, a call whose fragments interleave with an open one is held until that one ends
 * (XL-56); the stop reason waits for the final usage (XL-57) and is `tool_use` whenever a tool block was
 * sent (XL-62); a failure after the start is an `error` event and nothing more — never a closed block that
 * would let a client run a half-received tool call (SSE-11, CC-33).
 */
export class StreamTranslator {
  private phase: "idle" | "open" | "done" = "idle";
  private messageStarted = false;
  private nextIndex = 0;
  private open: OpenBlock | undefined;
  private readonly calls = new Map<number, ToolCall>();
  private readonly order: ToolCall[] = [];
  private finish: { reason: string; stop: string | number | null | undefined } | undefined;
  private usage: ChatUsage | undefined;
  private hasToolUse = false;
  private outcome: StreamSummary | undefined;

  constructor(private readonly ctx: ResponseContext) {}

  /** True once `message_start` is out: from then on, keep-alives are `ping` events, not SSE comments. */
  get started(): boolean {
    return this.messageStarted;
  }

  /** True once the stream is over, by `message_stop` or by an `error` event. */
  get finished(): boolean {
    return this.phase === "done";
  }

  /** How the stream ended; undefined until it has. */
  get summary(): StreamSummary | undefined {
    return this.outcome;
  }

  /**
   * The events for one SSE `data` payload of the upstream: `[DONE]` ends the stream, anything else must
   * be a JSON chunk — a payload that is not is an upstream fault, reported as an `error` event.
   */
  pushData(data: string): StreamEvent[] {
    if (data === "[DONE]") return this.end();
    let chunk: ChatCompletionChunk;
    try {
      chunk = JSON.parse(data) as ChatCompletionChunk;
    } catch {
      return this.fail({ type: "api_error", message: "upstream sent a stream chunk that is not JSON" });
    }
    return this.push(chunk);
  }

  /** The events one upstream chunk produces (often none, e.g. for a role-only or usage-only chunk). */
  push(chunk: ChatCompletionChunk): StreamEvent[] {
    if (this.phase === "done") return [];
    if (chunk.error || chunk.object === "error") {
      const message = chunk.error?.message ?? chunk.message ?? "upstream error";
      return this.fail({ type: "api_error", message: `upstream error: ${message}` });
    }
    const events: StreamEvent[] = [];
    if (chunk.usage) this.usage = chunk.usage;
    if (this.phase === "idle") events.push(this.messageStart());
    const choice = chunk.choices?.[0];
    if (choice && !this.finish) {
      const delta = choice.delta ?? {};
      const reasoning = delta.reasoning ?? delta.reasoning_content;
      if (reasoning) this.thinkingDelta(reasoning, events);
      if (delta.content) this.textDelta(delta.content, events);
      for (const call of delta.tool_calls ?? []) this.toolDelta(call, events);
      if (choice.finish_reason) {
        this.finish = { reason: choice.finish_reason, stop: choice.stop_reason };
        if (choice.finish_reason === "abort" || choice.finish_reason === "error") {
          return [
            ...events,
            ...this.fail({
              type: "api_error",
              message: `upstream ended the generation with \`${choice.finish_reason}\``,
            }),
          ];
        }
        this.closeAll(events);
      }
    }
    return events;
  }

  /**
   * The events for the end of the upstream body (`[DONE]` or EOF). A body that ends before vLLM said
   * why it finished was cut: that is an error, not a complete answer (CC-34).
   */
  end(): StreamEvent[] {
    if (this.phase === "done") return [];
    if (!this.finish)
      return this.fail({ type: "api_error", message: "upstream stream ended before the answer was complete" });
    const events: StreamEvent[] = [];
    if (this.phase === "idle") events.push(this.messageStart());
    this.closeAll(events);
    const stop = mapStopReason({
      finishReason: this.finish.reason,
      stopReason: this.finish.stop,
      stopSequences: this.ctx.stopSequences,
      hasToolUse: this.hasToolUse,
    });
    const usage = mapUsage(this.usage);
    events.push({ type: "message_delta", delta: stop, usage }, { type: "message_stop" });
    this.phase = "done";
    this.outcome = { usage, reasoningTokens: this.reasoningTokens(), stopReason: stop.stop_reason };
    return events;
  }

  /** The one `error` event for a failure (socket cut, timeout, in-stream error); open blocks stay open. */
  fail(error: { type: AnthropicErrorType; message: string }): StreamEvent[] {
    if (this.phase === "done") return [];
    this.phase = "done";
    this.outcome = { usage: mapUsage(this.usage), reasoningTokens: this.reasoningTokens(), stopReason: null, error };
    return [{ type: "error", error }];
  }

  private reasoningTokens(): number {
    return this.usage?.completion_tokens_details?.reasoning_tokens ?? 0;
  }

  private messageStart(): StreamEvent {
    this.phase = "open";
    this.messageStarted = true;
    // vLLM's continuous usage stats put the prompt size on the first chunk; cache reads are only known
    // at the end, so the whole prompt counts as input here and the final `message_delta` splits it.
    return {
      type: "message_start",
      message: {
        id: this.ctx.messageId,
        type: "message",
        role: "assistant",
        model: this.ctx.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: this.usage?.prompt_tokens ?? 0,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 0,
          output_tokens: this.usage?.completion_tokens ?? 0,
        },
      },
    };
  }

  private thinkingDelta(text: string, events: StreamEvent[]): void {
    if (this.open?.kind !== "thinking") {
      this.closeOpen(events);
      const index = this.nextIndex++;
      this.open = { kind: "thinking", index, text: "" };
      events.push({
        type: "content_block_start",
        index,
        content_block: { type: "thinking", thinking: "", signature: "" },
      });
    }
    this.open.text += text;
    events.push({
      type: "content_block_delta",
      index: this.open.index,
      delta: { type: "thinking_delta", thinking: text },
    });
  }

  private textDelta(text: string, events: StreamEvent[]): void {
    if (this.open?.kind !== "text") {
      this.closeOpen(events);
      const index = this.nextIndex++;
      this.open = { kind: "text", index };
      events.push({ type: "content_block_start", index, content_block: { type: "text", text: "" } });
    }
    events.push({ type: "content_block_delta", index: this.open.index, delta: { type: "text_delta", text } });
  }

  private toolDelta(fragment: ChatToolCallDelta, events: StreamEvent[]): void {
    // A fragment without an index continues the latest call (some servers omit it on single calls).
    const upstreamIndex = fragment.index ?? this.order.at(-1)?.upstreamIndex ?? 0;
    let call = this.calls.get(upstreamIndex);
    if (!call) {
      call = {
        kind: "tool",
        upstreamIndex,
        position: this.order.length,
        args: "",
        sent: 0,
        mode: "pending",
        scanner: new JsonObjectScanner(),
        closed: false,
      };
      this.calls.set(upstreamIndex, call);
      this.order.push(call);
    }
    if (fragment.id && !call.id) call.id = fragment.id;
    if (fragment.function?.name && !call.name) call.name = fragment.function.name;
    if (fragment.function?.arguments) call.args += fragment.function.arguments;
    if (call.closed) return; // a fragment after its block ended cannot be sent any more
    if (call.block === undefined) {
      const open = this.open;
      // Another call is still receiving arguments: this one waits, so the two never interleave (XL-56).
      if (open?.kind === "tool" && !open.scanner.complete) return;
      if (!call.name) return;
      this.closeOpen(events);
      this.openTool(call, events);
    }
    this.sendArgs(call, events);
  }

  private openTool(call: ToolCall, events: StreamEvent[]): void {
    call.block = this.nextIndex++;
    this.open = call;
    this.hasToolUse = true;
    events.push({
      type: "content_block_start",
      index: call.block,
      content_block: {
        type: "tool_use",
        id: toolUseId(call.id, this.ctx.messageId, call.position),
        name: call.name ?? "",
        input: {},
      },
    });
  }

  /**
   * Sends the arguments received since the last call, as far as they keep a valid JSON object prefix
   * (`JsonObjectScanner`). Arguments that do not start as an object are held and sent whole at the end,
   * wrapped as `{"raw_input": …}`, so what the client receives always ends as one object (SSE-06).
   */
  private sendArgs(call: ToolCall, events: StreamEvent[]): void {
    if (call.block === undefined) return;
    if (call.mode === "pending") {
      const head = call.args.trimStart();
      if (head === "") return;
      call.mode = head.startsWith("{") ? "json" : "raw";
    }
    if (call.mode === "raw") return;
    const accepted = call.scanner.feed(call.args.slice(call.sent));
    call.sent = call.args.length;
    if (accepted) {
      events.push({
        type: "content_block_delta",
        index: call.block,
        delta: { type: "input_json_delta", partial_json: accepted },
      });
    }
  }

  private closeTool(call: ToolCall, events: StreamEvent[]): void {
    if (call.block === undefined) return;
    this.sendArgs(call, events);
    // An object cut short (max_tokens in the middle of a call) is closed, so the input still parses.
    const tail =
      call.mode === "raw"
        ? JSON.stringify({ raw_input: call.args })
        : call.mode === "json"
          ? call.scanner.completion()
          : "";
    if (tail)
      events.push({
        type: "content_block_delta",
        index: call.block,
        delta: { type: "input_json_delta", partial_json: tail },
      });
    call.closed = true;
    events.push({ type: "content_block_stop", index: call.block });
  }

  private closeOpen(events: StreamEvent[]): void {
    const open = this.open;
    if (!open) return;
    this.open = undefined;
    if (open.kind === "thinking") {
      events.push(
        {
          type: "content_block_delta",
          index: open.index,
          delta: { type: "signature_delta", signature: thinkingSignature(open.text) },
        },
        { type: "content_block_stop", index: open.index },
      );
    } else if (open.kind === "text") events.push({ type: "content_block_stop", index: open.index });
    else this.closeTool(open, events);
  }

  /** Ends the open block, then sends every call that was held back, each as a block of its own. */
  private closeAll(events: StreamEvent[]): void {
    this.closeOpen(events);
    for (const call of this.order) {
      if (call.block !== undefined) continue;
      if (!call.name) call.name = "";
      this.openTool(call, events);
      this.sendArgs(call, events);
      this.open = undefined;
      this.closeTool(call, events);
    }
  }
}
