import { ensureBuiltinModels, updateModel } from "@perimeter/core";
import { describe, expect, it } from "vitest";
import { post, userTurn } from "../testing/http.ts";
import { useSimAndGateway } from "../testing/sim-and-gateway.ts";

// An admin disabling a model (core `updateModel`, as the Models page does) stops every API from serving
// it at once, and enabling it again brings it back: real Postgres, Redis change events and vllm-sim.
const env = useSimAndGateway();

async function setEnabled(enabled: boolean): Promise<void> {
  const { gateway } = env;
  await ensureBuiltinModels(gateway.ctx);
  const model = await gateway.services.db.model.findFirstOrThrow({
    where: { orgId: gateway.ctx.orgId, publicName: "umans-coder-v0" },
  });
  const updated = await updateModel(gateway.ctx, { modelId: model.id, changes: { enabled } });
  if (!updated.ok) throw new Error(updated.code);
}

/** Polls `send` until it answers `status`, for at most a second (the change event's way to the gateway). */
async function untilStatus(send: () => Promise<Response>, status: number): Promise<Response> {
  const deadline = Date.now() + 1_000;
  for (;;) {
    const res = await send();
    if (res.status === status || Date.now() > deadline) return res;
    await res.text();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

describe("a model an admin disabled", () => {
  it("is refused on /v1/messages, /v1/chat/completions and /v1/models until enabled again", async () => {
    const { gateway, sim } = env;
    const messages = () =>
      post(gateway.url, "/v1/messages", userTurn("hi", { max_tokens: 8 }), { token: gateway.token });
    const chat = () =>
      fetch(`${gateway.url}/v1/chat/completions`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${gateway.token}` },
        body: JSON.stringify({ model: "umans-coder-v0", max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
      });
    const listed = async () => {
      const res = await fetch(`${gateway.url}/v1/models`, {
        headers: { "x-api-key": gateway.token, "anthropic-version": "2023-06-01" },
      });
      return ((await res.json()) as { data: { id: string }[] }).data.map((model) => model.id);
    };
    expect((await messages()).status).toBe(200);
    expect(await listed()).toContain("umans-coder-v0");

    await setEnabled(false);
    const refused = await untilStatus(messages, 404);
    expect(refused.status).toBe(404);
    expect(await refused.json()).toMatchObject({
      type: "error",
      error: { type: "not_found_error", message: expect.stringContaining("`umans-coder-v0` is disabled") },
    });
    const refusedChat = await chat();
    expect(refusedChat.status).toBe(404);
    expect(await refusedChat.json()).toMatchObject({ error: { code: "model_not_found", param: "model" } });
    expect(await listed()).not.toContain("umans-coder-v0");
    sim.clearRequests();
    await messages();
    expect(sim.requests().filter((request) => request.path === "/v1/chat/completions")).toEqual([]);

    await setEnabled(true);
    expect((await untilStatus(messages, 200)).status).toBe(200);
    expect((await chat()).status).toBe(200);
  });
});
