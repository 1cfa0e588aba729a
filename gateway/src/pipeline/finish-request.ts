import type http from "node:http";
import type { UsageEventMessageInput } from "@perimeter/core";
import type { ActualUse } from "../limits/limiter.ts";
import type { GatewayServices } from "../services.ts";
import type { RequestOutcome } from "./request-outcome.ts";
import type { RequestState } from "./request-state.ts";

function header(headers: http.IncomingHttpHeaders, name: string, max: number): string | null {
  const value = headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text ? text.slice(0, max) : null;
}

/**
 * What a request really used, for settlement: the usage vLLM reported, else — for a client that left
 * before anything came back — its estimated prompt, which vLLM had started to process; else nothing;
 * plus what describing its images used, so the team's limits count the vision model's tokens too.
 */
export function actualUse(state: RequestState, outcome: RequestOutcome): ActualUse {
  let input = outcome.usage?.input_tokens ?? 0;
  let output = outcome.usage?.output_tokens ?? 0;
  if (!outcome.usage && outcome.clientAbort) input = state.admission?.estimate.inputTokens ?? 0;
  input += state.visionUse?.input ?? 0;
  output += state.visionUse?.output ?? 0;
  return { input, output, total: input + output };
}

/** The usage event of a request made with a known key (the worker stores it; never prompt text). */
export function usageEvent(
  state: RequestState & { principal: NonNullable<RequestState["principal"]> },
  outcome: RequestOutcome,
  headers: http.IncomingHttpHeaders,
  finishedAt: Date,
  latencyMs: number,
): UsageEventMessageInput {
  const { principal } = state;
  return {
    requestId: state.requestId,
    orgId: principal.orgId,
    apiKeyId: principal.keyId,
    teamId: principal.teamId,
    userId: principal.ownerUserId,
    sessionId: state.sessionId ?? header(headers, "x-claude-code-session-id", 256),
    agentId: header(headers, "x-claude-code-agent-id", 64),
    model: (state.publicModel ?? state.requestedModel ?? "unknown").slice(0, 256) || "unknown",
    servedModel: state.servedModel ?? null,
    deploymentId: state.replica?.deploymentId ?? null,
    replicaId: state.replica?.name.slice(0, 64) ?? null,
    endpoint: state.endpoint ?? "messages",
    stream: outcome.stream ?? false,
    inputTokens: outcome.usage?.input_tokens ?? 0,
    cacheReadInputTokens: outcome.usage?.cache_read_input_tokens ?? 0,
    outputTokens: outcome.usage?.output_tokens ?? 0,
    reasoningTokens: outcome.reasoningTokens ?? 0,
    latencyMs: Math.round(latencyMs),
    timeToFirstTokenMs: outcome.timeToFirstTokenMs ?? null,
    status: outcome.status,
    errorType: outcome.errorType ?? null,
    stopReason: outcome.stopReason ?? null,
    limitDecision: state.limitDecision ?? null,
    clientAbort: outcome.clientAbort ?? false,
    userAgent: header(headers, "user-agent", 1024),
    startedAt: state.startedAt,
    eventTime: finishedAt,
  };
}

/**
 * After the answer: settles the reservation (refunding what was not used), meters the request on the
 * usage stream and notes the key's use — all off the response's critical path, never Postgres directly.
 */
export function finishRequest(
  services: GatewayServices,
  state: RequestState,
  outcome: RequestOutcome,
  headers: http.IncomingHttpHeaders,
  latencyMs: number,
): void {
  state.release?.();
  if (state.admission) {
    services.limiter.settle(state.admission.admission, actualUse(state, outcome)).catch((error: Error) => {
      services.log.warn("settlement failed; the reservation stays counted", {
        requestId: state.requestId,
        error: error.message,
      });
    });
  }
  const { principal } = state;
  if (!principal) return;
  services.keyUse.note(principal.keyId);
  services.meter.record(usageEvent({ ...state, principal }, outcome, headers, new Date(), latencyMs));
}
