// Prometheus text in vLLM's names, labels and buckets (`vllm/v1/metrics/loggers.py`): every series is
// labelled `model_name` and `engine` (the data-parallel rank, "0" here), counters end in `_total`.

const ttftBuckets = [
  0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0, 160.0,
  640.0, 2560.0,
];
const itlBuckets = [
  0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1.0, 2.5, 5.0, 7.5, 10.0, 20.0, 40.0, 80.0,
];
const e2eBuckets = [
  0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 2.5, 5.0, 10.0, 15.0, 20.0, 30.0, 40.0, 50.0, 60.0, 120.0, 240.0, 480.0, 960.0, 1920.0,
  7680.0,
];

/** vLLM's `FinishReason` values, each pre-created so a scrape sees every series from the start. */
const finishReasons = ["stop", "length", "abort", "error"] as const;

class Histogram {
  readonly counts: number[];
  count = 0;
  sum = 0;

  constructor(readonly buckets: number[]) {
    this.counts = buckets.map(() => 0);
  }

  observe(value: number): void {
    this.count += 1;
    this.sum += value;
    this.buckets.forEach((bound, i) => {
      if (value <= bound) this.counts[i] = (this.counts[i] ?? 0) + 1;
    });
  }
}

/** Python's float repr for the common cases, as prometheus_client prints sample values. */
function pyFloat(value: number): string {
  if (Number.isInteger(value)) return `${value}.0`;
  return String(value);
}

/** What `/metrics` needs to read from the running simulator at scrape time. */
export interface MetricsGauges {
  running: () => number;
  waiting: () => number;
  kvCacheUsage: () => number;
}

/** The simulator's engine metrics; `render` writes them in the Prometheus text format. */
export class VllmMetrics {
  promptTokens = 0;
  generationTokens = 0;
  prefixQueries = 0;
  prefixHits = 0;
  readonly success = new Map<string, number>(finishReasons.map((reason) => [reason, 0]));
  readonly ttft = new Histogram(ttftBuckets);
  readonly itl = new Histogram(itlBuckets);
  readonly e2e = new Histogram(e2eBuckets);

  constructor(private readonly gauges: MetricsGauges) {}

  /** Counts a finished request under vLLM's finish reason (`tool_calls` is `stop` in the engine). */
  finished(reason: string): void {
    const key = reason === "tool_calls" ? "stop" : reason;
    this.success.set(key, (this.success.get(key) ?? 0) + 1);
  }

  render(modelName: string): string {
    const labels = `model_name=${JSON.stringify(modelName)},engine="0"`;
    const lines: string[] = [];
    const scalar = (name: string, type: string, help: string, value: number) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`, `${name}{${labels}} ${pyFloat(value)}`);
    };
    const histogram = (name: string, help: string, h: Histogram) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} histogram`);
      h.buckets.forEach((bound, i) => {
        lines.push(`${name}_bucket{${labels},le="${pyFloat(bound)}"} ${pyFloat(h.counts[i] ?? 0)}`);
      });
      lines.push(`${name}_bucket{${labels},le="+Inf"} ${pyFloat(h.count)}`);
      lines.push(`${name}_count{${labels}} ${pyFloat(h.count)}`, `${name}_sum{${labels}} ${pyFloat(h.sum)}`);
    };
    scalar(
      "vllm:num_requests_running",
      "gauge",
      "Number of requests in model execution batches.",
      this.gauges.running(),
    );
    scalar("vllm:num_requests_waiting", "gauge", "Number of requests waiting to be processed.", this.gauges.waiting());
    scalar(
      "vllm:kv_cache_usage_perc",
      "gauge",
      "KV-cache usage. 1 means 100 percent usage.",
      this.gauges.kvCacheUsage(),
    );
    scalar(
      "vllm:prefix_cache_queries_total",
      "counter",
      "Prefix cache queries, in terms of number of queried tokens.",
      this.prefixQueries,
    );
    scalar(
      "vllm:prefix_cache_hits_total",
      "counter",
      "Prefix cache hits, in terms of number of cached tokens.",
      this.prefixHits,
    );
    scalar("vllm:prompt_tokens_total", "counter", "Number of prefill tokens processed.", this.promptTokens);
    scalar("vllm:generation_tokens_total", "counter", "Number of generation tokens processed.", this.generationTokens);
    lines.push(
      "# HELP vllm:request_success_total Count of successfully processed requests.",
      "# TYPE vllm:request_success_total counter",
    );
    for (const [reason, value] of this.success) {
      lines.push(`vllm:request_success_total{${labels},finished_reason="${reason}"} ${pyFloat(value)}`);
    }
    histogram("vllm:time_to_first_token_seconds", "Histogram of time to first token in seconds.", this.ttft);
    histogram("vllm:inter_token_latency_seconds", "Histogram of inter-token latency in seconds.", this.itl);
    histogram("vllm:e2e_request_latency_seconds", "Histogram of e2e request latency in seconds.", this.e2e);
    return `${lines.join("\n")}\n`;
  }
}
