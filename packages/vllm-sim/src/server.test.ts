import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ModelList } from "./model-list.ts";
import { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";

describe("vllm-sim server", () => {
  let sim: RunningVllmSim;

  beforeAll(async () => {
    sim = await startVllmSim({ model: "umans-coder-v0" });
  });

  afterAll(async () => {
    await sim.close();
  });

  it("answers GET /health with 200 and an empty body, like vLLM", async () => {
    const res = await fetch(`${sim.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("");
  });

  it("lists the served model in vLLM's /v1/models shape", async () => {
    const res = await fetch(`${sim.url}/v1/models`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/json");
    const body = (await res.json()) as ModelList;
    expect(body).toEqual({
      object: "list",
      data: [
        {
          id: "umans-coder-v0",
          object: "model",
          created: expect.any(Number),
          owned_by: "vllm",
          root: "umans-ai/umans-coder-v0",
          parent: null,
          max_model_len: 131_072,
          permission: [
            expect.objectContaining({ object: "model_permission", id: expect.stringMatching(/^modelperm-/) }),
          ],
        },
      ],
    });
    expect(Math.abs((body.data[0]?.created ?? 0) - Date.now() / 1000)).toBeLessThan(60);
  });

  it("answers unknown routes with vLLM's error envelope", async () => {
    const res = await fetch(`${sim.url}/v1/nope`);
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({
      error: { message: "Route GET /v1/nope not found", type: "NotFoundError", param: null, code: 404 },
    });
  });

  it("frees its port on close", async () => {
    const other = await startVllmSim();
    await other.close();
    await expect(fetch(`${other.url}/health`)).rejects.toThrow();
  });
});
