import {
  type AnthropicFailure,
  mapUpstreamError,
  mapUpstreamFailure,
  overflowMessage,
} from "../protocol/map-upstream-error.ts";
import type { ChatCompletionRequest, TokenizeChatRequest } from "../protocol/openai.ts";
import { classifyUpstreamFailure, type Upstream, type UpstreamReply } from "../upstream.ts";
import { countPromptTokens } from "./count-prompt-tokens.ts";

export type ForwardResult =
  | { ok: true; reply: UpstreamReply; maxTokens: number }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; failure: AnthropicFailure };

/**
 * Sends a chat completion to vLLM and waits for its headers. A non-200 answer is read and mapped to the
 * Anthropic error the client gets (ERR-10…ERR-16). On a context overflow the prompt is counted exactly
 * with `/tokenize` (vLLM's own message may only give a lower bound, "at least N input tokens"): a prompt
 * over the window is "prompt is too long: N tokens > L maximum", so Claude Code compacts (CC-38); a prompt
 * that fits is sent once more with `max_tokens` lowered to what is left (XL-02). The clamp is exact and
 * costs round trips only when it is needed. A client that went away (`signal`) is aborted, not failed.
 */
export async function forwardToUpstream(
  upstream: Upstream,
  body: ChatCompletionRequest,
  serialized: string,
  prompt: TokenizeChatRequest,
  signal: AbortSignal,
): Promise<ForwardResult> {
  let request = body;
  let json = serialized;
  for (let attempt = 0; ; attempt++) {
    let reply: UpstreamReply;
    try {
      reply = await upstream.chatCompletions(json, signal);
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
    if (!overflow || attempt > 0) return { ok: false, aborted: false, failure };

    const promptTokens = (await countPromptTokens(upstream, prompt, signal)) ?? overflow.promptTokens;
    if (signal.aborted) return { ok: false, aborted: true };
    const { maxModelLen } = overflow;
    const room = maxModelLen - promptTokens;
    const requested = request.max_tokens ?? 0;
    if (room >= 1 && room < requested) {
      request = { ...request, max_tokens: room };
      json = JSON.stringify(request);
      continue;
    }
    const message = overflowMessage({ promptTokens, maxModelLen, maxTokens: room >= 1 ? requested : undefined });
    return { ok: false, aborted: false, failure: { ...failure, message } };
  }
}
