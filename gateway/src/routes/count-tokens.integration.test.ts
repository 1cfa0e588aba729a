import { readFileSync } from "node:fs";
import path from "node:path";
import { setLimits } from "@perimeter/core";
import { closedPort } from "@perimeter/runtime/testing";
import { describe, expect, inject, it } from "vitest";
import { post, userTurn } from "../testing/http.ts";
import { useSimAndGateway } from "../testing/sim-and-gateway.ts";
import { startTestGateway } from "../testing/test-gateway.ts";

const env = useSimAndGateway();

const fixtures = path.join(import.meta.dirname, "..", "protocol", "fixtures", "requests");
const fixture = (name: string) => ({
  ...JSON.parse(readFileSync(path.join(fixtures, `${name}.anthropic.json`), "utf8")),
  model: "umans-coder-v0",
});
const urls = () => ({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });

async function countTokens(body: Record<string, unknown>, gw = env.gateway) {
  const { max_tokens: _, stream: __, ...prompt } = body;
  const res = await post(gw.url, "/v1/messages/count_tokens?beta=true", prompt, { token: gw.token });
  return { res, body: (await res.json()) as { input_tokens: number } };
}

async function promptTokensOfGeneration(body: Record<string, unknown>): Promise<number> {
  env.sim.enqueue({ content: "ok" });
  const res = await post(env.gateway.url, "/v1/messages", { ...body, stream: false }, { token: env.gateway.token });
  const message = (await res.json()) as { usage: { input_tokens: number; cache_read_input_tokens: number } };
  return message.usage.input_tokens + message.usage.cache_read_input_tokens;
}

describe("POST /v1/messages/count_tokens (T-20)", () => {
  it.each([
    ["a one-line prompt", userTurn("Say hi")],
    [
      "Claude Code's first turn (tools, thinking, system blocks, a mid-conversation system message)",
      fixture("claude-code-first-turn"),
    ],
    ["Claude Code after a tool call", fixture("claude-code-after-write")],
    ["a thinking tool loop with replayed reasoning", fixture("thinking-tool-loop")],
    ["out-of-order tool results and an image", fixture("tool-results-out-of-order")],
  ])("equals the prompt_tokens vLLM reports for the same request: %s", async (_name, body) => {
    const { res, body: counted } = await countTokens(body);
    expect(res.status).toBe(200);
    expect(res.headers.get("x-perimeter-token-count")).toBeNull();
    expect(counted.input_tokens).toBe(await promptTokensOfGeneration(body));
  });

  it("counts what Claude Code's /context sends: model, messages and tools only", async () => {
    const body = JSON.parse(readFileSync(path.join(fixtures, "claude-code-first-turn.anthropic.json"), "utf8"));
    const { res, body: counted } = await countTokens({
      model: "claude-opus-4-8",
      messages: [{ role: "user", content: "foo" }],
      tools: body.tools,
    });
    expect(res.status).toBe(200);
    expect(counted.input_tokens).toBeGreaterThan(100);
  });

  it("is answered for a team whose allow-list excludes the model, as counting is free", async () => {
    const gw = await startTestGateway({ ...urls(), upstreamUrl: env.sim.url });
    try {
      await setLimits(gw.ctx, {
        target: { type: "team", teamId: gw.team.team.id },
        limits: { allowedModels: ["other-model"] },
      });
      expect((await countTokens(userTurn("hi"), gw)).res.status).toBe(200);
    } finally {
      await gw.stop();
    }
  });

  it("falls back to a marked estimate when vLLM cannot count", async () => {
    const gw = await startTestGateway({ ...urls(), upstreamUrl: `http://127.0.0.1:${await closedPort()}` });
    try {
      const { res, body } = await countTokens(userTurn("a prompt of some length ".repeat(10)), gw);
      expect(res.status).toBe(200);
      expect(res.headers.get("x-perimeter-token-count")).toBe("estimate");
      expect(body.input_tokens).toBeGreaterThan(10);
    } finally {
      await gw.stop();
    }
  });
});
