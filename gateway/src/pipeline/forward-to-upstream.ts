import { type AnthropicFailure, mapUpstreamError, mapUpstreamFailure } from "../protocol/map-upstream-error.ts";
import type { ChatCompletionRequest } from "../protocol/openai.ts";
import { classifyUpstreamFailure, type Upstream, type UpstreamReply } from "../upstream.ts";

export type ForwardResult =
  | { ok: true; reply: UpstreamReply; maxTokens: number }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; failure: AnthropicFailure };

/**
 * Sends a chat completion to vLLM and waits for its headers. A non-200 answer is read and mapped to the
 * Anthropic error the client gets (ERR-10…ERR-16). When vLLM refuses because prompt plus `max_tokens`
 * exceed the window while the prompt alone fits, the request is sent once more with `max_tokens` lowered
 * to what is left (XL-02): the clamp is exact, since vLLM counted the prompt, and costs a round trip only
 * when it is needed. A client that went away (`signal`) is reported as aborted, not as a failure.
 */
export async function forwardToUpstream(
  upstream: Upstream,
  body: ChatCompletionRequest,
  signal: AbortSignal,
): Promise<ForwardResult> {
  let request = body;
  for (let attempt = 0; ; attempt++) {
    let reply: UpstreamReply;
    try {
      reply = await upstream.chatCompletions(request, signal);
    } catch (error) {
      const kind = classifyUpstreamFailure(error, signal);
      if (kind === "aborted") return { ok: false, aborted: true };
      return { ok: false, aborted: false, failure: mapUpstreamFailure(kind, (error as Error).message) };
    }
    if (reply.status === 200) return { ok: true, reply, maxTokens: request.max_tokens ?? 0 };
    let text: string;
    try {
      text = await reply.body.text();
    } catch (error) {
      if (signal.aborted) return { ok: false, aborted: true };
      text = (error as Error).message;
    }
    const { failure, overflow } = mapUpstreamError(reply.status, text);
    const room = overflow ? overflow.maxModelLen - overflow.promptTokens : 0;
    if (attempt === 0 && overflow?.maxTokens !== undefined && room >= 1 && room < (request.max_tokens ?? Infinity)) {
      request = { ...request, max_tokens: room };
      continue;
    }
    return { ok: false, aborted: false, failure };
  }
}
