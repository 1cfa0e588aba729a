import type { StreamEvent } from "./anthropic.ts";

/** One Anthropic SSE frame: `event: <type>` and `data: <json>`, where `data.type` equals the event name. */
export function encodeEvent(event: StreamEvent): string {
  return `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;
}

/**
 * A keep-alive before `message_start`, when a `ping` event would be out of grammar: an SSE comment,
 * which every client skips but which resets byte-level idle watchdogs (SSE-09).
 */
export const keepAliveComment = ": keepalive\n\n";
