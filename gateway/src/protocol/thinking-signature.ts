import { createHash } from "node:crypto";

/**
 * The `signature` of a thinking block the gateway emits. Anthropic clients require a non-empty one and
 * send it back verbatim with the block (SSE-05); nobody verifies it here, so it is an opaque digest of the
 * thinking text: deterministic, so a stream and a non-stream answer for the same text carry the same one.
 */
export function thinkingSignature(thinking: string): string {
  return `prm1.${createHash("sha256").update(thinking).digest("base64url")}`;
}
