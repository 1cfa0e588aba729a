/**
 * OpenAI's rate-limit headers (platform.openai.com/docs/guides/rate-limits: `x-ratelimit-{limit,remaining,
 * reset}-{requests,tokens}`, `reset` a duration such as `17s`) from the `anthropic-ratelimit-*` headers of
 * the same admission, for the OpenAI-API routes: `requests` is the tightest request limit, `tokens` the
 * tightest token limit. Pure: `nowMs` comes in.
 */
export function openAIRateLimitHeaders(headers: Record<string, string>, nowMs: number): Record<string, string> {
  const out: Record<string, string> = {};
  for (const kind of ["requests", "tokens"] as const) {
    const prefix = `anthropic-ratelimit-${kind}`;
    const limit = headers[`${prefix}-limit`];
    const remaining = headers[`${prefix}-remaining`];
    const reset = headers[`${prefix}-reset`];
    if (limit === undefined || remaining === undefined) continue;
    out[`x-ratelimit-limit-${kind}`] = limit;
    out[`x-ratelimit-remaining-${kind}`] = remaining;
    if (reset !== undefined) {
      const seconds = Math.max(0, Math.ceil((Date.parse(reset) - nowMs) / 1000));
      out[`x-ratelimit-reset-${kind}`] = `${seconds}s`;
    }
  }
  return out;
}
