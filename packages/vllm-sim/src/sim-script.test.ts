import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";
import { post, readTool } from "./testing/sim-client.ts";

type Completion = {
  choices: Array<{ message: { content: string | null; tool_calls?: Array<{ function: { arguments: string } }> } }>;
};

describe("behaviour scripts", () => {
  let sim: RunningVllmSim;

  beforeAll(async () => {
    sim = await startVllmSim({
      script: {
        rules: [{ when: { lastTextIncludes: "ping" }, turn: { content: "pong" } }],
        turns: [{ content: "from the script" }],
      },
    });
  });

  afterAll(async () => {
    await sim.close();
  });

  beforeEach(() => {
    sim.reset();
  });

  const ask = async (content: string, extra: object = {}) =>
    (
      (
        await post(sim.url, "/v1/chat/completions", { messages: [{ role: "user", content }], ...extra })
      ).json() as Completion
    ).choices[0]?.message;

  it("loads a script at start: its turns first, then its rules", async () => {
    const fresh = await startVllmSim({
      script: {
        rules: [{ when: { lastTextIncludes: "ping" }, turn: { content: "pong" } }],
        turns: [{ content: "first" }],
      },
    });
    const say = async (content: string) =>
      ((await post(fresh.url, "/v1/chat/completions", { messages: [{ role: "user", content }] })).json() as Completion)
        .choices[0]?.message.content;
    expect(await say("ping")).toBe("first");
    expect(await say("ping")).toBe("pong");
    await fresh.close();
  });

  it("answers queued turns in order, then falls back to the deterministic default", async () => {
    sim.enqueue({ content: "one" }, { content: "two" });
    expect((await ask("hello"))?.content).toBe("one");
    expect((await ask("hello"))?.content).toBe("two");
    const fallback = (await ask("hello   there"))?.content;
    expect(fallback).toBe('You said: "hello there". This is the vLLM simulator\'s default reply.');
    expect((await ask("hello   there"))?.content).toBe(fallback);
  });

  it("uses the first matching rule, counts down `times`, and fills captures", async () => {
    sim.setRules([
      { when: { lastTextIncludes: "twice" }, turn: { content: "limited" }, times: 2 },
      {
        when: { anyTextMatches: "Primary working directory: (\\S+)", hasTools: true },
        turn: { toolCalls: [{ name: "Read", arguments: { file_path: "{{1}}/README.md" } }] },
      },
      { when: { lastRole: "user", thinking: false }, turn: { content: "any user" } },
    ]);
    expect((await ask("twice"))?.content).toBe("limited");
    expect((await ask("twice"))?.content).toBe("limited");
    expect((await ask("twice"))?.content).toBe("any user");
    const message = await ask("Primary working directory: /home/dev/app", { tools: [readTool] });
    expect(JSON.parse(message?.tool_calls?.[0]?.function.arguments ?? "")).toEqual({
      file_path: "/home/dev/app/README.md",
    });
    const thinking = await ask("no rule for thinking", { chat_template_kwargs: { thinking: true } });
    expect(thinking?.content).toContain("default reply");
  });

  it("offers the same controls over HTTP under /sim", async () => {
    expect((await post(sim.url, "/sim/turns", { turns: [{ content: "over http" }] })).status).toBe(200);
    expect((await ask("x"))?.content).toBe("over http");
    const rules = await fetch(`${sim.url}/sim/rules`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ rules: [{ when: {}, turn: { content: "ruled" } }] }),
    });
    expect(rules.status).toBe(200);
    expect((await ask("x"))?.content).toBe("ruled");
    const log = (await (await fetch(`${sim.url}/sim/requests`)).json()) as {
      requests: Array<{ path: string; body: unknown }>;
    };
    expect(log.requests.map((request) => request.path)).toEqual(["/v1/chat/completions", "/v1/chat/completions"]);
    expect(log.requests[0]?.body).toEqual({ messages: [{ role: "user", content: "x" }] });
    await fetch(`${sim.url}/sim/requests`, { method: "DELETE" });
    expect(sim.requests()).toEqual([]);
    await post(sim.url, "/sim/reset", {});
    expect((await ask("x"))?.content).toContain("default reply");
  });

  it("refuses a bad turn or rule with the field that is wrong", async () => {
    const res = await post(sim.url, "/sim/turns", { turns: [{ content: 5 }] });
    expect(res.status).toBe(400);
    expect(res.text).toContain("turns.0.content");
    expect(() => sim.setRules([{ when: { anyTextMatches: "(" }, turn: {} }])).toThrow(
      /anyTextMatches: must be a valid regular expression/,
    );
  });

  it("records every request with its headers and which reasoning field was read", async () => {
    await post(
      sim.url,
      "/v1/chat/completions",
      {
        messages: [
          { role: "user", content: "go" },
          { role: "assistant", content: "ok", reasoning_content: "stale field" },
          { role: "user", content: "again" },
        ],
      },
      { "x-test": "yes" },
    );
    const [request] = sim.requests();
    expect(request?.headers["x-test"]).toBe("yes");
    expect(request?.reasoning).toEqual([{ messageIndex: 1, used: null, ignored: "stale field" }]);
  });
});
