import { collectDefaultMetrics, Registry } from "prom-client";
import type { RequestOutcome } from "./pipeline/request-outcome.ts";

/** The gateway's Prometheus metrics, on a registry of its own (so tests can build several). */
export interface GatewayMetrics {
  registry: Registry;
  /** Counts a request in flight until the returned function is called with how it ended. */
  begin(route: string): (outcome: RequestOutcome, durationMs: number) => void;
  /** Counts a request sent to vLLM before its admission answered, by that answer (`planAdmission`). */
  earlyForward(admitted: boolean): void;
}

type Labels = Record<string, string>;
interface MetricValue {
  labels: Labels;
  value: number;
  metricName?: string;
}

/**
 * A counter or gauge per label set, kept as plain numbers: prom-client hashes the label set on every
 * update, a cost paid per request here, so each series is looked up once and then updated in place.
 * The registry reads the values when `/metrics` is scraped.
 */
class Series {
  private readonly series = new Map<string, MetricValue>();
  readonly aggregator = "sum";

  constructor(
    readonly name: string,
    readonly help: string,
    readonly type: "counter" | "gauge",
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series of `labels`, `key` naming it (made once per distinct key). */
  at(key: string, labels: () => Labels): MetricValue {
    let value = this.series.get(key);
    if (!value) {
      value = { labels: labels(), value: 0 };
      this.series.set(key, value);
    }
    return value;
  }

  get() {
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values: [...this.series.values()],
    };
  }

  reset(): void {
    for (const value of this.series.values()) value.value = 0;
  }
}

/** A histogram per label set, with the same update-in-place series as `Series`. */
class HistogramSeries {
  private readonly series = new Map<string, { labels: Labels; counts: number[]; sum: number; count: number }>();
  readonly type = "histogram";
  readonly aggregator = "sum";

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** A function recording one observation in the series of `labels`. */
  bind(key: string, labels: Labels): (value: number) => void {
    let entry = this.series.get(key);
    if (!entry) {
      entry = { labels, counts: this.buckets.map(() => 0), sum: 0, count: 0 };
      this.series.set(key, entry);
    }
    const bound = entry;
    const { buckets } = this;
    return (value) => {
      bound.sum += value;
      bound.count++;
      for (let i = 0; i < buckets.length; i++) {
        if (value <= (buckets[i] as number)) {
          (bound.counts as number[])[i] = (bound.counts[i] as number) + 1;
          break;
        }
      }
    };
  }

  get() {
    const values: MetricValue[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((le, i) => {
        cumulative += counts[i] as number;
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: String(le) }, value: cumulative });
      });
      values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le: "+Inf" }, value: count });
      values.push({ metricName: `${this.name}_sum`, labels, value: sum });
      values.push({ metricName: `${this.name}_count`, labels, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    for (const entry of this.series.values()) {
      entry.counts.fill(0);
      entry.sum = 0;
      entry.count = 0;
    }
  }
}

export function createMetrics(): GatewayMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "perimeter_gateway_" });
  const requests = new Series(
    "perimeter_gateway_requests_total",
    "Requests answered, by route, HTTP status and Anthropic error type.",
    "counter",
    registry,
  );
  const duration = new HistogramSeries(
    "perimeter_gateway_request_duration_seconds",
    "Time from a request's arrival to the end of its answer.",
    [0.005, 0.025, 0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600],
    registry,
  );
  const firstToken = new HistogramSeries(
    "perimeter_gateway_time_to_first_token_seconds",
    "Time from a streamed request's arrival to its first content event.",
    [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 120],
    registry,
  ).bind("", {});
  const tokens = new Series(
    "perimeter_gateway_tokens_total",
    "Tokens served, by kind: input (uncached), cache_read, output.",
    "counter",
    registry,
  );
  const inFlight = new Series(
    "perimeter_gateway_requests_in_flight",
    "Requests being answered now.",
    "gauge",
    registry,
  );
  const aborts = new Series(
    "perimeter_gateway_client_aborts_total",
    "Requests the client abandoned before the answer was complete.",
    "counter",
    registry,
  ).at("", () => ({}));
  const earlyForwards = new Series(
    "perimeter_gateway_early_forwards_total",
    "Requests sent to vLLM during their admission, by its outcome: admitted, or refused (and abandoned).",
    "counter",
    registry,
  );
  const earlyAdmitted = earlyForwards.at("admitted", () => ({ outcome: "admitted" }));
  const earlyRefused = earlyForwards.at("refused", () => ({ outcome: "refused" }));
  const input = tokens.at("input", () => ({ kind: "input" }));
  const cacheRead = tokens.at("cache_read", () => ({ kind: "cache_read" }));
  const output = tokens.at("output", () => ({ kind: "output" }));

  const routes = new Map<string, { inFlight: MetricValue; duration: (seconds: number) => void }>();
  return {
    registry,
    earlyForward(admitted) {
      (admitted ? earlyAdmitted : earlyRefused).value++;
    },
    begin(route) {
      let bound = routes.get(route);
      if (!bound) {
        bound = { inFlight: inFlight.at(route, () => ({ route })), duration: duration.bind(route, { route }) };
        routes.set(route, bound);
      }
      const { inFlight: gauge, duration: observe } = bound;
      gauge.value++;
      return (outcome, durationMs) => {
        gauge.value--;
        const errorType = outcome.errorType ?? "";
        requests.at(`${route} ${outcome.status} ${errorType}`, () => ({
          route,
          status: String(outcome.status),
          error_type: errorType,
        })).value++;
        observe(durationMs / 1000);
        if (outcome.timeToFirstTokenMs !== undefined) firstToken(outcome.timeToFirstTokenMs / 1000);
        if (outcome.clientAbort) aborts.value++;
        if (outcome.usage) {
          input.value += outcome.usage.input_tokens;
          cacheRead.value += outcome.usage.cache_read_input_tokens;
          output.value += outcome.usage.output_tokens;
        }
      };
    },
  };
}
