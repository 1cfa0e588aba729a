import type { LimitState } from "./limiter.ts";

const categories = ["requests", "input-tokens", "output-tokens", "tokens"] as const;
/** Each category's three header names. */
const names = categories.map((category) => {
  const prefix = `anthropic-ratelimit-${category}`;
  return { limit: `${prefix}-limit`, remaining: `${prefix}-remaining`, reset: `${prefix}-reset` };
});

// Reset times repeat (a budget's for its whole period, a window's within a millisecond): format each once.
const isoCache = new Map<number, string>();
function iso(ms: number): string {
  let text = isoCache.get(ms);
  if (text === undefined) {
    if (isoCache.size >= 256) isoCache.clear();
    text = new Date(ms).toISOString();
    isoCache.set(ms, text);
  }
  return text;
}

/**
 * Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * headers (api/rate-limits) for the tightest applicable limit of each kind: the one with the least left,
 * which is the first this client will run into. `tokens-*` is the tightest of every token limit, budgets included. `reset` is RFC 3339: when
 * the limit is fully replenished (a window once this request has left it; a budget when its period ends). Kinds without a limit get no
 * headers. Pure.
 */
export function rateLimitHeaders(states: readonly LimitState[]): Record<string, string> {
  // The tightest state of each category, in the order of `categories`.
  const tightest: (LimitState | undefined)[] = [undefined, undefined, undefined, undefined];
  for (const state of states) {
    const { kind, measure } = state.limit;
    if (kind === "concurrency") continue;
    if (measure === "requests") {
      consider(tightest, 0, state);
      continue;
    }
    if (kind === "window" && measure === "input") consider(tightest, 1, state);
    if (kind === "window" && measure === "output") consider(tightest, 2, state);
    consider(tightest, 3, state);
  }
  const headers: Record<string, string> = {};
  for (let i = 0; i < names.length; i++) {
    const state = tightest[i];
    if (!state) continue;
    const name = names[i] as (typeof names)[number];
    headers[name.limit] = String(state.limit.limit);
    headers[name.remaining] = String(Math.max(0, Math.floor(state.remaining)));
    if (state.resetAtMs !== undefined) headers[name.reset] = iso(state.resetAtMs);
  }
  return headers;
}

/** Keeps `state` as category `index`'s tightest when it has less left than the one kept so far. */
function consider(tightest: (LimitState | undefined)[], index: number, state: LimitState): void {
  const current = tightest[index];
  if (!current || state.remaining < current.remaining) tightest[index] = state;
}
