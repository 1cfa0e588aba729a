import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";
import { post } from "./testing/sim-client.ts";

async function metric(sim: RunningVllmSim, name: string, labels = ""): Promise<number> {
  const text = await (await fetch(`${sim.url}/metrics`)).text();
  const line = text.split("\n").find((row) => row.startsWith(`${name}{`) && row.includes(labels));
  return Number(line?.split(" ").at(-1));
}

async function until(check: () => Promise<boolean>): Promise<void> {
  for (let i = 0; i < 500; i += 1) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  throw new Error("condition not reached");
}

describe("sequences, queueing and metrics", () => {
  let sim: RunningVllmSim;

  beforeAll(async () => {
    sim = await startVllmSim({ maxNumSeqs: 1 });
  });

  afterAll(async () => {
    await sim.close();
  });

  it("queues beyond --max-num-seqs and frees the slot at once when a client disconnects", async () => {
    sim.enqueue({ content: "slow", delayFirstChunkMs: 600_000 }, { content: "second" });
    const abort = new AbortController();
    const first = await fetch(`${sim.url}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ messages: [{ role: "user", content: "a" }], stream: true }),
      signal: abort.signal,
    });
    // The status line comes before the first token, as from vLLM's StreamingResponse.
    expect(first.status).toBe(200);
    const second = post(sim.url, "/v1/chat/completions", { messages: [{ role: "user", content: "b" }] });
    await until(async () => (await metric(sim, "vllm:num_requests_waiting")) === 1);
    expect(await metric(sim, "vllm:num_requests_running")).toBe(1);
    expect(await metric(sim, "vllm:kv_cache_usage_perc")).toBeGreaterThan(0);
    abort.abort();
    const answer = await second;
    expect((answer.json() as { choices: Array<{ message: { content: string } }> }).choices[0]?.message.content).toBe(
      "second",
    );
    await until(async () => (await metric(sim, "vllm:num_requests_running")) === 0);
    expect(await metric(sim, "vllm:request_success_total", 'finished_reason="abort"')).toBe(1);
    expect(await metric(sim, "vllm:request_success_total", 'finished_reason="stop"')).toBe(1);
  });

  it("counts tokens, prefix-cache queries and latencies under vLLM's names", async () => {
    sim.reset();
    const body = { messages: [{ role: "user", content: "count me ".repeat(30) }], max_tokens: 5, stream: true };
    await post(sim.url, "/v1/chat/completions", body);
    const second = await post(sim.url, "/v1/chat/completions", { ...body, stream: false });
    const usage = (
      second.json() as {
        usage: { prompt_tokens: number; completion_tokens: number; prompt_tokens_details: { cached_tokens: number } };
      }
    ).usage;
    expect(await metric(sim, "vllm:prompt_tokens_total")).toBe(2 * usage.prompt_tokens);
    expect(await metric(sim, "vllm:generation_tokens_total")).toBe(10);
    expect(await metric(sim, "vllm:prefix_cache_queries_total")).toBe(2 * usage.prompt_tokens);
    expect(await metric(sim, "vllm:prefix_cache_hits_total")).toBe(usage.prompt_tokens_details.cached_tokens);
    expect(await metric(sim, "vllm:time_to_first_token_seconds_count")).toBe(2);
    expect(await metric(sim, "vllm:e2e_request_latency_seconds_count")).toBe(2);
    expect(await metric(sim, "vllm:inter_token_latency_seconds_count")).toBe(4);
    expect(await metric(sim, "vllm:request_success_total", 'finished_reason="length"')).toBe(2);
    const text = await (await fetch(`${sim.url}/metrics`)).text();
    expect(text).toContain(
      'vllm:time_to_first_token_seconds_bucket{model_name="umans-coder",engine="0",le="2560.0"} 2.0',
    );
    expect(text).toContain("# TYPE vllm:inter_token_latency_seconds histogram");
  });
});
