import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelList } from "./model-list.ts";
import { type RunningVllmSim, simulatedVllmVersion, startVllmSim } from "./start-vllm-sim.ts";
import { post } from "./testing/sim-client.ts";

describe("vllm-sim server", () => {
  let sim: RunningVllmSim;

  beforeAll(async () => {
    sim = await startVllmSim();
  });

  afterAll(async () => {
    await sim.close();
  });

  it("answers GET /health with 200 and an empty body, like vLLM", async () => {
    const res = await fetch(`${sim.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("lists the served model in vLLM's /v1/models shape with the configured context", async () => {
    const res = await fetch(`${sim.url}/v1/models`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as ModelList;
    expect(body).toEqual({
      object: "list",
      data: [
        {
          id: "umans-coder",
          object: "model",
          created: expect.any(Number),
          owned_by: "vllm",
          root: "umans-ai/umans-coder-v0",
          parent: null,
          max_model_len: 163_840,
          permission: [
            expect.objectContaining({ object: "model_permission", id: expect.stringMatching(/^modelperm-/) }),
          ],
        },
      ],
    });
    expect(Math.abs((body.data[0]?.created ?? 0) - Date.now() / 1000)).toBeLessThan(60);
  });

  it("reports its version", async () => {
    const res = await fetch(`${sim.url}/version`);
    expect(await res.json()).toEqual({ version: simulatedVllmVersion });
  });

  it("answers unknown routes and wrong methods as FastAPI does", async () => {
    const missing = await fetch(`${sim.url}/v1/nope`);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ detail: "Not Found" });
    const wrongMethod = await fetch(`${sim.url}/v1/chat/completions`);
    expect(wrongMethod.status).toBe(405);
    expect(await wrongMethod.json()).toEqual({ detail: "Method Not Allowed" });
  });

  it("answers a body that is not JSON with a 400 validation error", async () => {
    const res = await post(sim.url, "/v1/chat/completions", "{not json");
    expect(res.status).toBe(400);
    expect(res.json()).toMatchObject({ error: { type: "Bad Request", code: 400, param: "body" } });
  });

  it("frees its port on close", async () => {
    const other = await startVllmSim();
    await other.close();
    await expect(fetch(`${other.url}/health`)).rejects.toThrow();
  });
});

describe("vllm-sim --api-key", () => {
  let sim: RunningVllmSim;

  beforeAll(async () => {
    sim = await startVllmSim({ apiKey: "sim-secret" });
  });

  afterAll(async () => {
    await sim.close();
  });

  const chat = { messages: [{ role: "user", content: "hi" }] };

  it("refuses /v1/* without the Bearer token, as vLLM's AuthenticationMiddleware does", async () => {
    for (const headers of [{}, { authorization: "Bearer wrong" }, { "x-api-key": "sim-secret" }] as Record<
      string,
      string
    >[]) {
      const res = await post(sim.url, "/v1/chat/completions", chat, headers);
      expect(res.status).toBe(401);
      expect(res.json()).toEqual({ error: "Unauthorized" });
    }
    expect((await fetch(`${sim.url}/v1/models`)).status).toBe(401);
  });

  it("accepts the Bearer token", async () => {
    const res = await post(sim.url, "/v1/chat/completions", chat, { authorization: "Bearer sim-secret" });
    expect(res.status).toBe(200);
  });

  it("leaves /tokenize, /health and /metrics unauthenticated", async () => {
    expect((await post(sim.url, "/tokenize", { prompt: "hi" })).status).toBe(200);
    expect((await fetch(`${sim.url}/health`)).status).toBe(200);
    expect((await fetch(`${sim.url}/metrics`)).status).toBe(200);
  });
});
