import { setLimits } from "@perimeter/core";
import { describe, expect, inject, it } from "vitest";
import { post, userTurn } from "../testing/http.ts";
import { useSimAndGateway } from "../testing/sim-and-gateway.ts";
import { startTestGateway } from "../testing/test-gateway.ts";

const env = useSimAndGateway({ sim: { maxModelLen: 131_072 } });

const urls = () => ({ databaseUrl: inject("databaseUrl"), redisUrl: inject("redisUrl") });

const get = (path: string, token = env.gateway.token, url = env.gateway.url) =>
  fetch(`${url}${path}`, { headers: { "x-api-key": token }, redirect: "manual" });

describe("GET /v1/models (T-27)", () => {
  it("lists the served model in Anthropic's shape, with the window vLLM reports, and no redirect", async () => {
    const res = await get("/v1/models?limit=1000");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      data: [
        {
          type: "model",
          id: "umans-coder-v0",
          display_name: "umans-coder-v0",
          created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
          max_input_tokens: 131_072,
        },
      ],
      has_more: false,
      first_id: "umans-coder-v0",
      last_id: "umans-coder-v0",
    });
  });

  it("answers one model by id, and 404 for another", async () => {
    expect(await (await get("/v1/models/umans-coder-v0")).json()).toMatchObject({
      type: "model",
      id: "umans-coder-v0",
    });
    const missing = await get("/v1/models/claude-opus-4-8");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({
      error: { type: "not_found_error", message: "model: claude-opus-4-8" },
    });
  });
});

describe("a team's model allow-list (Q-09, Q-10)", () => {
  it("hides models the team may not use and refuses requests for them with 403 permission_error", async () => {
    const gw = await startTestGateway({ ...urls(), upstreamUrl: env.sim.url });
    try {
      await setLimits(gw.ctx, {
        target: { type: "team", teamId: gw.team.team.id },
        limits: { allowedModels: ["another-model"] },
      });
      const list = (await (await get("/v1/models", gw.token, gw.url)).json()) as { data: unknown[] };
      expect(list.data).toEqual([]);
      const res = await post(gw.url, "/v1/messages", userTurn("hi"), { token: gw.token });
      expect(res.status).toBe(403);
      expect(await res.json()).toMatchObject({
        error: { type: "permission_error", message: "model `umans-coder-v0` is not allowed for this key's team" },
      });
    } finally {
      await gw.stop();
    }
  });

  it("applies a key's own allow-list on top of its team's", async () => {
    const gw = await startTestGateway({ ...urls(), upstreamUrl: env.sim.url });
    try {
      await setLimits(gw.ctx, {
        target: { type: "team", teamId: gw.team.team.id },
        limits: { allowedModels: ["umans-coder-v0"] },
      });
      env.sim.enqueue({ content: "allowed" });
      expect((await post(gw.url, "/v1/messages", userTurn("hi"), { token: gw.token })).status).toBe(200);
      await setLimits(gw.ctx, {
        target: { type: "key", apiKeyId: gw.key.id },
        limits: { allowedModels: ["another-model"] },
      });
      expect((await post(gw.url, "/v1/messages", userTurn("hi"), { token: gw.token })).status).toBe(403);
    } finally {
      await gw.stop();
    }
  });

  it("forces thinking off for a team whose policy says so, whatever the client asks", async () => {
    const gw = await startTestGateway({ ...urls(), upstreamUrl: env.sim.url });
    try {
      await setLimits(gw.ctx, {
        target: { type: "team", teamId: gw.team.team.id },
        limits: { thinkingPolicy: "force_off" },
      });
      env.sim.clearRequests();
      env.sim.enqueue({ reasoning: "hidden", content: "plain" });
      const res = await post(gw.url, "/v1/messages", userTurn("hi", { thinking: { type: "adaptive" } }), {
        token: gw.token,
      });
      expect(((await res.json()) as { content: unknown }).content).toEqual([{ type: "text", text: "plain" }]);
      const upstream = env.sim.requests().find((request) => request.path === "/v1/chat/completions");
      const body = upstream?.body as { chat_template_kwargs?: unknown } | undefined;
      expect(body?.chat_template_kwargs).toEqual({ thinking: false });
    } finally {
      await gw.stop();
    }
  });
});
