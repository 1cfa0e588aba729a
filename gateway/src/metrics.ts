import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { RequestOutcome } from "./pipeline/request-outcome.ts";

/** The gateway's Prometheus metrics, on a registry of its own (so tests can build several). */
export interface GatewayMetrics {
  registry: Registry;
  /** Counts a request in flight until the returned function is called with how it ended. */
  begin(route: string): (outcome: RequestOutcome, durationMs: number) => void;
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "perimeter_gateway_" });
  const requests = new Counter({
    name: "perimeter_gateway_requests_total",
    help: "Requests answered, by route, HTTP status and Anthropic error type.",
    labelNames: ["route", "status", "error_type"],
    registers: [registry],
  });
  const duration = new Histogram({
    name: "perimeter_gateway_request_duration_seconds",
    help: "Time from a request's arrival to the end of its answer.",
    labelNames: ["route"],
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registers: [registry],
  });
  const firstToken = new Histogram({
    name: "perimeter_gateway_time_to_first_token_seconds",
    help: "Time from a streamed request's arrival to its first content event.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const tokens = new Counter({
    name: "perimeter_gateway_tokens_total",
    help: "Tokens served, by kind: input (uncached), cache_read, output.",
    labelNames: ["kind"],
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: "perimeter_gateway_requests_in_flight",
    help: "Requests being answered now.",
    labelNames: ["route"],
    registers: [registry],
  });
  const aborts = new Counter({
    name: "perimeter_gateway_client_aborts_total",
    help: "Requests the client abandoned before the answer was complete.",
    registers: [registry],
  });

  return {
    registry,
    begin(route) {
      inFlight.inc({ route });
      return (outcome, durationMs) => {
        inFlight.dec({ route });
        requests.inc({ route, status: String(outcome.status), error_type: outcome.errorType ?? "" });
        duration.observe({ route }, durationMs / 1000);
        if (outcome.timeToFirstTokenMs !== undefined) firstToken.observe(outcome.timeToFirstTokenMs / 1000);
        if (outcome.clientAbort) aborts.inc();
        if (outcome.usage) {
          tokens.inc({ kind: "input" }, outcome.usage.input_tokens);
          tokens.inc({ kind: "cache_read" }, outcome.usage.cache_read_input_tokens);
          tokens.inc({ kind: "output" }, outcome.usage.output_tokens);
        }
      };
    },
  };
}
