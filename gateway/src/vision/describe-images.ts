import type { AnthropicErrorStatus } from "../http/anthropic-error.ts";
import type { ChatCompletion, ChatCompletionRequest, ChatUsage } from "../protocol/openai.ts";
import type { ModelRoute, ModelRouter, RouteTarget } from "../routing/model-router.ts";
import { classifyUpstreamFailure } from "../upstream.ts";
import { describeInstructions, describeSystemPrompt } from "./describe-prompt.ts";
import type { DescriptionCache } from "./description-cache.ts";
import type { FoundImage } from "./find-images.ts";

/** One call to the vision model, for metering: what it cost and how it ended. */
export interface VisionCall {
  status: number;
  usage?: ChatUsage;
  finishReason?: string | null;
  target: RouteTarget;
  startedAt: Date;
  latencyMs: number;
  errorType?: "api_error" | "timeout_error" | "overloaded_error" | "invalid_request_error";
}

export type DescribeResult =
  | { ok: true; descriptions: Map<string, string>; calls: VisionCall[]; cacheHits: number }
  | { ok: false; aborted: true; calls: VisionCall[] }
  | { ok: false; aborted: false; status: AnthropicErrorStatus; message: string; calls: VisionCall[] };

export interface DescribeDeps {
  router: ModelRouter;
  cache: DescriptionCache;
  timeoutMs: number;
  concurrency: number;
  maxTokens: number;
}

type Failure = Extract<DescribeResult, { aborted: false }>;
class DescribeFailure extends Error {
  constructor(readonly failure: Omit<Failure, "calls" | "ok" | "aborted">) {
    super(failure.message);
  }
}

/** The chat completion that asks for one image's description, the image as a data URI (or its URL). */
export function describeRequest(image: FoundImage, servedModel: string, maxTokens: number): ChatCompletionRequest {
  const url =
    image.source.type === "base64"
      ? `data:${image.source.mediaType};base64,${image.source.data}`
      : image.source.type === "url"
        ? image.source.url
        : "";
  return {
    model: servedModel,
    messages: [
      { role: "system", content: describeSystemPrompt },
      {
        role: "user",
        content: [
          { type: "text", text: describeInstructions },
          { type: "image_url", image_url: { url } },
        ],
      },
    ],
    max_tokens: maxTokens,
    temperature: 0,
    stream: false,
    // A vision model's template ignores what it does not know; DeepSeek-style templates keep thinking off.
    chat_template_kwargs: { thinking: false },
  };
}

/**
 * Describes the distinct images of a request (by SHA-256) with the vision model at `route`: cached
 * descriptions first, then the rest at most `concurrency` at a time, each within `timeoutMs`. The first
 * failure stops the others and names the vision step and the image: a request is never answered with
 * an image silently missing. Descriptions come back by image hash; every call made is returned for
 * metering, failed ones included.
 */
export async function describeImages(
  deps: DescribeDeps,
  route: ModelRoute,
  images: FoundImage[],
  signal: AbortSignal,
): Promise<DescribeResult> {
  const unique = new Map<string, FoundImage>();
  for (const image of images) if (image.sha256 && !unique.has(image.sha256)) unique.set(image.sha256, image);
  const hashes = [...unique.keys()];
  const cached = await deps.cache.getMany(route.publicName, hashes);
  const descriptions = new Map<string, string>();
  const misses: FoundImage[] = [];
  hashes.forEach((hash, i) => {
    const hit = cached[i];
    if (typeof hit === "string") descriptions.set(hash, hit);
    else misses.push(unique.get(hash) as FoundImage);
  });
  const calls: VisionCall[] = [];
  const stop = new AbortController();
  const both = AbortSignal.any([signal, stop.signal]);
  let next = 0;
  const worker = async () => {
    while (next < misses.length && !both.aborted) {
      const image = misses[next++] as FoundImage;
      const description = await describeOne(deps, route, image, both, calls);
      descriptions.set(image.sha256 as string, description);
      await deps.cache.set(route.publicName, image.sha256 as string, description);
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.min(deps.concurrency, misses.length) }, worker));
  } catch (error) {
    stop.abort();
    if (signal.aborted) return { ok: false, aborted: true, calls };
    if (error instanceof DescribeFailure) return { ok: false, aborted: false, ...error.failure, calls };
    throw error;
  }
  if (signal.aborted) return { ok: false, aborted: true, calls };
  return { ok: true, descriptions, calls, cacheHits: hashes.length - misses.length };
}

function upstreamMessage(text: string): string {
  try {
    const body = JSON.parse(text) as { error?: { message?: string } | string; message?: string; detail?: string };
    const message = typeof body.error === "string" ? body.error : (body.error?.message ?? body.message ?? body.detail);
    if (message) return message;
  } catch {
    // Not JSON: the text itself, shortened.
  }
  return text.slice(0, 500) || "(empty body)";
}

async function describeOne(
  deps: DescribeDeps,
  route: ModelRoute,
  image: FoundImage,
  signal: AbortSignal,
  calls: VisionCall[],
): Promise<string> {
  const where = `describing the image at ${image.path} with \`${route.publicName}\``;
  const timeout = AbortSignal.timeout(deps.timeoutMs);
  const callSignal = AbortSignal.any([signal, timeout]);
  const target = route.targets[0] as RouteTarget;
  const body = JSON.stringify(describeRequest(image, route.servedName, deps.maxTokens));
  const startedAt = new Date();
  const began = performance.now();
  const record = (call: Omit<VisionCall, "target" | "startedAt" | "latencyMs">) => {
    calls.push({ ...call, target, startedAt, latencyMs: performance.now() - began });
  };
  const release = deps.router.begin(target);
  try {
    let status: number;
    let text: string;
    try {
      const reply = await target.upstream.chatCompletions(body, callSignal);
      status = reply.status;
      text = await reply.body.text();
    } catch (error) {
      if (signal.aborted) throw error;
      if (timeout.aborted || classifyUpstreamFailure(error, callSignal) === "timeout") {
        record({ status: 504, errorType: "timeout_error" });
        throw new DescribeFailure({
          status: 504,
          message: `vision step: ${where} timed out after ${deps.timeoutMs} ms`,
        });
      }
      record({ status: 529, errorType: "overloaded_error" });
      throw new DescribeFailure({
        status: 529,
        message: `vision step: ${where} failed: the vision model could not be reached (${(error as Error).message})`,
      });
    }
    if (status !== 200) {
      const refused = status >= 400 && status < 500;
      record({ status: refused ? 400 : 500, errorType: refused ? "invalid_request_error" : "api_error" });
      throw new DescribeFailure({
        status: refused ? 400 : 500,
        message: `vision step: ${where} failed: the vision model answered ${status}: ${upstreamMessage(text)}`,
      });
    }
    let completion: ChatCompletion;
    try {
      completion = JSON.parse(text) as ChatCompletion;
    } catch {
      record({ status: 500, errorType: "api_error" });
      throw new DescribeFailure({ status: 500, message: `vision step: ${where} failed: the answer was not JSON` });
    }
    const choice = completion.choices?.[0];
    const description = typeof choice?.message?.content === "string" ? choice.message.content.trim() : "";
    record({
      status: 200,
      ...(completion.usage ? { usage: completion.usage } : {}),
      finishReason: choice?.finish_reason ?? null,
    });
    if (!description) {
      throw new DescribeFailure({
        status: 500,
        message: `vision step: ${where} failed: the description came back empty`,
      });
    }
    return description;
  } finally {
    release();
  }
}
