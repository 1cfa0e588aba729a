import type { RequestContext, RouteHandler } from "../http/route.ts";
import type { GatewayServices } from "../services.ts";
import { finishRequest } from "./finish-request.ts";
import type { RequestOutcome } from "./request-outcome.ts";
import type { RequestState } from "./request-state.ts";

/**
 * What every generation route (`/v1/messages`, `/v1/chat/completions`, `/v1/responses`) does around its
 * stages: a fresh request state, then — whatever `handle` returned or threw — the route's metrics, the
 * settlement and usage event (`finishRequest`), and one access-log line named `endpoint`.
 */
export function generationRoute(
  services: GatewayServices,
  endpoint: string,
  handle: (ctx: RequestContext, state: RequestState) => Promise<RequestOutcome>,
  initial: Partial<RequestState> = {},
): RouteHandler {
  return async (ctx) => {
    const state: RequestState = {
      requestId: ctx.requestId,
      arrivedAt: performance.now(),
      startedAt: new Date(),
      ...initial,
    };
    const done = services.metrics.begin(endpoint);
    let outcome: RequestOutcome = { status: 500, errorType: "api_error" };
    try {
      outcome = await handle(ctx, state);
    } finally {
      const durationMs = performance.now() - state.arrivedAt;
      done(outcome, durationMs);
      finishRequest(services, state, outcome, ctx.req.headers, durationMs);
      services.log.info(endpoint, {
        requestId: ctx.requestId,
        durationMs: Math.round(durationMs),
        keyId: state.principal?.keyId,
        model: state.publicModel ?? state.requestedModel,
        limit: state.limitDecision,
        ...outcome,
      });
    }
  };
}
