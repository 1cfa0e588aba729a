import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PrefixCache } from "./prefix-cache.ts";
import { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";
import { post } from "./testing/sim-client.ts";

const ids = (length: number, offset = 0) => Array.from({ length }, (_, i) => i + offset);

describe("PrefixCache", () => {
  it("hits whole blocks of a cached prefix and never the whole prompt", () => {
    const cache = new PrefixCache(16);
    expect(cache.lookup(ids(100))).toBe(0);
    cache.insert(ids(100));
    expect(cache.lookup(ids(100))).toBe(96);
    expect(cache.lookup(ids(64))).toBe(48); // 64 tokens: the last one must be computed, so 3 blocks
    expect(cache.lookup([...ids(40), 999, ...ids(59, 41)])).toBe(32); // diverges inside the third block
  });

  it("keys a block by everything before it", () => {
    const cache = new PrefixCache(16);
    cache.insert(ids(64));
    expect(cache.lookup([7, ...ids(63, 1)])).toBe(0);
  });

  it("evicts the least recently used blocks beyond its bound", () => {
    const cache = new PrefixCache(16, 4);
    cache.insert(ids(64)); // 4 blocks
    cache.insert(ids(64, 1000)); // 4 more: the first 4 go
    expect(cache.lookup(ids(65))).toBe(0);
    expect(cache.lookup(ids(65, 1000))).toBe(64);
  });
});

describe("cached_tokens on repeated prefixes", () => {
  let sim: RunningVllmSim;

  beforeAll(async () => {
    sim = await startVllmSim();
  });

  afterAll(async () => {
    await sim.close();
  });

  const usage = async (messages: unknown[]) => {
    const res = await post(sim.url, "/v1/chat/completions", { messages, max_tokens: 4 });
    return (res.json() as { usage: { prompt_tokens: number; prompt_tokens_details: { cached_tokens: number } } }).usage;
  };

  it("reports cached full blocks for the shared prefix of the next turn", async () => {
    const system = { role: "system", content: "You are a careful agent. ".repeat(40) };
    const first = await usage([system, { role: "user", content: "first question" }]);
    expect(first.prompt_tokens_details.cached_tokens).toBe(0);
    const again = await usage([system, { role: "user", content: "first question" }]);
    expect(again.prompt_tokens_details.cached_tokens % 16).toBe(0);
    expect(again.prompt_tokens_details.cached_tokens).toBeLessThan(again.prompt_tokens);
    expect(again.prompt_tokens - again.prompt_tokens_details.cached_tokens).toBeLessThanOrEqual(16);
    const other = await usage([system, { role: "user", content: "a different question" }]);
    expect(other.prompt_tokens_details.cached_tokens).toBeGreaterThan(0);
    expect(other.prompt_tokens_details.cached_tokens).toBeLessThan(other.prompt_tokens);
    sim.reset();
    expect(
      (await usage([system, { role: "user", content: "first question" }])).prompt_tokens_details.cached_tokens,
    ).toBe(0);
  });
});
