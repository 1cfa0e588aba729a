import { randomBase32 } from "@perimeter/db";
import { Redis } from "ioredis";
import { afterAll, describe, expect, inject, it } from "vitest";
import type { MessagesRequest } from "../protocol/anthropic.ts";
import { type ModelRoute, ModelRouter } from "../routing/model-router.ts";
import type { Upstream, UpstreamReply } from "../upstream.ts";
import { describeImages } from "./describe-images.ts";
import { DescriptionCache } from "./description-cache.ts";
import { findImages } from "./find-images.ts";

// describeImages against real Redis (the cache) and an in-process upstream that records how many
// descriptions were asked for at once: the bound on parallel calls, and the first failure stopping the rest.

const redis = new Redis(inject("redisUrl"));
const router = new ModelRouter({ defaultModel: "m", aliases: [], upstreamFor: () => undefined as never });
afterAll(async () => {
  await router.close();
  redis.disconnect();
});

function reply(status: number, body: unknown): UpstreamReply {
  const text = JSON.stringify(body);
  return {
    status,
    body: Object.assign((async function* () {})(), { text: async () => text, dump: async () => {} }),
  };
}

/** An upstream answering each description after `delayMs`, failing the `failAt`-th call with a 500. */
function recordingUpstream(delayMs: number, failAt?: number) {
  const stats = { inFlight: 0, maxInFlight: 0, calls: 0, aborted: 0 };
  const upstream = {
    url: "http://vision.test",
    servedModel: "vl",
    chatCompletions: async (_body: string, signal: AbortSignal) => {
      stats.calls += 1;
      const n = stats.calls;
      stats.inFlight += 1;
      stats.maxInFlight = Math.max(stats.maxInFlight, stats.inFlight);
      try {
        await new Promise<void>((resolve, reject) => {
          const onAbort = () => {
            clearTimeout(timer);
            stats.aborted += 1;
            reject(Object.assign(new Error("aborted"), { name: "AbortError" }));
          };
          const timer = setTimeout(
            () => {
              signal.removeEventListener("abort", onAbort);
              resolve();
            },
            n === failAt ? 1 : delayMs,
          );
          signal.addEventListener("abort", onAbort, { once: true });
        });
      } finally {
        stats.inFlight -= 1;
      }
      if (n === failAt) return reply(500, { error: { message: "boom" } });
      return reply(200, {
        choices: [{ message: { content: `description ${n}` }, finish_reason: "stop" }],
        usage: { prompt_tokens: 100, completion_tokens: 10 },
      });
    },
  } as unknown as Upstream;
  const route: ModelRoute = { publicName: "vl", servedName: "vl", targets: [{ upstream }] };
  return { stats, route };
}

const images = (count: number) =>
  findImages({
    model: "m",
    max_tokens: 1,
    messages: [
      {
        role: "user",
        content: Array.from({ length: count }, (_, i) => ({
          type: "image",
          source: { type: "base64", media_type: "image/png", data: Buffer.from(`image ${i}`).toString("base64") },
        })),
      },
    ],
  } as MessagesRequest).images;

const deps = (concurrency: number) => ({
  router,
  cache: new DescriptionCache(redis, 60, `org_${randomBase32(8)}`),
  timeoutMs: 5_000,
  concurrency,
  maxTokens: 256,
});

describe("describeImages", () => {
  it("describes several images in parallel, never more than the bound at once, then serves them from the cache", async () => {
    const { stats, route } = recordingUpstream(40);
    const d = deps(2);
    const found = images(5);
    const first = await describeImages(d, route, found, new AbortController().signal);
    expect(first.ok).toBe(true);
    expect(stats.calls).toBe(5);
    expect(stats.maxInFlight).toBe(2);
    if (!first.ok) return;
    expect(first.calls.map((call) => call.status)).toEqual([200, 200, 200, 200, 200]);
    expect(new Set(first.descriptions.values()).size).toBe(5);

    const second = await describeImages(d, route, [...found, ...found], new AbortController().signal);
    expect(second).toMatchObject({ ok: true, calls: [], cacheHits: 5 });
    expect(stats.calls).toBe(5);
  });

  it("one image sent twice in a request is described once", async () => {
    const { stats, route } = recordingUpstream(1);
    const [one] = images(1);
    const result = await describeImages(deps(4), route, [one as never, one as never], new AbortController().signal);
    expect(result.ok && result.descriptions.size).toBe(1);
    expect(stats.calls).toBe(1);
  });

  it("the first failure stops the calls still running and names the image", async () => {
    const { stats, route } = recordingUpstream(2_000, 2);
    const result = await describeImages(deps(3), route, images(3), new AbortController().signal);
    expect(result).toMatchObject({ ok: false, aborted: false, status: 500 });
    expect(!result.ok && !result.aborted && result.message).toMatch(
      /^vision step: describing the image at messages\.0\.content\.\d with `vl` failed: the vision model answered 500: boom$/,
    );
    expect(stats.aborted).toBe(2);
  });
});
