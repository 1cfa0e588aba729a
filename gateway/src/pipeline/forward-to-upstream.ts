import {
  type AnthropicFailure,
  mapUpstreamError,
  mapUpstreamFailure,
  overflowMessage,
} from "../protocol/map-upstream-error.ts";
import type { ChatCompletionRequest, TokenizeChatRequest } from "../protocol/openai.ts";
import type { ModelRouter, RouteTarget } from "../routing/model-router.ts";
import { classifyUpstreamFailure, type UpstreamReply } from "../upstream.ts";
import { countPromptTokens } from "./count-prompt-tokens.ts";

export type ForwardResult =
  | { ok: true; reply: UpstreamReply; maxTokens: number; target: RouteTarget; release: () => void }
  | { ok: false; aborted: true }
  | { ok: false; aborted: false; failure: AnthropicFailure };

const maxAttempts = 3;

/**
 * Sends a chat completion to vLLM and waits for its headers, trying the route's targets in order: a
 * target that fails before answering anything (connection refused or cut before the response headers)
 * is skipped for the next, up to three, since the client has received nothing yet. A non-200 answer is read and mapped to the Anthropic error the client gets (ERR-10…ERR-16).
 * On a context overflow the prompt is counted exactly with `/tokenize` (vLLM's own message may only give a
 * lower bound, "at least N input tokens"): a prompt over the window is "prompt is too long: N tokens > L
 * maximum", so Claude Code compacts (CC-38); a prompt that fits is sent once more with `max_tokens`
 * lowered to what is left (XL-02). A client that went away (`signal`) is aborted, not failed. The target
 * that answered stays counted in flight until `release`.
 */
export async function forwardToUpstream(
  router: ModelRouter,
  targets: readonly RouteTarget[],
  body: ChatCompletionRequest,
  serialized: string,
  /** The prompt as `/tokenize` takes it; built only on an overflow. */
  prompt: () => TokenizeChatRequest,
  signal: AbortSignal,
): Promise<ForwardResult> {
  let request = body;
  let json = serialized;
  let overflowRetried = false;
  for (let next = 0; ; ) {
    const target = targets[next] as RouteTarget;
    const release = router.begin(target);
    let reply: UpstreamReply;
    try {
      reply = await target.upstream.chatCompletions(json, signal);
    } catch (error) {
      release();
      const kind = classifyUpstreamFailure(error, signal);
      if (kind === "aborted") return { ok: false, aborted: true };
      // No answer came back at all (refused, reset, a dead keep-alive socket): the client has received
      // nothing, so another replica may take the request. A timeout is not retried: the request ran.
      if (kind === "unavailable" && next + 1 < Math.min(targets.length, maxAttempts)) {
        next++;
        continue;
      }
      return { ok: false, aborted: false, failure: mapUpstreamFailure(kind, (error as Error).message) };
    }
    if (reply.status === 200) return { ok: true, reply, maxTokens: request.max_tokens ?? 0, target, release };
    let text: string;
    try {
      text = await reply.body.text();
    } catch (error) {
      release();
      if (signal.aborted) return { ok: false, aborted: true };
      text = (error as Error).message;
    }
    release();
    const { failure, overflow } = mapUpstreamError(reply.status, text);
    if (!overflow || overflowRetried) return { ok: false, aborted: false, failure };

    overflowRetried = true;
    const promptTokens = (await countPromptTokens(target.upstream, prompt(), signal)) ?? overflow.promptTokens;
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

/**
 * Lets go of a request that went to vLLM before its admission answered, once the answer was a refusal:
 * the request is aborted through `abort` (vLLM stops working on it), and what may already have come back
 * is released and dropped.
 */
export function abandonForward(forward: Promise<ForwardResult>, abort: AbortController): void {
  abort.abort();
  void forward.then((result) => {
    if (!result.ok) return;
    result.release();
    result.reply.body.dump().catch(() => {});
  });
}
