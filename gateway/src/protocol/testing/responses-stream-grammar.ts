import type { ResponseObject, ResponsesStreamEvent } from "../responses.ts";

const terminal = new Set(["response.completed", "response.incomplete", "response.failed"]);

/** Fails with the event's position and what was wrong. */
function fail(index: number, event: ResponsesStreamEvent | undefined, problem: string): never {
  throw new Error(`event ${index} (${event?.type ?? "none"}): ${problem}`);
}

/**
 * Checks a streamed response against the Responses API's event grammar as the `openai` SDK's accumulator
 * and Codex CLI read it, and returns the final Response: `sequence_number` counts up from 0;
 * `response.created` then `response.in_progress` open the stream and one terminal event
 * (`response.completed`, `.incomplete`, `.failed`) ends it; items are added at the next output index; every
 * delta and `.done` names an item that is open, with its `item_id`; an item's `output_item.done` comes
 * once, after its content is done; every item is done before a completed or incomplete response; and the
 * terminal response's output equals the items as they were done.
 */
export function checkResponsesStreamGrammar(events: ResponsesStreamEvent[]): ResponseObject {
  events.forEach((event, i) => {
    if (event.sequence_number !== i) fail(i, event, `sequence_number ${event.sequence_number}, expected ${i}`);
  });
  if (events[0]?.type !== "response.created") fail(0, events[0], "the stream must start with response.created");
  if (events[1]?.type !== "response.in_progress") fail(1, events[1], "response.in_progress must follow");
  const last = events.at(-1);
  if (!last || !terminal.has(last.type)) fail(events.length - 1, last, "the stream must end with a terminal event");
  const items: { id: string; type: string; open: boolean; done?: unknown; partOpen: boolean }[] = [];
  for (const [i, event] of events.entries()) {
    if (i < 2) continue;
    if (terminal.has(event.type) && i !== events.length - 1) fail(i, event, "terminal event before the end");
    const index = event.output_index as number | undefined;
    const item = index === undefined ? undefined : items[index];
    switch (event.type) {
      case "response.output_item.added": {
        if (index !== items.length) fail(i, event, `output_index ${index}, expected ${items.length}`);
        const added = event.item as { id: string; type: string };
        items.push({ id: added.id, type: added.type, open: true, partOpen: false });
        break;
      }
      case "response.content_part.added":
        if (!item?.open || item.partOpen) fail(i, event, "content part on an item that is not open");
        if (event.item_id !== item.id) fail(i, event, "item_id does not match the item");
        item.partOpen = true;
        break;
      case "response.reasoning_text.delta":
      case "response.output_text.delta":
      case "response.reasoning_text.done":
      case "response.output_text.done":
        if (!item?.open || !item.partOpen) fail(i, event, "text outside an open content part");
        if (event.item_id !== item.id) fail(i, event, "item_id does not match the item");
        break;
      case "response.content_part.done":
        if (!item?.partOpen) fail(i, event, "no open content part");
        item.partOpen = false;
        break;
      case "response.function_call_arguments.delta":
      case "response.function_call_arguments.done":
        if (!item?.open || item.type !== "function_call") fail(i, event, "arguments outside an open function call");
        if (event.item_id !== item.id) fail(i, event, "item_id does not match the item");
        break;
      case "response.output_item.done":
        if (!item?.open) fail(i, event, "item is not open");
        if (item.partOpen) fail(i, event, "item done while its content part is open");
        item.open = false;
        item.done = event.item;
        break;
      default:
        if (!terminal.has(event.type)) fail(i, event, "unknown event type");
    }
  }
  const response = (last as ResponsesStreamEvent & { response: ResponseObject }).response;
  if (last?.type !== "response.failed") {
    const open = items.findIndex((item) => item.open);
    if (open !== -1) fail(events.length - 1, last, `item ${open} never done`);
    const output = JSON.stringify(response.output);
    if (output !== JSON.stringify(items.map((item) => item.done))) {
      fail(events.length - 1, last, "the final output differs from the items as they were done");
    }
  }
  return response;
}
