import type { AnthropicErrorType } from "../protocol/anthropic.ts";
import type { PlannedLimit } from "./limit-plan.ts";

export interface Denial {
  status: 429;
  type: Extract<AnthropicErrorType, "rate_limit_error" | "billing_error">;
  message: string;
  headers: Record<string, string>;
}

const per: Record<string, string> = { day: "day", week: "week", month: "month" };

function localTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", {
    timeZone,
    hourCycle: "h23",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
  }).formatToParts(ms);
  const get = (type: string) => parts.find((part) => part.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour")}:${get("minute")}`;
}

/**
 * The 429 for a refused request, as Claude Code and the SDKs expect it (protocol reference Q-02, Q-03,
 * CC-31, CC-32). A throttle (per-minute limit, concurrency) is `rate_limit_error` with an integer
 * `retry-after` of at most 60 s and `x-should-retry: true`. An exhausted budget is `billing_error` (the
 * type Anthropic's own gateway uses for spend limits) with `x-should-retry: false` and `retry-after` the
 * seconds until the period resets, which also stops Claude Code's retries; the message names the limit
 * and its reset time in the organization's time zone. A request that can never fit gets no `retry-after`.
 */
export function describeDenial(
  limit: PlannedLimit,
  retryAfterMs: number | null,
  remaining: number,
  timeZone: string,
): Denial {
  const never = retryAfterMs === null;
  const seconds = never ? undefined : Math.max(1, Math.ceil(retryAfterMs / 1000));
  if (limit.kind === "budget" && limit.period) {
    const unit = limit.measure === "total" ? "tokens" : `${limit.measure} tokens`;
    const reset = `${localTime(limit.period.endMs, timeZone)} ${timeZone} (${new Date(limit.period.endMs).toISOString()})`;
    const message = never
      ? `this request needs up to ${limit.reserve} ${unit}, more than ${limit.name} allows in a whole ${per[limit.period.kind]} (${limit.limit})`
      : `token budget exhausted: ${limit.name} allows ${limit.limit} ${unit} per ${per[limit.period.kind]}, ` +
        `${Math.max(0, remaining)} left, this request may need ${limit.reserve}; resets ${reset}`;
    return {
      status: 429,
      type: "billing_error",
      message,
      headers: { "x-should-retry": "false", ...(seconds !== undefined ? { "retry-after": String(seconds) } : {}) },
    };
  }
  if (never) {
    return {
      status: 429,
      type: "rate_limit_error",
      message: `${limit.name} is 0: no request can pass`,
      headers: { "x-should-retry": "false" },
    };
  }
  const message =
    limit.kind === "concurrency"
      ? `too many requests at once: ${limit.name} allows ${limit.limit} in flight; retry when one has finished`
      : `rate limit exceeded: ${limit.name} allows ${limit.limit} ${limit.measure === "requests" ? "requests" : `${limit.measure} tokens`} per minute; retry in ${seconds} s`;
  return {
    status: 429,
    type: "rate_limit_error",
    message,
    headers: { "x-should-retry": "true", "retry-after": String(Math.min(60, seconds ?? 1)) },
  };
}
