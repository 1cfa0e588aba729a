import { describe, expect, it } from "vitest";
import { createMetrics } from "./metrics.ts";

const usage = { input_tokens: 7, cache_creation_input_tokens: 0, cache_read_input_tokens: 3, output_tokens: 5 };

describe("gateway metrics", () => {
  it("exposes requests, in-flight, tokens and durations in Prometheus' text format", async () => {
    const metrics = createMetrics();
    const first = metrics.begin("messages");
    const second = metrics.begin("messages");
    metrics.begin("responses");
    let text = await metrics.registry.metrics();
    expect(text).toContain('perimeter_gateway_requests_in_flight{route="messages"} 2');
    expect(text).toContain('perimeter_gateway_requests_in_flight{route="responses"} 1');

    first({ status: 200, usage, timeToFirstTokenMs: 80 }, 3);
    second({ status: 429, errorType: "rate_limit_error" }, 700);
    text = await metrics.registry.metrics();
    expect(text).toContain('perimeter_gateway_requests_in_flight{route="messages"} 0');
    expect(text).toContain('perimeter_gateway_requests_total{route="messages",status="200",error_type=""} 1');
    expect(text).toContain(
      'perimeter_gateway_requests_total{route="messages",status="429",error_type="rate_limit_error"} 1',
    );
    expect(text).toContain('perimeter_gateway_tokens_total{kind="input"} 7');
    expect(text).toContain('perimeter_gateway_tokens_total{kind="cache_read"} 3');
    expect(text).toContain('perimeter_gateway_tokens_total{kind="output"} 5');
    // Buckets are cumulative: 3 ms falls in le=0.005, 700 ms first in le=1.
    expect(text).toContain('perimeter_gateway_request_duration_seconds_bucket{route="messages",le="0.005"} 1');
    expect(text).toContain('perimeter_gateway_request_duration_seconds_bucket{route="messages",le="0.5"} 1');
    expect(text).toContain('perimeter_gateway_request_duration_seconds_bucket{route="messages",le="1"} 2');
    expect(text).toContain('perimeter_gateway_request_duration_seconds_bucket{route="messages",le="+Inf"} 2');
    expect(text).toContain('perimeter_gateway_request_duration_seconds_sum{route="messages"} 0.703');
    expect(text).toContain('perimeter_gateway_request_duration_seconds_count{route="messages"} 2');
    expect(text).toContain('perimeter_gateway_time_to_first_token_seconds_bucket{le="0.1"} 1');
    expect(text).toContain("perimeter_gateway_time_to_first_token_seconds_count 1");
    expect(text).toContain("# TYPE perimeter_gateway_request_duration_seconds histogram");
    expect(text).toContain("# TYPE perimeter_gateway_requests_in_flight gauge");
    expect(text).toContain("perimeter_gateway_process_cpu_seconds_total");
  });

  it("counts a request past the last bucket only in +Inf", async () => {
    const metrics = createMetrics();
    metrics.begin("messages")({ status: 200, clientAbort: true }, 700_000);
    const text = await metrics.registry.metrics();
    expect(text).toContain('perimeter_gateway_request_duration_seconds_bucket{route="messages",le="600"} 0');
    expect(text).toContain('perimeter_gateway_request_duration_seconds_bucket{route="messages",le="+Inf"} 1');
    expect(text).toContain("perimeter_gateway_client_aborts_total 1");
  });
});
