import { createHash } from "node:crypto";

/** Anthropic's pattern for `tool_use` ids (as enforced by the API; protocol reference API-03). */
const toolUseIdPattern = /^[a-zA-Z0-9_-]+$/;

/**
 * A `tool_use` id for an upstream tool call: vLLM's own (`call_<24 hex>`, already valid) when it has one;
 * otherwise one derived from the message id and the call's position, so it is stable for one answer.
 */
export function toolUseId(upstreamId: string | undefined, messageId: string, position: number): string {
  if (upstreamId && toolUseIdPattern.test(upstreamId)) return upstreamId;
  const seed = `${messageId}:${position}:${upstreamId ?? ""}`;
  return `toolu_${createHash("sha256").update(seed).digest("hex").slice(0, 24)}`;
}
