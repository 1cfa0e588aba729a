import type http from "node:http";
import { performance } from "node:perf_hooks";
import { sendJson } from "@perimeter/runtime";
import { completionBody, type ResponseIdentity, streamChunk, streamErrorChunk, usageChunk } from "./chat-response.ts";
import { type CompletionPlan, type PlannedChunk, planCompletion } from "./completion-plan.ts";
import { renderAssistantOutput, renderDeepseekV32Prompt } from "./deepseek-v32-prompt.ts";
import { defaultTurn } from "./default-turn.ts";
import type { LatencyConfig } from "./env.ts";
import { describeImage, imageTokens } from "./image-input.ts";
import type { VllmMetrics } from "./metrics.ts";
import type { PrefixCache } from "./prefix-cache.ts";
import type { Scheduler } from "./scheduler.ts";
import type { RuleFacts } from "./sim-script.ts";
import type { SimState } from "./sim-state.ts";
import { tokenize } from "./tokenizer.ts";
import { type ReasoningField, type ValidChatRequest, validateChatRequest } from "./validate-chat-request.ts";
import { contextOverflowError, type VllmError, vllmError } from "./vllm-error.ts";

/** Everything a chat completion needs from the running simulator, built once in `startVllmSim`. */
export interface ChatContext {
  model: string;
  maxModelLen: number;
  reasoningField: ReasoningField;
  enableAutoToolChoice: boolean;
  enablePromptTokensDetails: boolean;
  /** Serving a vision model: `image_url` parts are read, counted and described. */
  vision: boolean;
  latency: LatencyConfig;
  state: SimState;
  cache: PrefixCache;
  scheduler: Scheduler;
  metrics: VllmMetrics;
  /** Tokens held by running sequences, for `vllm:kv_cache_usage_perc`. */
  kv: { tokensInUse: number };
  nextIdentity: () => Omit<ResponseIdentity, "model">;
}

export function sendVllmError(res: http.ServerResponse, error: VllmError): void {
  sendJson(res, error.status, error.body);
}

function textOf(content: string | null): string {
  return content ?? "";
}

function ruleFacts(request: ValidChatRequest): RuleFacts {
  const last = request.messages.at(-1);
  const choice = request.toolChoice;
  return {
    model: request.model,
    lastRole: last?.role === "developer" ? "user" : (last?.role ?? ""),
    lastText: textOf(last?.content ?? null),
    texts: request.messages.map((message) => textOf(message.content)),
    hasTools: request.tools.length > 0,
    toolChoice: typeof choice === "object" ? choice.name : choice,
    thinking: request.thinking,
  };
}

/** Resolves after `ms`, or at once (false) when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      signal.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/** Sleeps until `atMs` on the `performance.now()` clock, so per-chunk delays do not drift. */
const sleepUntil = (atMs: number, signal: AbortSignal) => sleep(atMs - performance.now(), signal);

/**
 * Answers one `POST /v1/chat/completions` body: validation, prompt rendering and counting, the context
 * check, picking the turn, then the latency model (queue for a slot, prefill, per-chunk decode) while
 * streaming or building the whole answer. A client that disconnects aborts the sequence at once.
 */
export async function handleChatCompletion(
  ctx: ChatContext,
  body: unknown,
  res: http.ServerResponse,
  onReasoningNotes: (notes: ValidChatRequest["reasoningNotes"]) => void,
  arrivedAt: number = performance.now(),
): Promise<void> {
  const validated = validateChatRequest(body, {
    servedModel: ctx.model,
    enableAutoToolChoice: ctx.enableAutoToolChoice,
    reasoningField: ctx.reasoningField,
    vision: ctx.vision,
  });
  if (!validated.ok) return sendVllmError(res, validated.error);
  const request = validated.request;
  onReasoningNotes(request.reasoningNotes);

  const prompt = tokenize(
    renderDeepseekV32Prompt({ messages: request.messages, tools: request.tools, thinking: request.thinking }),
  );
  // Image tokens are not text the prefix cache hashes; they only add to the prompt's length.
  const promptTokens = prompt.ids.length + request.images.reduce((sum, image) => sum + imageTokens(image), 0);
  const requested = request.maxTokens ?? 0;
  if (promptTokens + requested > ctx.maxModelLen || promptTokens >= ctx.maxModelLen) {
    return sendVllmError(res, contextOverflowError(ctx.maxModelLen, requested, promptTokens));
  }

  const facts = ruleFacts(request);
  const turn =
    ctx.state.nextTurn(facts) ??
    defaultTurn({
      lastText: facts.lastText,
      toolChoice: request.toolChoice,
      toolNames: request.tools.map((tool) => tool.name),
      imageDescriptions: request.images.map(describeImage),
    });
  if (turn.error) return sendVllmError(res, vllmError(turn.error.status, turn.error.message, turn.error.type));

  const identity: ResponseIdentity = { ...ctx.nextIdentity(), model: ctx.model };
  const plan = planCompletion({
    turn,
    requestId: identity.id,
    thinking: request.thinking,
    parseTools: request.tools.length > 0 && request.toolChoice !== "none",
    toolChoice: request.toolChoice,
    parallelToolCalls: request.parallelToolCalls,
    stop: request.stop,
    budget: request.maxTokens ?? ctx.maxModelLen - promptTokens,
  });

  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) abort.abort();
  };
  res.on("close", onClose);
  if (request.stream) {
    // Starlette sends the status line and headers before the first body byte: the client sees 200 at
    // once and then silence until the first token.
    res.writeHead(200, { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-cache" });
    res.flushHeaders();
  }

  const queuedSince = ctx.scheduler.numRunning >= ctx.scheduler.capacity ? performance.now() : undefined;
  const release = await ctx.scheduler.acquire(abort.signal);
  if (!release) return finishAborted(ctx, arrivedAt);
  // The modelled prefill starts when the request arrived, or when it left the queue: the simulator's own
  // parsing and rendering is part of that time, not added to it.
  const prefillFrom = queuedSince === undefined ? arrivedAt : performance.now();
  const held = promptTokens + plan.completionTokens;
  ctx.kv.tokensInUse += held;
  try {
    const cachedTokens = ctx.cache.lookup(prompt.ids);
    ctx.metrics.prefixQueries += promptTokens;
    ctx.metrics.prefixHits += cachedTokens;
    const prefillMs =
      ctx.latency.prefillOverheadMs +
      (promptTokens - cachedTokens) * ctx.latency.ttftMsPerToken +
      (turn.delayFirstChunkMs ?? 0);
    const firstAt = prefillFrom + prefillMs;
    const usage = {
      promptTokens,
      cachedTokens,
      completionTokens: plan.completionTokens,
      reasoningTokens: plan.reasoningTokens,
      promptTokensDetails: ctx.enablePromptTokensDetails,
    };
    const run: RunInput = { ctx, request, plan, identity, usage, firstAt, arrivedAt, signal: abort.signal, res, turn };
    const outcome = request.stream ? await streamAnswer(run) : await wholeAnswer(run);
    if (outcome === "aborted") return finishAborted(ctx, arrivedAt);
    ctx.cache.insert(prompt.ids);
    const output = renderAssistantOutput(
      {
        reasoning: plan.message.reasoning ?? "",
        content: plan.message.content ?? "",
        toolCalls: plan.message.toolCalls.map((call) => ({
          name: call.name,
          arguments: safeArguments(call.arguments),
        })),
      },
      request.thinking,
      plan.finish.finishReason !== "length",
    );
    ctx.cache.insert([...prompt.ids, ...tokenize(output).ids]);
    ctx.metrics.promptTokens += promptTokens;
    ctx.metrics.generationTokens += plan.completionTokens;
    ctx.metrics.e2e.observe((performance.now() - arrivedAt) / 1000);
    ctx.metrics.finished(outcome === "error" ? "error" : plan.finish.finishReason);
  } finally {
    ctx.kv.tokensInUse -= held;
    release();
    res.off("close", onClose);
  }
}

function safeArguments(text: string): Record<string, unknown> | string {
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : text;
  } catch {
    return text;
  }
}

function finishAborted(ctx: ChatContext, arrivedAt: number): void {
  ctx.metrics.finished("abort");
  ctx.metrics.e2e.observe((performance.now() - arrivedAt) / 1000);
}

interface RunInput {
  ctx: ChatContext;
  request: ValidChatRequest;
  plan: CompletionPlan;
  identity: ResponseIdentity;
  usage: Parameters<typeof usageChunk>[1];
  firstAt: number;
  arrivedAt: number;
  signal: AbortSignal;
  res: http.ServerResponse;
  turn: NonNullable<ReturnType<SimState["nextTurn"]>>;
}

type Outcome = "done" | "aborted" | "error";

async function wholeAnswer({
  ctx,
  plan,
  identity,
  usage,
  firstAt,
  arrivedAt,
  signal,
  res,
}: RunInput): Promise<Outcome> {
  if (!(await sleepUntil(firstAt, signal))) return "aborted";
  ctx.metrics.ttft.observe((performance.now() - arrivedAt) / 1000);
  const decodeMs = plan.chunks.length * ctx.latency.itlMs;
  if (!(await sleepUntil(firstAt + decodeMs, signal))) return "aborted";
  sendJson(res, 200, completionBody(identity, plan, usage, ctx.reasoningField));
  return "done";
}

async function streamAnswer(run: RunInput): Promise<Outcome> {
  const { ctx, request, plan, identity, usage, firstAt, arrivedAt, signal, res, turn } = run;
  const options = {
    reasoningField: ctx.reasoningField,
    continuousPromptTokens: request.continuousUsage ? usage.promptTokens : undefined,
  };
  const role: PlannedChunk = { delta: { role: "assistant", content: "" }, completionTokens: 0, reasoningTokens: 0 };
  const chunks = [
    streamChunk(identity, role, options),
    ...plan.chunks.map((chunk) => streamChunk(identity, chunk, options)),
    streamChunk(identity, plan.finish, options),
  ];
  const pauses = new Map((turn.pauses ?? []).map((pause) => [pause.afterChunk, pause.ms]));
  let pausedMs = 0;
  let lastSentAt = 0;
  for (let i = 0; i < chunks.length; i += 1) {
    // The role chunk goes out with the first token, like vLLM's first engine output.
    const step = i === 0 ? 0 : i - 1;
    if (!(await sleepUntil(firstAt + step * ctx.latency.itlMs + pausedMs, signal))) return "aborted";
    if (turn.dropAfterChunks !== undefined && i === turn.dropAfterChunks) {
      res.destroy();
      return "aborted";
    }
    if (turn.streamErrorAfterChunks !== undefined && i === turn.streamErrorAfterChunks) {
      const error = turn.streamError ?? { message: "The simulator was told to fail this stream.", code: 500 };
      res.write(`data: ${JSON.stringify(streamErrorChunk(error))}\n\n`);
      res.end("data: [DONE]\n\n");
      return "error";
    }
    const now = performance.now();
    if (i === 0) ctx.metrics.ttft.observe((now - arrivedAt) / 1000);
    else if (i > 1) ctx.metrics.itl.observe((now - lastSentAt) / 1000);
    lastSentAt = now;
    res.write(`data: ${JSON.stringify(chunks[i])}\n\n`);
    pausedMs += pauses.get(i + 1) ?? 0;
  }
  if (request.includeUsage) res.write(`data: ${JSON.stringify(usageChunk(identity, usage))}\n\n`);
  res.end("data: [DONE]\n\n");
  return "done";
}
