import { randomBase32 } from "@perimeter/db";
import { sendJson } from "@perimeter/runtime";
import { type AnthropicErrorStatus, sendAnthropicError } from "../http/anthropic-error.ts";
import { readJsonBody } from "../http/read-json-body.ts";
import type { RequestContext, RouteHandler } from "../http/route.ts";
import { SseResponse } from "../http/sse-response.ts";
import { admitPlanned, planAdmission } from "../pipeline/admit-request.ts";
import { applyVisionPolicy, planVision } from "../pipeline/apply-vision-policy.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { clampMaxTokens } from "../pipeline/clamp-max-tokens.ts";
import { estimateInputTokens } from "../pipeline/estimate-input-tokens.ts";
import { abandonForward, type ForwardResult, forwardToUpstream } from "../pipeline/forward-to-upstream.ts";
import { generationRoute } from "../pipeline/generation-route.ts";
import { modelRefusal, type RequestPolicy, requestPolicy } from "../pipeline/principal-policy.ts";
import type { RequestOutcome } from "../pipeline/request-outcome.ts";
import type { RequestState } from "../pipeline/request-state.ts";
import { readCompletion, respondJson } from "../pipeline/respond-json.ts";
import { respondStream } from "../pipeline/respond-stream.ts";
import {
  type AnthropicMessage,
  type MessagesRequest,
  messagesRequestSchema,
  parseRequest,
} from "../protocol/anthropic.ts";
import { toChatCompletionRequest, toTokenizeRequest, translatePrompt } from "../protocol/translate-request.ts";
import type { ResponseContext } from "../protocol/translate-response.ts";
import type { ModelRoute } from "../routing/model-router.ts";
import type { GatewayServices } from "../services.ts";
import type { UpstreamReply } from "../upstream.ts";

/** A refusal before the upstream is involved, answered and logged the same way everywhere. */
function refuse(
  ctx: RequestContext,
  status: AnthropicErrorStatus,
  message: string,
  headers?: Record<string, string>,
): RequestOutcome {
  sendAnthropicError(ctx.res, status, message, ctx.requestId, headers);
  return { status, errorMessage: message };
}

/**
 * `POST /v1/messages`: the gateway's request path, stage by stage — authenticate the key, read and check
 * the body, resolve the model and the key's policy, translate, admit against the limits, send to vLLM, and
 * answer as JSON or as an SSE stream; then settle the reservation and meter the request. Each stage is its
 * own module; this file only puts them in order.
 */
export function messagesRoute(services: GatewayServices): RouteHandler {
  return generationRoute(services, "messages", (ctx, state) => handle(services, ctx, state));
}

async function handle(services: GatewayServices, ctx: RequestContext, state: RequestState): Promise<RequestOutcome> {
  const { req, res, requestId } = ctx;
  // The client going away aborts the upstream request at once, whatever stage it is in (listened to from
  // the start, so a client gone during admission is not missed).
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  // The key first: an unknown caller never gets to upload 32 MB.
  const auth = await authenticate(services, req.headers);
  if (!auth.ok) return refuse(ctx, auth.status, auth.message);
  const principal = auth.principal;
  state.principal = principal;

  const body = await readJsonBody(req);
  if (!body.ok) return refuse(ctx, body.status, body.message, body.status === 413 ? { connection: "close" } : {});
  const parsed = parseRequest(messagesRequestSchema, body.body);
  if (!parsed.ok) return refuse(ctx, 400, parsed.message);
  let request = parsed.request;
  state.requestedModel = request.model;

  const sessionId = req.headers["x-claude-code-session-id"];
  const routed = services.router.resolve(
    principal.orgId,
    request.model,
    typeof sessionId === "string" ? sessionId : null,
  );
  if (!routed.ok) return refuse(ctx, routed.status, routed.message);
  let model = routed.route;
  state.publicModel = model.publicName;
  state.servedModel = model.servedName;
  const policy = requestPolicy(principal);
  const refusal = modelRefusal(principal, policy, model.publicName);
  if (refusal) return refuse(ctx, refusal.status, refusal.message);
  // Images for a text-only model: the team's vision policy rejects them here, before anything is counted;
  // describing or rerouting them waits until the request is admitted (below).
  const vision = planVision(principal, request, model);
  if (vision.kind === "reject") return refuse(ctx, 400, vision.message);

  const first = await prepareUpstream(services, request, model, policy, "placeholder");
  if (!first.ok) return refuse(ctx, 400, first.message);
  let prepared: Prepared = first;
  const stream = request.stream === true;

  const planned = planAdmission(principal, {
    inputTokens: estimateInputTokens(first.serialized),
    outputTokens: first.maxTokens,
  });
  // A request that will very likely be admitted goes to vLLM first and is admitted during vLLM's start;
  // nothing reaches the client before the admission has answered, and a refusal abandons it. Images to
  // describe first wait.
  const early: Promise<ForwardResult> | undefined =
    planned.likely && vision.kind !== "apply" ? forwardPrepared(services, first, model, abort.signal) : undefined;
  const admission = await admitPlanned(services, state, principal, planned);
  if (early) services.metrics.earlyForward(admission.ok);
  if (!admission.ok) {
    if (early) abandonForward(early, abort);
    const { denial } = admission;
    sendAnthropicError(
      res,
      denial.status,
      denial.message,
      requestId,
      { ...admission.headers, ...denial.headers },
      denial.type,
    );
    return { status: denial.status, errorType: denial.type, errorMessage: denial.message, stream };
  }
  if (vision.kind === "apply") {
    // Admitted on the estimate with placeholders; the vision calls' tokens and the descriptions' are
    // counted when the request settles. A failure here is settled as nothing used.
    const applied = await applyVisionPolicy(services, state, principal, vision, {
      request,
      model,
      headers: req.headers,
      sessionId: typeof sessionId === "string" ? sessionId : null,
      signal: abort.signal,
    });
    if (!applied.ok) {
      if (applied.aborted) return { status: 499, clientAbort: true, stream };
      return { ...refuse(ctx, applied.status, applied.message, admission.headers), stream };
    }
    ({ request, model } = applied);
    prepared = await prepareUpstream(services, request, model, policy, applied.images);
    if (!prepared.ok) return { ...refuse(ctx, 400, prepared.message, admission.headers), stream };
  }
  const ready = prepared;
  for (const [name, value] of Object.entries(admission.headers)) res.setHeader(name, value);
  if (abort.signal.aborted) {
    if (early) abandonForward(early, abort);
    return { status: 499, clientAbort: true, stream };
  }

  const forwarded = await (early ?? forwardPrepared(services, ready, model, abort.signal));
  const context = {
    messageId: `msg_${randomBase32(24)}`,
    model: request.model,
    requestId,
    stopSequences: request.stop_sequences,
  };
  if (forwarded.ok) {
    state.release = forwarded.release;
    if (forwarded.target.replica) state.replica = forwarded.target.replica;
  }
  if (!forwarded.ok) {
    if (forwarded.aborted) return { status: 499, clientAbort: true, stream };
    const { failure } = forwarded;
    sendAnthropicError(res, failure.status, failure.message, requestId);
    return { status: failure.status, errorType: failure.type, errorMessage: failure.message, stream };
  }
  if (ready.prewarm) return { stream, ...(await answerPrewarm(ctx, forwarded.reply, context, stream, abort.signal)) };
  if (!stream) return { stream, ...(await respondJson(res, forwarded.reply, context, abort.signal)) };
  return {
    stream,
    ...(await respondStream(res, forwarded.reply, context, {
      keepAliveMs: services.protocol.keepAliveMs,
      arrivedAt: state.arrivedAt,
      signal: abort.signal,
    })),
  };
}

/** Sends a prepared request to `model`'s targets (`forwardToUpstream`). */
function forwardPrepared(
  services: GatewayServices,
  ready: Extract<Prepared, { ok: true }>,
  model: ModelRoute,
  signal: AbortSignal,
): Promise<ForwardResult> {
  return forwardToUpstream(
    services.router,
    model.targets,
    ready.chat,
    ready.serialized,
    () => toTokenizeRequest(ready.translated.prompt),
    signal,
  );
}

type Prepared =
  | { ok: false; message: string }
  | {
      ok: true;
      translated: Extract<ReturnType<typeof translatePrompt>, { ok: true }>;
      chat: ReturnType<typeof toChatCompletionRequest>;
      serialized: string;
      maxTokens: number;
      prewarm: boolean;
    };

/** The request as vLLM will get it: translated for `model`, `max_tokens` within the policy and the context. */
async function prepareUpstream(
  services: GatewayServices,
  request: MessagesRequest,
  model: ModelRoute,
  policy: RequestPolicy,
  images: "placeholder" | "inline",
): Promise<Prepared> {
  const translated = translatePrompt(request, {
    ...services.protocol,
    images,
    servedModel: model.servedName,
    thinkingPolicy: policy.thinking,
  });
  if (!translated.ok) return { ok: false, message: translated.message };
  // `max_tokens: 0` only warms the prefix cache: one token is generated upstream and none returned.
  const prewarm = request.max_tokens === 0;
  const maxTokens = prewarm ? 1 : await clampMaxTokens(model, policy, request.max_tokens);
  const chat = toChatCompletionRequest(translated.prompt, request, {
    maxTokens,
    stream: request.stream === true && !prewarm,
  });
  return { ok: true, translated, chat, serialized: JSON.stringify(chat), maxTokens, prewarm };
}

/**
 * Anthropic's cache pre-warm (`max_tokens: 0`): vLLM processed the prompt (and generated one token, which
 * is dropped); the answer has no content, `max_tokens` as its stop reason and the prompt's usage.
 */
async function answerPrewarm(
  ctx: RequestContext,
  reply: UpstreamReply,
  context: ResponseContext,
  stream: boolean,
  signal: AbortSignal,
): Promise<RequestOutcome> {
  const read = await readCompletion(reply, context, signal);
  if (!read.ok) {
    if (read.aborted) return { status: 499, clientAbort: true };
    return { ...refuse(ctx, 500, read.message), errorType: "api_error" };
  }
  const usage = { ...read.message.usage, output_tokens: 0 };
  const message: AnthropicMessage = {
    ...read.message,
    content: [],
    stop_reason: "max_tokens",
    stop_sequence: null,
    usage,
  };
  if (!stream) sendJson(ctx.res, 200, message);
  else {
    const sse = new SseResponse(ctx.res, { keepAliveMs: 15_000, progress: { started: true } });
    await sse.send([
      { type: "message_start", message: { ...message, content: [], stop_reason: null } },
      { type: "message_delta", delta: { stop_reason: "max_tokens", stop_sequence: null }, usage },
      { type: "message_stop" },
    ]);
    sse.end();
  }
  return { status: 200, usage, stopReason: "max_tokens" };
}
