import type { AnthropicMessage, ResponseContentBlock, StreamEvent } from "../anthropic.ts";

/** A stream's events folded into the message they describe, the way the Anthropic SDKs accumulate them. */
export interface AccumulatedStream {
  message?: AnthropicMessage;
  error?: { type: string; message: string };
}

function fault(position: number, event: StreamEvent | undefined, problem: string): never {
  throw new Error(`event ${position} (${event?.type ?? "end"}): ${problem}`);
}

/**
 * Checks Anthropic's streaming grammar (protocol reference SSE-01…SSE-08, SSE-11) over a whole event
 * sequence and throws naming the first violation; returns the accumulated message. `ping` may appear
 * anywhere after `message_start`; a stream either ends `message_delta` (non-null stop reason: `tool_use`
 * exactly when a tool block was sent, or `max_tokens`) then `message_stop`, or with one `error` event.
 */
export function checkStreamGrammar(events: readonly StreamEvent[]): AccumulatedStream {
  let message: AnthropicMessage | undefined;
  let open: { index: number; block: ResponseContentBlock; json: string; signed: boolean } | undefined;
  let delta: (StreamEvent & { type: "message_delta" }) | undefined;
  let stopped = false;
  const content: ResponseContentBlock[] = [];

  for (const [position, event] of events.entries()) {
    if (stopped) fault(position, event, "event after the end of the stream");
    if (event.type === "error") {
      if (position !== events.length - 1) fault(position, event, "error is not the last event");
      return { ...(message ? { message: { ...message, content } } : {}), error: event.error };
    }
    if (!message) {
      if (event.type !== "message_start") fault(position, event, "the first event must be message_start");
      const start = event.message;
      if (start.content.length !== 0 || start.stop_reason !== null) fault(position, event, "message_start not empty");
      if (typeof start.usage.input_tokens !== "number") fault(position, event, "message_start without usage");
      message = { ...start, content: [], stop_reason: "end_turn" };
      continue;
    }
    switch (event.type) {
      case "message_start":
        fault(position, event, "second message_start");
        break;
      case "ping":
        break;
      case "content_block_start": {
        if (open) fault(position, event, `block ${open.index} is still open`);
        if (delta) fault(position, event, "block after message_delta");
        if (event.index !== content.length) fault(position, event, `index ${event.index}, expected ${content.length}`);
        const block = event.content_block;
        if (block.type === "tool_use" && (!block.id || JSON.stringify(block.input) !== "{}")) {
          fault(position, event, "tool_use must start with an id and an empty input");
        }
        if (block.type === "thinking" && (block.thinking !== "" || block.signature !== "")) {
          fault(position, event, "thinking must start empty");
        }
        open = { index: event.index, block: structuredClone(block) as ResponseContentBlock, json: "", signed: false };
        break;
      }
      case "content_block_delta": {
        if (!open || open.index !== event.index) fault(position, event, `delta for block ${event.index}, not open`);
        const { block } = open;
        const d = event.delta;
        if (d.type === "text_delta" && block.type === "text") {
          if (d.text === "") fault(position, event, "empty text_delta");
          block.text += d.text;
        } else if (d.type === "thinking_delta" && block.type === "thinking") {
          if (d.thinking === "") fault(position, event, "empty thinking_delta");
          if (open.signed) fault(position, event, "thinking after the signature");
          block.thinking += d.thinking;
        } else if (d.type === "signature_delta" && block.type === "thinking") {
          if (d.signature === "") fault(position, event, "empty signature");
          block.signature += d.signature;
          open.signed = true;
        } else if (d.type === "input_json_delta" && block.type === "tool_use") {
          open.json += d.partial_json;
        } else fault(position, event, `${d.type} inside a ${block.type} block`);
        break;
      }
      case "content_block_stop": {
        if (!open || open.index !== event.index) fault(position, event, `stop for block ${event.index}, not open`);
        if (open.block.type === "thinking" && !open.signed)
          fault(position, event, "thinking block without a signature");
        if (open.block.type === "tool_use") {
          let input: unknown = {};
          if (open.json !== "") {
            try {
              input = JSON.parse(open.json);
            } catch {
              fault(position, event, `tool input is not JSON: ${open.json}`);
            }
          }
          if (typeof input !== "object" || input === null || Array.isArray(input)) {
            fault(position, event, "tool input is not an object");
          }
          open.block.input = input as Record<string, unknown>;
        }
        content.push(open.block);
        open = undefined;
        break;
      }
      case "message_delta":
        if (open) fault(position, event, `message_delta while block ${open.index} is open`);
        if (delta) fault(position, event, "second message_delta");
        if (!event.delta.stop_reason) fault(position, event, "message_delta without a stop reason");
        {
          const tools = content.some((block) => block.type === "tool_use");
          const reason = event.delta.stop_reason;
          if (reason === "tool_use" ? !tools : tools && reason !== "max_tokens") {
            fault(position, event, `stop_reason ${reason} does not match the blocks sent`);
          }
        }
        delta = event;
        break;
      case "message_stop":
        if (!delta) fault(position, event, "message_stop before message_delta");
        stopped = true;
        break;
    }
  }
  if (!stopped || !message || !delta) fault(events.length, undefined, "the stream ended without message_stop");
  return {
    message: {
      ...message,
      content,
      stop_reason: delta.delta.stop_reason,
      stop_sequence: delta.delta.stop_sequence,
      usage: delta.usage,
    },
  };
}

/** Parses an Anthropic SSE transcript back into events, checking each frame's `event:` matches `data.type`. */
export function parseAnthropicSse(text: string): StreamEvent[] {
  const events: StreamEvent[] = [];
  for (const frame of text.split("\n\n")) {
    if (frame.trim() === "" || frame.startsWith(":")) continue;
    const [eventLine, dataLine] = frame.split("\n");
    const name = eventLine?.replace(/^event: /, "");
    const data = JSON.parse(dataLine?.replace(/^data: /, "") ?? "") as StreamEvent;
    if (data.type !== name) throw new Error(`frame "${name}" carries data of type "${data.type}"`);
    events.push(data);
  }
  return events;
}
