import { describe, expect, it } from "vitest";
import { post } from "../testing/http.ts";
import { useSimAndGateway } from "../testing/sim-and-gateway.ts";

const env = useSimAndGateway();

async function error(res: Response) {
  return { status: res.status, body: (await res.json()) as { error: { type: string; message: string } } };
}

describe.each(["/v1/messages", "/v1/messages/count_tokens"])("%s request bodies", (path) => {
  it("T-30: a body over 32 MB is 413 request_too_large", async () => {
    const huge = JSON.stringify({
      model: "umans-coder-v0",
      max_tokens: 1,
      messages: [{ role: "user", content: "x".repeat(33 * 1024 * 1024) }],
    });
    const { status, body } = await error(await post(env.gateway.url, path, huge, { token: env.gateway.token }));
    expect(status).toBe(413);
    expect(body.error).toEqual({ type: "request_too_large", message: "request body is larger than the 32 MB limit" });
  });

  it("refuses a body that is not JSON, an empty one, and a bad field by its path", async () => {
    expect(await error(await post(env.gateway.url, path, "{not json", { token: env.gateway.token }))).toMatchObject({
      status: 400,
      body: {
        error: { type: "invalid_request_error", message: expect.stringMatching(/^request body is not valid JSON/) },
      },
    });
    expect(await error(await post(env.gateway.url, path, "", { token: env.gateway.token }))).toMatchObject({
      status: 400,
      body: { error: { message: "request body is empty; a JSON object is required" } },
    });
    const bad = { model: "umans-coder-v0", max_tokens: 5, messages: [{ role: "user", content: 42 }] };
    expect(await error(await post(env.gateway.url, path, bad, { token: env.gateway.token }))).toMatchObject({
      status: 400,
      body: { error: { type: "invalid_request_error", message: expect.stringMatching(/^messages\.0\.content: /) } },
    });
  });

  it("answers an unknown model with Anthropic's 404 wording", async () => {
    const body = { model: "gpt-4o", max_tokens: 5, messages: [{ role: "user", content: "hi" }] };
    expect(await error(await post(env.gateway.url, path, body, { token: env.gateway.token }))).toEqual({
      status: 404,
      body: expect.objectContaining({ error: { type: "not_found_error", message: "model: gpt-4o" } }),
    });
  });
});

describe("paths", () => {
  it("serves the API under a path prefix, as with ANTHROPIC_BASE_URL=https://host/anthropic", async () => {
    env.sim.enqueue({ content: "prefixed" });
    const res = await post(
      env.gateway.url,
      "/anthropic/v1/messages?beta=true",
      { model: "umans-coder-v0", max_tokens: 9, messages: [{ role: "user", content: "hi" }] },
      { token: env.gateway.token },
    );
    expect(res.status).toBe(200);
    expect(((await res.json()) as { content: unknown }).content).toEqual([{ type: "text", text: "prefixed" }]);
  });
});
