import type { LimitState } from "./limiter.ts";

type Category = "requests" | "input-tokens" | "output-tokens" | "tokens";

function categoriesOf(state: LimitState): Category[] {
  const { kind, measure } = state.limit;
  if (kind === "concurrency") return [];
  if (measure === "requests") return ["requests"];
  const categories: Category[] = ["tokens"];
  if (kind === "window" && measure === "input") categories.push("input-tokens");
  if (kind === "window" && measure === "output") categories.push("output-tokens");
  return categories;
}

/**
 * Anthropic's `anthropic-ratelimit-{requests,tokens,input-tokens,output-tokens}-{limit,remaining,reset}`
 * headers (api/rate-limits) for the tightest applicable limit of each kind: the one with the least left,
 * which is the first this client will run into. `tokens-*` is the tightest of every token limit, budgets included. `reset` is RFC 3339: when
 * the window's oldest admission ages out, or when the budget period ends. Kinds without a limit get no
 * headers. Pure.
 */
export function rateLimitHeaders(states: readonly LimitState[]): Record<string, string> {
  const tightest = new Map<Category, LimitState>();
  for (const state of states) {
    for (const category of categoriesOf(state)) {
      const current = tightest.get(category);
      if (!current || state.remaining < current.remaining) {
        tightest.set(category, state);
      }
    }
  }
  const headers: Record<string, string> = {};
  for (const [category, state] of tightest) {
    const prefix = `anthropic-ratelimit-${category}`;
    headers[`${prefix}-limit`] = String(state.limit.limit);
    headers[`${prefix}-remaining`] = String(Math.max(0, Math.floor(state.remaining)));
    if (state.resetAtMs !== undefined) headers[`${prefix}-reset`] = new Date(state.resetAtMs).toISOString();
  }
  return headers;
}
