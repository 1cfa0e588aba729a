import { createHash } from "node:crypto";
import {
  createModel,
  ensureBuiltinModels,
  publishDeploymentReplicas,
  replicaTableKeys,
  setLimits,
  setVisionPolicy,
  usageEventMessageSchema,
  type VisionPolicyView,
} from "@perimeter/core";
import { randomBase32 } from "@perimeter/db";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from "vitest";
import { visionRequestId } from "../pipeline/apply-vision-policy.ts";
import type { ChatCompletionRequest } from "../protocol/openai.ts";
import { parseAnthropicSse } from "../protocol/testing/stream-grammar.ts";
import { post } from "../testing/http.ts";
import { startTestGateway, type TestGateway } from "../testing/test-gateway.ts";

// The vision step end to end: a text-only simulator behind VLLM_URL, a simulator playing a vision model
// behind a deployment in the replica table, real Postgres and Redis, policies set through core's verb.

const prefix = `perimeter-vision-test-${randomBase32(6)}`;
const tableKeys = replicaTableKeys(prefix);
let text: RunningVllmSim;
let vision: RunningVllmSim;
let gateway: TestGateway;
let textModelId: string;
let visionModel: { id: string; publicName: string };

/** A PNG signature and header of `width` × `height`: enough for the simulator to read it as an image. */
function png(width: number, height: number): string {
  const bytes = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(bytes, 0);
  bytes.writeUInt32BE(13, 8);
  bytes.write("IHDR", 12, "latin1");
  bytes.writeUInt32BE(width, 16);
  bytes.writeUInt32BE(height, 20);
  return bytes.toString("base64");
}
const sha = (data: string) => createHash("sha256").update(Buffer.from(data, "base64")).digest("hex").slice(0, 16);
const imageBlock = (data: string) => ({ type: "image", source: { type: "base64", media_type: "image/png", data } });

const readTool = {
  name: "Read",
  description: "Reads a file",
  input_schema: { type: "object", properties: { file_path: { type: "string" } }, required: ["file_path"] },
};

/**
 * What Claude Code sends once the developer pasted `pasted` and its Read tool opened `fromFile`: the
 * pasted image in a user message, the file's image inside the tool_result, then `more` turns after.
 */
function conversation(pasted: string, fromFile: string, more: Record<string, unknown>[] = []) {
  return {
    model: "claude-sonnet-4-5",
    max_tokens: 512,
    tools: [readTool],
    messages: [
      {
        role: "user",
        content: [
          { type: "text", text: "The page renders like this, and the mockup is in mockup.png." },
          imageBlock(pasted),
        ],
      },
      {
        role: "assistant",
        content: [{ type: "tool_use", id: "toolu_01", name: "Read", input: { file_path: "/repo/mockup.png" } }],
      },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "toolu_01", content: [imageBlock(fromFile)] }],
      },
      ...more,
    ],
  };
}

const chatRequests = (sim: RunningVllmSim) =>
  sim
    .requests()
    .filter((request) => request.path === "/v1/chat/completions")
    .map((request) => request.body as ChatCompletionRequest);

async function setPolicy(mode: VisionPolicyView["mode"]) {
  const set = await setVisionPolicy(gateway.ctx, { teamId: gateway.team.team.id, modelId: textModelId, mode });
  if (!set.ok) throw new Error(set.code);
  // The verb announces the team's change: the gateway's cached key must show the policy at once.
  const deadline = Date.now() + 2_000;
  for (;;) {
    const principal = await gateway.services.keys.get(gateway.key.publicId);
    if (principal?.vision.policies[0]?.mode === mode) return;
    if (Date.now() > deadline) throw new Error(`the gateway did not see policy ${mode} within 2 s`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function publishVisionReplica(state: "ready" | "loading") {
  await publishDeploymentReplicas(gateway.services.redis, tableKeys, {
    deploymentId: `dep_vision_${prefix}`,
    replicas: [
      {
        deploymentId: `dep_vision_${prefix}`,
        orgId: gateway.ctx.orgId,
        replica: "vl-0",
        model: { publicName: visionModel.publicName, aliases: [], servedName: "sim-vl" },
        endpoint: vision.url,
        revision: null,
        state,
        runningRequests: 0,
        waitingRequests: 0,
        kvCacheUsage: null,
        maxModelLen: 32_768,
      },
    ],
    ttlMs: 600_000,
    nowMs: Date.now(),
  });
  const deadline = Date.now() + 2_000;
  while (gateway.services.router.resolve(gateway.ctx.orgId, visionModel.publicName).ok !== (state === "ready")) {
    if (Date.now() > deadline) throw new Error("the replica table did not reach the gateway");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function meteredEvents() {
  const entries = await gateway.services.redis.xrange(gateway.usageKeys.stream, "-", "+");
  return entries.map(([, fields]) => usageEventMessageSchema.parse(JSON.parse(fields[3] ?? "{}")));
}

async function eventsOf(requestId: string, count: number) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const events = (await meteredEvents()).filter((event) => event.requestId.slice(0, 14) === requestId.slice(0, 14));
    const mine = events.filter(
      (event) =>
        event.requestId === requestId ||
        Array.from({ length: 8 }, (_, i) => visionRequestId(requestId, i)).includes(event.requestId),
    );
    if (mine.length >= count || Date.now() > deadline) return mine;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const send = (body: unknown) => post(gateway.url, "/v1/messages", body, { token: gateway.token });

beforeAll(async () => {
  [text, vision] = await Promise.all([startVllmSim(), startVllmSim({ model: "sim-vl", vision: true })]);
  gateway = await startTestGateway({
    databaseUrl: inject("databaseUrl"),
    redisUrl: inject("redisUrl"),
    upstreamUrl: text.url,
    replicaTablePrefix: prefix,
    vision: { timeoutMs: 1_500, concurrency: 2 },
  });
  await ensureBuiltinModels(gateway.ctx);
  const builtin = await gateway.services.db.model.findFirstOrThrow({
    where: { orgId: gateway.ctx.orgId, publicName: "umans-coder-v0" },
  });
  textModelId = builtin.id;
  const created = await createModel(gateway.ctx, {
    publicName: "vision-vl",
    servedName: "sim-vl",
    hfRepo: "example/vision-vl",
    contextLength: 32_768,
    supportsVision: true,
  });
  if (!created.ok) throw new Error(created.code);
  visionModel = created.model;
  await publishVisionReplica("ready");
});

afterAll(async () => {
  await gateway?.stop();
  await Promise.all([text?.close(), vision?.close()]);
});

beforeEach(() => {
  text.reset();
  vision.reset();
});

describe("images sent to the text-only model, by team policy", () => {
  it("reject: a 400 naming the model and the policy, and nothing goes upstream", async () => {
    await setPolicy("reject");
    const res = await send(conversation(png(10, 10), png(20, 20)));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("invalid_request_error");
    expect(body.error.message).toContain("messages.0.content.1: model `umans-coder-v0` cannot read images");
    expect(body.error.message).toContain("vision policy for it is `reject`");
    expect(text.requests()).toEqual([]);
    expect(vision.requests()).toEqual([]);
  });

  it("describe: one vision call per new image, then the text model gets marked descriptions in their place", async () => {
    await setPolicy("describe");
    const pasted = png(1280, 720);
    const fromFile = png(640, 480);
    const res = await send(conversation(pasted, fromFile));
    expect(res.status).toBe(200);

    const asked = chatRequests(vision);
    expect(asked).toHaveLength(2);
    const urls = asked.map((request) => {
      const user = request.messages.find((message) => message.role === "user");
      const parts = user?.content as { type: string; text?: string; image_url?: { url: string } }[];
      expect(parts[0]?.text).toContain("Transcribe every piece of text exactly");
      expect(request.model).toBe("sim-vl");
      return parts[1]?.image_url?.url;
    });
    expect(urls.sort()).toEqual([`data:image/png;base64,${pasted}`, `data:image/png;base64,${fromFile}`].sort());

    const [sent] = chatRequests(text);
    const json = JSON.stringify(sent);
    expect(json).not.toContain("image_url");
    expect(json).not.toContain(pasted);
    const user = sent?.messages.find((message) => message.role === "user");
    expect(user?.content).toContain(
      `[Image description by vision-vl: Image 1: A 1280x720 PNG image of 33 bytes (sha256 ${sha(pasted)})`,
    );
    const tool = sent?.messages.find((message) => message.role === "tool");
    expect(tool?.content).toBe(
      `[Image description by vision-vl: Image 1: A 640x480 PNG image of 33 bytes (sha256 ${sha(fromFile)}), described by the vLLM simulator.]`,
    );
  });

  it("describe: the next turn carrying the same images in its history makes no vision call", async () => {
    await setPolicy("describe");
    const pasted = png(300, 200);
    const fromFile = png(301, 200);
    expect((await send(conversation(pasted, fromFile))).status).toBe(200);
    expect(chatRequests(vision)).toHaveLength(2);
    const firstPrompt = chatRequests(text)[0]?.messages;

    vision.clearRequests();
    const nextTurn = conversation(pasted, fromFile, [
      { role: "assistant", content: [{ type: "text", text: "The header overlaps the menu." }] },
      { role: "user", content: "Fix it." },
    ]);
    expect((await send(nextTurn)).status).toBe(200);
    expect(chatRequests(vision)).toHaveLength(0);
    // The same descriptions again: the text model's prompt prefix is unchanged, so its prefix cache hits.
    expect(chatRequests(text)[1]?.messages.slice(0, firstPrompt?.length ?? 0)).toEqual(firstPrompt);

    // A new image in a later turn is the only one described.
    const third = conversation(pasted, fromFile, [
      { role: "assistant", content: "Done." },
      { role: "user", content: [{ type: "text", text: "Now it looks like this:" }, imageBlock(png(302, 200))] },
    ]);
    expect((await send(third)).status).toBe(200);
    expect(chatRequests(vision)).toHaveLength(1);
  });

  it("describe: a request the key's limits refuse causes no vision call", async () => {
    await setPolicy("describe");
    const limited = await gateway.newKey({ name: "one a minute" });
    await setLimits(gateway.ctx, {
      target: { type: "key", apiKeyId: limited.key.id },
      limits: { requestsPerMinute: 1 },
    });
    const sendAs = (body: unknown) => post(gateway.url, "/v1/messages", body, { token: limited.token });
    expect((await sendAs(conversation(png(500, 300), png(501, 300)))).status).toBe(200);
    expect(chatRequests(vision)).toHaveLength(2);

    vision.clearRequests();
    const refused = await sendAs(conversation(png(502, 300), png(503, 300)));
    expect(refused.status).toBe(429);
    expect(chatRequests(vision)).toHaveLength(0);
  });

  it("describe: usage shows the text model and the vision model, same key and team, cache hits free", async () => {
    await setPolicy("describe");
    const body = conversation(png(400, 300), png(401, 300));
    const res = await send(body);
    expect(res.status).toBe(200);
    const requestId = res.headers.get("request-id") as string;
    const events = await eventsOf(requestId, 3);
    expect(events).toHaveLength(3);
    const textEvent = events.find((event) => event.requestId === requestId);
    const visionEvents = events.filter((event) => event.requestId !== requestId);
    expect(textEvent).toMatchObject({ model: "umans-coder-v0", endpoint: "messages", status: 200 });
    expect(textEvent?.inputTokens).toBeGreaterThan(0);
    expect(visionEvents).toHaveLength(2);
    for (const event of visionEvents) {
      expect(event).toMatchObject({
        model: "vision-vl",
        servedModel: "sim-vl",
        endpoint: "vision",
        status: 200,
        apiKeyId: gateway.key.id,
        teamId: gateway.team.team.id,
        deploymentId: `dep_vision_${prefix}`,
      });
      // The image's tokens (15 × 11 tiles + 2) are part of each description's prompt.
      expect(event.inputTokens).toBeGreaterThan(167);
      expect(event.outputTokens).toBeGreaterThan(0);
    }
    expect(new Set(visionEvents.map((event) => event.requestId)).size).toBe(2);
    expect(textEvent?.apiKeyId).toBe(gateway.key.id);

    // The same request again: every description is cached, so only the text model is metered.
    const again = await send(body);
    const againId = again.headers.get("request-id") as string;
    const second = await eventsOf(againId, 1);
    await new Promise((resolve) => setTimeout(resolve, 1_200));
    expect((await eventsOf(againId, 1)).map((event) => event.model)).toEqual(["umans-coder-v0"]);
    expect(second).toHaveLength(1);
  });

  it("route: the whole request goes to the vision model, images inline", async () => {
    await setPolicy("route");
    const pasted = png(64, 64);
    const fromFile = png(65, 64);
    const res = await send({ ...conversation(pasted, fromFile), stream: true });
    expect(res.status).toBe(200);
    const events = parseAnthropicSse(await res.text());
    expect(events.at(-1)).toEqual({ type: "message_stop" });
    expect(text.requests()).toEqual([]);
    const [sent] = chatRequests(vision);
    expect(chatRequests(vision)).toHaveLength(1);
    expect(sent?.model).toBe("sim-vl");
    const [first, , tool, toolImages] = sent?.messages.filter((message) => message.role !== "system") ?? [];
    expect(first).toEqual({
      role: "user",
      content: [
        { type: "text", text: "The page renders like this, and the mockup is in mockup.png." },
        { type: "image_url", image_url: { url: `data:image/png;base64,${pasted}` } },
      ],
    });
    expect(tool).toMatchObject({
      role: "tool",
      tool_call_id: "toolu_01",
      content: "[image 1: sent in the next message]",
    });
    expect(toolImages).toEqual({
      role: "user",
      content: [
        { type: "text", text: "Images returned by the tool results above:" },
        { type: "image_url", image_url: { url: `data:image/png;base64,${fromFile}` } },
      ],
    });
    const metered = await eventsOf(res.headers.get("request-id") as string, 1);
    expect(metered.map((event) => event.model)).toEqual(["vision-vl"]);
  });
});

describe("the vision step failing is an error naming it, and charges nothing", () => {
  async function expectVisionError(status: number, type: string, contains: string) {
    const res = await send(conversation(png(90, 90), png(91, 91)));
    expect(res.status).toBe(status);
    const body = (await res.json()) as { type: string; error: { type: string; message: string } };
    expect(body).toMatchObject({ type: "error", error: { type } });
    expect(body.error.message).toContain("vision step");
    expect(body.error.message).toContain(contains);
    expect(text.requests()).toEqual([]);
    const requestId = res.headers.get("request-id") as string;
    const events = await eventsOf(requestId, 1);
    const parent = events.find((event) => event.requestId === requestId);
    expect(parent).toMatchObject({ status, inputTokens: 0, outputTokens: 0, model: "umans-coder-v0" });
    // A failed vision call is metered as such, and costs nothing either.
    for (const event of events.filter((event) => event.requestId !== requestId)) {
      expect(event).toMatchObject({ model: "vision-vl", endpoint: "vision", inputTokens: 0, outputTokens: 0 });
      expect(event.status).toBeGreaterThanOrEqual(500);
    }
  }

  it("the vision model answering 500", async () => {
    await setPolicy("describe");
    vision.enqueue({ error: { status: 500, message: "EngineDeadError" } });
    vision.enqueue({ error: { status: 500, message: "EngineDeadError" } });
    await expectVisionError(500, "api_error", "the vision model answered 500: EngineDeadError");
  });

  it("the vision model not answering in time", async () => {
    await setPolicy("describe");
    vision.enqueue({ content: "late", delayFirstChunkMs: 5_000 }, { content: "late", delayFirstChunkMs: 5_000 });
    await expectVisionError(504, "timeout_error", "timed out after 1500 ms");
  });

  it("no ready vision deployment", async () => {
    await setPolicy("describe");
    await publishVisionReplica("loading");
    try {
      await expectVisionError(529, "overloaded_error", "no vision deployment is ready");
      expect(vision.requests()).toEqual([]);
    } finally {
      await publishVisionReplica("ready");
    }
  });
});
