import type { TokenizeChatRequest } from "../protocol/openai.ts";
import type { Upstream } from "../upstream.ts";

/** vLLM's exact count of a prompt, or undefined when `/tokenize` cannot say. */
export async function countPromptTokens(
  upstream: Upstream,
  request: TokenizeChatRequest,
  signal: AbortSignal,
): Promise<number | undefined> {
  try {
    const reply = await upstream.tokenize(request, signal);
    const text = await reply.body.text();
    if (reply.status !== 200) return undefined;
    const count = (JSON.parse(text) as { count?: unknown }).count;
    return typeof count === "number" ? count : undefined;
  } catch {
    return undefined;
  }
}
