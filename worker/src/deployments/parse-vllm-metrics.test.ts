import { describe, expect, it } from "vitest";
import { parseVllmMetrics } from "./parse-vllm-metrics.ts";

describe("parseVllmMetrics", () => {
  it("sums requests over data-parallel engines and averages KV-cache use", () => {
    const text = [
      "# HELP vllm:num_requests_running Number of requests in model execution batches.",
      "# TYPE vllm:num_requests_running gauge",
      'vllm:num_requests_running{engine="0",model_name="umans-coder"} 3.0',
      'vllm:num_requests_running{engine="1",model_name="umans-coder"} 2.0',
      'vllm:num_requests_waiting{engine="0",model_name="umans-coder"} 1.0',
      'vllm:kv_cache_usage_perc{engine="0",model_name="umans-coder"} 0.5',
      'vllm:kv_cache_usage_perc{engine="1",model_name="umans-coder"} 0.25',
      "vllm:prompt_tokens_total 12345",
    ].join("\n");
    expect(parseVllmMetrics(text)).toEqual({ runningRequests: 5, waitingRequests: 1, kvCacheUsage: 0.375 });
  });

  it("falls back to the pre-0.9 cache metric and treats missing series as no data", () => {
    expect(parseVllmMetrics('vllm:gpu_cache_usage_perc{model_name="m"} 0.9\n')).toEqual({
      runningRequests: 0,
      waitingRequests: 0,
      kvCacheUsage: 0.9,
    });
    expect(parseVllmMetrics("")).toEqual({ runningRequests: 0, waitingRequests: 0, kvCacheUsage: null });
    expect(parseVllmMetrics("vllm:num_requests_running NaN\ngarbage line")).toMatchObject({ runningRequests: 0 });
  });
});
