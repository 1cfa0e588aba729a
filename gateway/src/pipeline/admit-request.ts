import { type Denial, describeDenial } from "../limits/describe-denial.ts";
import { type PlannedLimit, planLimits, type RequestEstimate } from "../limits/limit-plan.ts";
import type { LimitState } from "../limits/limiter.ts";
import { rateLimitHeaders } from "../limits/rate-limit-headers.ts";
import type { GatewayServices } from "../services.ts";
import type { TeamPrincipal } from "./authenticate.ts";
import type { RequestState } from "./request-state.ts";

export type AdmitRequestResult =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; denial: Denial; headers: Record<string, string> };

/** An admission planned and not yet sent (`planAdmission`, then `admitPlanned`). */
export interface PlannedAdmission {
  plan: PlannedLimit[];
  estimate: RequestEstimate;
  /**
   * True when Redis will admit the request unless others took most of a limit within the last seconds:
   * the principal's previous admission, under `likelyForMs` ago, left every limit enough that this request
   * still leaves at least half of it. The caller may then send the request to vLLM without waiting for
   * the answer, and abandons it if the answer is a refusal.
   */
  likely: boolean;
}

/** How long a principal's last admission says anything about the next. */
export const likelyForMs = 10_000;

/** Per loaded principal (a reloaded one starts without): what each limit had left after its last admission. */
const lastAdmissions = new WeakMap<TeamPrincipal, { atMs: number; remaining: Map<string, number> }>();

function likelyAdmitted(principal: TeamPrincipal, plan: readonly PlannedLimit[], nowMs: number): boolean {
  if (plan.length === 0) return true;
  const last = lastAdmissions.get(principal);
  if (!last || nowMs - last.atMs >= likelyForMs) return false;
  for (const limit of plan) {
    const remaining = last.remaining.get(limit.name);
    if (remaining === undefined || remaining - limit.reserve < limit.limit / 2) return false;
  }
  return true;
}

/** The limits a request of `principal` is checked against, and whether it is likely to pass. */
export function planAdmission(principal: TeamPrincipal, estimate: RequestEstimate): PlannedAdmission {
  const nowMs = Date.now();
  const plan = planLimits(principal, estimate, nowMs);
  return { plan, estimate, likely: likelyAdmitted(principal, plan, nowMs) };
}

/**
 * Checks and reserves every limit of the request's key, member and team in one Redis script
 * (`Limiter.admit`). Admitted: the reservation is recorded on `state` for settlement, and the
 * `anthropic-ratelimit-*` headers of the tightest limits come back. Refused: the 429 to send. When Redis
 * cannot answer, the configured policy decides: admit unchecked (`open`, the default) or refuse.
 */
export async function admitPlanned(
  services: GatewayServices,
  state: RequestState,
  principal: TeamPrincipal,
  { plan, estimate }: PlannedAdmission,
): Promise<AdmitRequestResult> {
  const result = await services.limiter.admit(plan);
  if (result.outcome === "admitted") {
    state.admission = { plan, admission: result.admission, estimate };
    state.limitDecision = "admitted";
    remember(principal, result.admission.atMs, result.states);
    return { ok: true, headers: rateLimitHeaders(result.states) };
  }
  // After a refusal (or without Redis) the next request waits for its answer again.
  lastAdmissions.delete(principal);
  if (result.outcome === "denied") {
    state.limitDecision = result.limit.name;
    const denial = describeDenial(result.limit, result.retryAfterMs, result.state.remaining, principal.org.timeZone);
    return { ok: false, denial, headers: rateLimitHeaders([result.state]) };
  }
  services.log.warn("limits unavailable", {
    requestId: state.requestId,
    error: result.error,
    policy: services.limits.onRedisFailure,
  });
  if (services.limits.onRedisFailure === "open") {
    state.limitDecision = "unchecked";
    return { ok: true, headers: {} };
  }
  state.limitDecision = "limits_unavailable";
  return {
    ok: false,
    headers: {},
    denial: {
      status: 429,
      type: "rate_limit_error",
      message: "limits cannot be checked right now (the gateway's Redis is unavailable); try again shortly",
      headers: { "x-should-retry": "true" },
    },
  };
}

function remember(principal: TeamPrincipal, atMs: number, states: readonly LimitState[]): void {
  const remaining = new Map<string, number>();
  for (const { limit, remaining: left } of states) remaining.set(limit.name, left);
  lastAdmissions.set(principal, { atMs, remaining });
}
