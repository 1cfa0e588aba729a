import type http from "node:http";
import { sendJson } from "@perimeter/runtime";
import { sendAnthropicError } from "../http/anthropic-error.ts";
import { errorClassOfStatus, sendOpenAIError } from "../http/openai-error.ts";
import type { RouteHandler } from "../http/route.ts";
import { authenticate } from "../pipeline/authenticate.ts";
import { modelRefusal, requestPolicy } from "../pipeline/principal-policy.ts";
import type { ModelRouter } from "../routing/model-router.ts";
import type { GatewayServices } from "../services.ts";

/** One entry of Anthropic's model list (api/models/list). */
interface ModelInfo {
  type: "model";
  id: string;
  display_name: string;
  created_at: string;
  max_input_tokens: number;
}

/** One entry of OpenAI's model list (api-reference/models/object). */
interface OpenAIModel {
  id: string;
  object: "model";
  created: number;
  owned_by: string;
}

/**
 * Which API's shape a model list is asked in: OpenAI's under an `/openai/` prefix; else Anthropic's when the
 * request carries `anthropic-version` (Claude Code and the Anthropic SDKs always send it) or `x-api-key`
 * (Anthropic's key header); else OpenAI's, since OpenAI clients send only `Authorization: Bearer`.
 */
export function wantsOpenAIShape(path: string, headers: http.IncomingHttpHeaders): boolean {
  if (path.startsWith("/openai/")) return true;
  return headers["anthropic-version"] === undefined && headers["x-api-key"] === undefined;
}

/**
 * `GET /v1/models` and `GET /v1/models/{id}` in Anthropic's shape, listing the models the key's
 * organization serves (its deployments, and the static upstream) that its team may use. Claude Code
 * asks only with gateway model discovery on (CC-05), with a 3 s budget and no redirects: the answer comes
 * from memory. Never quota-blocked.
 */
export function modelsRoute(services: GatewayServices): RouteHandler {
  const createdAt = new Date().toISOString();
  const describe = async (model: ReturnType<ModelRouter["models"]>[number]): Promise<ModelInfo> => ({
    type: "model",
    id: model.publicName,
    display_name: model.publicName,
    created_at: createdAt,
    max_input_tokens: model.maxModelLen ?? (await model.upstream?.maxModelLen()) ?? 0,
  });
  const created = Math.floor(Date.now() / 1000);
  const describeOpenAI = (model: { publicName: string }): OpenAIModel => ({
    id: model.publicName,
    object: "model",
    created,
    owned_by: "perimeter",
  });
  return async ({ req, res, requestId }) => {
    const path = (req.url ?? "/").split("?", 1)[0] ?? "/";
    const openAI = wantsOpenAIShape(path, req.headers);
    const auth = await authenticate(services, req.headers);
    if (!auth.ok) {
      if (openAI)
        return void sendOpenAIError(res, { errorClass: errorClassOfStatus(auth.status), message: auth.message });
      return sendAnthropicError(res, auth.status, auth.message, requestId);
    }
    const policy = requestPolicy(auth.principal);
    const allowed = services.router
      .models(auth.principal.orgId)
      .filter((model) => !modelRefusal(auth.principal, policy, model.publicName));
    const id = decodeURIComponent(path.slice(path.lastIndexOf("/v1/models") + "/v1/models".length).replace(/^\//, ""));
    if (id) {
      const model = allowed.find((candidate) => candidate.publicName === id);
      if (openAI) {
        if (model) return sendJson(res, 200, describeOpenAI(model));
        const message = `The model \`${id}\` does not exist or you do not have access to it.`;
        return void sendOpenAIError(res, {
          errorClass: "not_found_error",
          message,
          param: "model",
          code: "model_not_found",
        });
      }
      if (!model) return sendAnthropicError(res, 404, `model: ${id}`, requestId);
      return sendJson(res, 200, await describe(model));
    }
    if (openAI) return sendJson(res, 200, { object: "list", data: allowed.map(describeOpenAI) });
    const data = await Promise.all(allowed.map(describe));
    sendJson(res, 200, { data, has_more: false, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null });
  };
}
