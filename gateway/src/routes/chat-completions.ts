import type { RouteHandler } from "../http/route.ts";
import { relayChatCompletionJson, relayChatCompletionStream } from "../pipeline/relay-chat-completion.ts";
import {
  type ChatCompletionsRequest,
  chatCompletionsRequestSchema,
  chatThinking,
  requestedMaxTokens,
  toUpstreamChatRequest,
} from "../protocol/chat-completions.ts";
import type { GatewayServices } from "../services.ts";
import { openAIGenerationRoute } from "./openai-generation.ts";

/**
 * `POST /v1/chat/completions` (OpenCode, Cline, Aider, the `openai` SDK): vLLM's own API, passed through the
 * gateway's stages — the key, the team's model names and routing, its policy (allow-list, thinking,
 * `max_tokens` cap), limits and metering — with the model renamed both ways.
 */
export function chatCompletionsRoute(services: GatewayServices): RouteHandler {
  return openAIGenerationRoute<ChatCompletionsRequest, null>(services, {
    endpoint: "chat_completions",
    schema: chatCompletionsRequestSchema,
    maxTokens: requestedMaxTokens,
    prepare: (request, { model, policy, maxTokens }) => ({
      ok: true,
      prepared: {
        chat: toUpstreamChatRequest(request, {
          servedModel: model.servedName,
          maxTokens,
          thinking: chatThinking(request, policy.thinking),
        }) as ReturnType<typeof toUpstreamChatRequest> & { messages: unknown[] },
        stream: request.stream === true,
        extra: null,
      },
    }),
    respond: (ctx, reply, request, prepared, options) =>
      prepared.stream
        ? relayChatCompletionStream(ctx.res, reply, request, options)
        : relayChatCompletionJson(ctx.res, reply, request.model, options.signal),
  });
}
