import { sendJson } from "@perimeter/runtime";
import { type AnthropicErrorStatus, sendAnthropicError } from "../http/anthropic-error.ts";
import { readJsonBody } from "../http/read-json-body.ts";
import type { RequestContext, RouteHandler } from "../http/route.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { countPromptTokens } from "../pipeline/count-prompt-tokens.ts";
import { requestPolicy } from "../pipeline/principal-policy.ts";
import { countTokensRequestSchema, parseRequest } from "../protocol/anthropic.ts";
import type { TokenizeChatRequest } from "../protocol/openai.ts";
import { toTokenizeRequest, translatePrompt } from "../protocol/translate-request.ts";
import type { RouteTarget } from "../routing/model-router.ts";
import type { GatewayServices } from "../services.ts";

/** How long a count may wait for vLLM before the local estimate answers instead. */
const tokenizeTimeoutMs = 10_000;

/** A rough count for when vLLM cannot answer: about four characters per token, rounded up. */
export function estimateTokens(request: TokenizeChatRequest): number {
  return Math.ceil(JSON.stringify([request.messages, request.tools ?? []]).length / 4);
}

/**
 * `POST /v1/messages/count_tokens`: `{"input_tokens": N}` where N is what vLLM's `/tokenize` counts for the
 * very prompt a generation would send — same translation, tools, thinking flag and generation prompt — so
 * it equals that generation's `prompt_tokens` (UP-10, T-20). Never quota-blocked or metered. When
 * vLLM cannot count, a local estimate answers, marked by `x-perimeter-token-count: estimate`.
 */
export function countTokensRoute(services: GatewayServices): RouteHandler {
  const refuse = (ctx: RequestContext, status: AnthropicErrorStatus, message: string) => {
    sendAnthropicError(ctx.res, status, message, ctx.requestId, status === 413 ? { connection: "close" } : {});
  };
  return async (ctx) => {
    const body = await readJsonBody(ctx.req);
    if (!body.ok) return refuse(ctx, body.status, body.message);
    const parsed = parseRequest(countTokensRequestSchema, body.body);
    if (!parsed.ok) return refuse(ctx, 400, parsed.message);
    const auth = await authenticate(services, ctx.req.headers);
    if (!auth.ok) return refuse(ctx, auth.status, auth.message);
    const routed = services.router.resolve(auth.principal.orgId, parsed.request.model);
    if (!routed.ok) return refuse(ctx, routed.status, routed.message);
    const model = routed.route;
    const policy = requestPolicy(auth.principal);
    const translated = translatePrompt(parsed.request, {
      ...services.protocol,
      servedModel: model.servedName,
      thinkingPolicy: policy.thinking,
    });
    if (!translated.ok) return refuse(ctx, 400, translated.message);

    const tokenize = toTokenizeRequest(translated.prompt);
    const upstream = (model.targets[0] as RouteTarget).upstream;
    const counted = await countPromptTokens(upstream, tokenize, AbortSignal.timeout(tokenizeTimeoutMs));
    if (counted !== undefined) return sendJson(ctx.res, 200, { input_tokens: counted });
    services.log.warn("count_tokens fell back to an estimate: vLLM /tokenize did not answer", {
      requestId: ctx.requestId,
    });
    const payload = JSON.stringify({ input_tokens: estimateTokens(tokenize) });
    ctx.res
      .writeHead(200, {
        "content-type": "application/json",
        "content-length": Buffer.byteLength(payload),
        "x-perimeter-token-count": "estimate",
      })
      .end(payload);
  };
}
