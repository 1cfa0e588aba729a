import type { UpstreamReply } from "../upstream.ts";

export type ReadUpstreamJsonResult<T> =
  | { ok: true; value: T }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; message: string };

/**
 * Reads a whole non-streamed answer of vLLM as JSON. A client that went away (`signal`) is an abort; a body
 * that cannot be read or is not JSON is a failure with the message every API answers with.
 */
export async function readUpstreamJson<T>(
  reply: UpstreamReply,
  signal: AbortSignal,
): Promise<ReadUpstreamJsonResult<T>> {
  try {
    return { ok: true, value: JSON.parse(await reply.body.text()) as T };
  } catch (error) {
    if (signal.aborted) return { ok: false, aborted: true };
    return { ok: false, aborted: false, message: `upstream answer could not be read: ${(error as Error).message}` };
  }
}
