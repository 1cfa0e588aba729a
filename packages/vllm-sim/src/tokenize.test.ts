import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";
import { bashTool, post, readTool } from "./testing/sim-client.ts";

/** A small deterministic PRNG (mulberry32), so a failing case can be replayed from its seed. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const words = [
  "the",
  "file",
  "README.md",
  "const x = 1;",
  "\n",
  "  ",
  "Ünïcödé",
  "日本語",
  '{"a": [1, 2]}',
  "fix",
  "bug",
  "--flag",
];

function randomConversation(random: () => number) {
  const pick = <T>(items: T[]) => items[Math.floor(random() * items.length)] as T;
  const text = () => Array.from({ length: 1 + Math.floor(random() * 12) }, () => pick(words)).join(" ");
  const thinking = random() < 0.5;
  const withTools = random() < 0.6;
  const messages: Array<Record<string, unknown>> = [];
  if (random() < 0.7) messages.push({ role: "system", content: text() });
  messages.push({ role: "user", content: text() });
  const rounds = Math.floor(random() * 3);
  for (let round = 0; round < rounds && withTools; round += 1) {
    const calls = Array.from({ length: 1 + Math.floor(random() * 2) }, (_, i) => ({
      id: `call_${round}_${i}`,
      type: "function",
      function: { name: pick(["Read", "Bash"]), arguments: JSON.stringify({ file_path: text(), n: i }) },
    }));
    messages.push({ role: "assistant", content: random() < 0.5 ? null : text(), reasoning: text(), tool_calls: calls });
    for (const call of calls) messages.push({ role: "tool", tool_call_id: call.id, content: text() });
    if (random() < 0.3) {
      messages.push({ role: "assistant", content: text(), reasoning: text() });
      messages.push({ role: "user", content: text() });
    }
  }
  return {
    messages,
    ...(withTools ? { tools: [readTool, bashTool] } : {}),
    chat_template_kwargs: { thinking },
  };
}

describe("/tokenize", () => {
  let sim: RunningVllmSim;

  beforeAll(async () => {
    // Without the prefix cache mattering: every conversation is new, and counts never depend on it.
    sim = await startVllmSim();
  });

  afterAll(async () => {
    await sim.close();
  });

  it("counts exactly the prompt_tokens a chat completion with the same messages, tools and thinking reports", async () => {
    for (let seed = 1; seed <= 60; seed += 1) {
      const conversation = randomConversation(prng(seed));
      const tokenized = await post(sim.url, "/tokenize", { model: "umans-coder", ...conversation });
      expect(tokenized.status, `seed ${seed}: ${tokenized.text}`).toBe(200);
      const completion = await post(sim.url, "/v1/chat/completions", {
        model: "umans-coder",
        ...conversation,
        max_tokens: 8,
      });
      expect(completion.status, `seed ${seed}: ${completion.text}`).toBe(200);
      const count = (tokenized.json() as { count: number }).count;
      expect(count, `seed ${seed}`).toBe(
        (completion.json() as { usage: { prompt_tokens: number } }).usage.prompt_tokens,
      );
    }
  });

  it("returns vLLM's TokenizeResponse, token strings on request", async () => {
    const res = await post(sim.url, "/tokenize", { prompt: "hello world", return_token_strs: true });
    expect(res.json()).toEqual({
      count: 3,
      max_model_len: 163_840,
      tokens: [0, expect.any(Number), expect.any(Number)],
      token_strs: ["<｜begin▁of▁sentence｜>", "hello", " world"],
    });
    const bare = await post(sim.url, "/tokenize", { prompt: "hello world", add_special_tokens: false });
    expect((bare.json() as { count: number }).count).toBe(2);
  });

  it("counts tools and thinking into the prompt", async () => {
    const base = { messages: [{ role: "user", content: "hi" }] };
    const count = async (body: object) => ((await post(sim.url, "/tokenize", body)).json() as { count: number }).count;
    const plain = await count(base);
    expect(await count({ ...base, tools: [readTool] })).toBeGreaterThan(plain + 100);
    expect(await count({ ...base, chat_template_kwargs: { thinking: true } })).toBe(plain);
  });

  it("refuses what a chat completion refuses, and unknown models", async () => {
    const res = await post(sim.url, "/tokenize", {
      messages: [
        { role: "user", content: "a" },
        { role: "user", content: "b" },
      ],
    });
    expect(res.status).toBe(400);
    const unknown = await post(sim.url, "/tokenize", { model: "other", prompt: "x" });
    expect(unknown.status).toBe(404);
  });
});
