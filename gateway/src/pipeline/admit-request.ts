import { type Denial, describeDenial } from "../limits/describe-denial.ts";
import { planLimits, type RequestEstimate } from "../limits/limit-plan.ts";
import { rateLimitHeaders } from "../limits/rate-limit-headers.ts";
import type { GatewayServices } from "../services.ts";
import type { TeamPrincipal } from "./authenticate.ts";
import type { RequestState } from "./request-state.ts";

export type AdmitRequestResult =
  | { ok: true; headers: Record<string, string> }
  | { ok: false; denial: Denial; headers: Record<string, string> };

/**
 * Checks and reserves every limit of the request's key, member and team in one Redis script
 * (`Limiter.admit`). Admitted: the reservation is recorded on `state` for settlement, and the
 * `anthropic-ratelimit-*` headers of the tightest limits come back. Refused: the 429 to send. When Redis
 * cannot answer, the configured policy decides: admit unchecked (`open`, the default) or refuse.
 */
export async function admitRequest(
  services: GatewayServices,
  state: RequestState,
  principal: TeamPrincipal,
  estimate: RequestEstimate,
): Promise<AdmitRequestResult> {
  const plan = planLimits(principal, estimate, Date.now());
  const result = await services.limiter.admit(plan);
  if (result.outcome === "admitted") {
    state.admission = { plan, admission: result.admission, estimate };
    state.limitDecision = "admitted";
    return { ok: true, headers: rateLimitHeaders(result.states) };
  }
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
