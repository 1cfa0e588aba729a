import type http from "node:http";
import type { z } from "zod";
import { errorClassOfStatus, type OpenAIError, overflowCode, sendOpenAIError } from "../http/openai-error.ts";
import { readJsonBody } from "../http/read-json-body.ts";
import type { RequestContext, RouteHandler } from "../http/route.ts";
import { openAIRateLimitHeaders } from "../limits/openai-rate-limit-headers.ts";
import { admitPlanned, planAdmission } from "../pipeline/admit-request.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { clampMaxTokens } from "../pipeline/clamp-max-tokens.ts";
import { estimateInputTokens } from "../pipeline/estimate-input-tokens.ts";
import { abandonForward, type ForwardResult, forwardToUpstream } from "../pipeline/forward-to-upstream.ts";
import { generationRoute } from "../pipeline/generation-route.ts";
import { modelRefusal, type RequestPolicy, requestPolicy } from "../pipeline/principal-policy.ts";
import type { RequestOutcome } from "../pipeline/request-outcome.ts";
import type { RequestState } from "../pipeline/request-state.ts";
import { parseRequest } from "../protocol/anthropic.ts";
import type { ChatCompletionRequest, ChatMessage, ChatTool } from "../protocol/openai.ts";
import type { ModelRoute } from "../routing/model-router.ts";
import type { GatewayServices } from "../services.ts";
import type { UpstreamReply } from "../upstream.ts";

/**
 * The output cap when an OpenAI client sets none (OpenAI's APIs make it optional; vLLM would otherwise
 * allow the whole remaining window): what admission reserves and vLLM is sent, below the policy's cap and
 * the window.
 */
export const defaultMaxOutputTokens = 32_000;

/** What a route's translation hands to the shared stages. */
export interface PreparedGeneration<P> {
  /** The body sent to vLLM's chat completions. */
  chat: Record<string, unknown> & { model: string; max_tokens: number; messages: unknown[] };
  stream: boolean;
  /** Whatever the route's responder needs besides the reply. */
  extra: P;
}

export interface OpenAIGenerationSpec<R extends { model: string }, P> {
  /** The route label of metrics and logs, and the usage event's `endpoint`. */
  endpoint: "chat_completions" | "responses";
  schema: z.ZodType<R>;
  /** The client's output cap, if it set one. */
  maxTokens(request: R): number | undefined;
  /** The request → vLLM's chat request; a refusal names the field. */
  prepare(
    request: R,
    context: { model: ModelRoute; policy: RequestPolicy; maxTokens: number; services: GatewayServices },
  ): { ok: true; prepared: PreparedGeneration<P> } | { ok: false; message: string; param: string };
  /** Answers the client from vLLM's 200 reply. */
  respond(
    ctx: RequestContext,
    reply: UpstreamReply,
    request: R,
    prepared: PreparedGeneration<P>,
    options: { signal: AbortSignal; arrivedAt: number; keepAliveMs: number },
  ): Promise<RequestOutcome>;
}

function refuse(ctx: RequestContext, error: OpenAIError, headers?: Record<string, string>): RequestOutcome {
  const status = sendOpenAIError(ctx.res, error, headers);
  return { status, errorType: error.errorClass, errorMessage: error.message };
}

/** The session a request belongs to, for replica stickiness and the usage event: Codex's or Claude Code's id. */
function sessionOf(headers: http.IncomingHttpHeaders): string | undefined {
  const value = headers["x-claude-code-session-id"] ?? headers["session-id"];
  const text = Array.isArray(value) ? value[0] : value;
  return text ? text.slice(0, 256) : undefined;
}

/**
 * An OpenAI-API generation route (`/v1/chat/completions`, `/v1/responses`): the same stages as
 * `/v1/messages`, in the same order — authenticate, read and check the body, route the model, the key's
 * policy, translate (the route's `prepare`), admit, forward to vLLM, answer (the route's `respond`), then
 * settle and meter with the same usage event (its `endpoint` says which API) — with OpenAI's error shapes.
 */
export function openAIGenerationRoute<R extends { model: string }, P>(
  services: GatewayServices,
  spec: OpenAIGenerationSpec<R, P>,
): RouteHandler {
  return generationRoute(services, spec.endpoint, (ctx, state) => handle(services, spec, ctx, state), {
    endpoint: spec.endpoint,
  });
}

async function handle<R extends { model: string }, P>(
  services: GatewayServices,
  spec: OpenAIGenerationSpec<R, P>,
  ctx: RequestContext,
  state: RequestState,
): Promise<RequestOutcome> {
  const { req, res } = ctx;
  const abort = new AbortController();
  res.once("close", () => {
    if (!res.writableFinished) abort.abort();
  });
  const auth = await authenticate(services, req.headers);
  if (!auth.ok) return refuse(ctx, { errorClass: errorClassOfStatus(auth.status), message: auth.message });
  const principal = auth.principal;
  state.principal = principal;

  const body = await readJsonBody(req);
  if (!body.ok) {
    const error = { errorClass: errorClassOfStatus(body.status), message: body.message };
    return refuse(ctx, error, body.status === 413 ? { connection: "close" } : {});
  }
  const parsed = parseRequest(spec.schema, body.body);
  if (!parsed.ok) {
    return refuse(ctx, {
      errorClass: "invalid_request_error",
      message: parsed.message,
      param: parsed.message.split(":")[0],
    });
  }
  const request = parsed.request;
  state.requestedModel = request.model;
  const sessionId = sessionOf(req.headers);
  if (sessionId) state.sessionId = sessionId;

  const routed = services.router.resolve(principal.orgId, request.model, sessionId ?? null);
  if (!routed.ok) {
    if (routed.status === 404) {
      const message = `The model \`${request.model}\` does not exist or you do not have access to it.`;
      return refuse(ctx, { errorClass: "not_found_error", message, param: "model", code: "model_not_found" });
    }
    return refuse(ctx, { errorClass: "overloaded_error", message: routed.message });
  }
  const model = routed.route;
  state.publicModel = model.publicName;
  state.servedModel = model.servedName;
  const policy = requestPolicy(principal);
  const refusal = modelRefusal(principal, policy, model.publicName);
  if (refusal?.status === 404) {
    return refuse(ctx, {
      errorClass: "not_found_error",
      message: refusal.message,
      param: "model",
      code: "model_not_found",
    });
  }
  if (refusal) {
    return refuse(ctx, {
      errorClass: "permission_error",
      message: refusal.message,
      param: "model",
      code: "model_not_allowed",
    });
  }

  const maxTokens = await clampMaxTokens(model, policy, spec.maxTokens(request) ?? defaultMaxOutputTokens);
  const prepared = spec.prepare(request, { model, policy, maxTokens, services });
  if (!prepared.ok) {
    return refuse(ctx, { errorClass: "invalid_request_error", message: prepared.message, param: prepared.param });
  }
  const { chat, stream } = prepared.prepared;
  const serialized = JSON.stringify(chat);

  const planned = planAdmission(principal, { inputTokens: estimateInputTokens(serialized), outputTokens: maxTokens });
  // As on the Messages API: a request that will very likely be admitted goes to vLLM first and is admitted
  // during vLLM's start, and a refusal abandons it.
  const early = planned.likely ? forwardChat(services, model, chat, serialized, abort.signal) : undefined;
  const admission = await admitPlanned(services, state, principal, planned);
  if (early) services.metrics.earlyForward(admission.ok);
  const limitHeaders = { ...admission.headers, ...openAIRateLimitHeaders(admission.headers, Date.now()) };
  if (!admission.ok) {
    if (early) abandonForward(early, abort);
    const { denial } = admission;
    const error = { errorClass: denial.type, message: denial.message };
    return { ...refuse(ctx, error, { ...limitHeaders, ...denial.headers }), stream };
  }
  for (const [name, value] of Object.entries(limitHeaders)) res.setHeader(name, value);
  if (abort.signal.aborted) {
    if (early) abandonForward(early, abort);
    return { status: 499, clientAbort: true, stream };
  }

  const forwarded = await (early ?? forwardChat(services, model, chat, serialized, abort.signal));
  if (!forwarded.ok) {
    if (forwarded.aborted) return { status: 499, clientAbort: true, stream };
    const { failure } = forwarded;
    const code = overflowCode(failure.message);
    const error = { errorClass: failure.type, message: failure.message, ...(code ? { code, param: "input" } : {}) };
    return { ...refuse(ctx, error), stream };
  }
  state.release = forwarded.release;
  if (forwarded.target.replica) state.replica = forwarded.target.replica;
  const outcome = await spec.respond(ctx, forwarded.reply, request, prepared.prepared, {
    signal: abort.signal,
    arrivedAt: state.arrivedAt,
    keepAliveMs: services.protocol.keepAliveMs,
  });
  return { stream, ...outcome };
}

/** Sends a chat completion to `model`'s targets (`forwardToUpstream`); the prompt is `/tokenize`d only on an overflow. */
function forwardChat(
  services: GatewayServices,
  model: ModelRoute,
  chat: PreparedGeneration<unknown>["chat"],
  serialized: string,
  signal: AbortSignal,
): Promise<ForwardResult> {
  return forwardToUpstream(
    services.router,
    model.targets,
    chat as unknown as ChatCompletionRequest,
    serialized,
    () => ({
      model: chat.model,
      messages: chat.messages as ChatMessage[],
      ...(Array.isArray(chat.tools) ? { tools: chat.tools as ChatTool[] } : {}),
      chat_template_kwargs: { thinking: (chat.chat_template_kwargs as { thinking?: boolean })?.thinking === true },
      add_generation_prompt: true,
    }),
    signal,
  );
}
