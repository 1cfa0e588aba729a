import { randomBase32 } from "@perimeter/db";
import type { RouteHandler } from "../http/route.ts";
import { respondResponseJson, respondResponsesStream } from "../pipeline/respond-responses.ts";
import { type ResponsesRequest, responsesRequestSchema } from "../protocol/responses.ts";
import {
  type ResponsesTranslation,
  responsesChatRequest,
  translateResponsesRequest,
} from "../protocol/translate-responses-request.ts";
import type { ResponsesContext } from "../protocol/translate-responses-response.ts";
import type { GatewayServices } from "../services.ts";
import { openAIGenerationRoute } from "./openai-generation.ts";

interface Prepared {
  translation: ResponsesTranslation;
  maxTokens: number;
}

function responsesContext(request: ResponsesRequest, prepared: Prepared): ResponsesContext {
  return {
    responseId: `resp_${randomBase32(24)}`,
    createdAt: Math.floor(Date.now() / 1000),
    model: request.model,
    request,
    maxOutputTokens: prepared.maxTokens,
    namespaces: prepared.translation.namespaces,
    newId: (prefix) => `${prefix}_${randomBase32(24)}`,
  };
}

/**
 * `POST /v1/responses` (Codex CLI, the `openai` SDK's `responses.create`): translated to a vLLM chat
 * completion (`src/protocol/translate-responses-*`, pure) and back, through the same stages as
 * `/v1/messages`. Nothing is stored: every request carries its whole conversation, as with `store: false`.
 */
export function responsesRoute(services: GatewayServices): RouteHandler {
  return openAIGenerationRoute<ResponsesRequest, Prepared>(services, {
    endpoint: "responses",
    schema: responsesRequestSchema,
    maxTokens: (request) => request.max_output_tokens ?? undefined,
    prepare: (request, { model, policy, maxTokens }) => {
      const translated = translateResponsesRequest(request, {
        servedModel: model.servedName,
        serverTools: services.protocol.serverTools,
        thinkingPolicy: policy.thinking,
      });
      if (!translated.ok) return translated;
      const stream = request.stream === true;
      return {
        ok: true,
        prepared: {
          chat: responsesChatRequest(translated.translation, { maxTokens, stream }),
          stream,
          extra: { translation: translated.translation, maxTokens },
        },
      };
    },
    respond: (ctx, reply, request, prepared, options) => {
      const context = responsesContext(request, prepared.extra);
      return prepared.stream
        ? respondResponsesStream(ctx.res, reply, context, options)
        : respondResponseJson(ctx.res, reply, context, options.signal);
    },
  });
}
