import type { ChatContext } from "./chat-completion.ts";
import { renderDeepseekV32Prompt } from "./deepseek-v32-prompt.ts";
import { imageTokens } from "./image-input.ts";
import { specialTokens, tokenize } from "./tokenizer.ts";
import { validateMessagesAndTools } from "./validate-chat-request.ts";
import { badRequest, type VllmError, vllmError } from "./vllm-error.ts";

/** vLLM's `TokenizeResponse` (`vllm/entrypoints/serve/tokenize/protocol.py`). */
export interface TokenizeResponse {
  count: number;
  max_model_len: number;
  tokens: number[];
  token_strs: string[] | null;
}

/**
 * Answers `POST /tokenize`. The chat form renders exactly what a chat completion with the same messages,
 * tools and `chat_template_kwargs` would, so `count` equals that completion's `prompt_tokens`
 * (`add_generation_prompt` is ignored, as the deepseek_v32 tokenizer mode ignores it). The prompt form
 * tokenizes the text, with BOS first unless `add_special_tokens` is false.
 */
export function handleTokenize(
  ctx: ChatContext,
  body: unknown,
): { ok: true; body: TokenizeResponse } | { ok: false; error: VllmError } {
  if (typeof body !== "object" || body === null || Array.isArray(body)) {
    return { ok: false, error: badRequest("the body must be a JSON object with `prompt` or `messages`") };
  }
  const request = body as Record<string, unknown>;
  const model = typeof request.model === "string" ? request.model : ctx.model;
  if (model !== ctx.model)
    return { ok: false, error: vllmError(404, `The model \`${model}\` does not exist.`, "NotFoundError") };
  let text: string;
  let extra = 0;
  if (typeof request.prompt === "string") {
    text = request.add_special_tokens === false ? request.prompt : `${specialTokens.bos}${request.prompt}`;
  } else if (Array.isArray(request.messages)) {
    const checked = validateMessagesAndTools(request, ctx.reasoningField, ctx.vision);
    if (!checked.ok) return checked;
    text = renderDeepseekV32Prompt(checked);
    extra = checked.images.reduce((sum, image) => sum + imageTokens(image), 0);
  } else {
    return { ok: false, error: badRequest("the body must have `prompt` (a string) or `messages` (a list)") };
  }
  const { ids, pieces } = tokenize(text);
  return {
    ok: true,
    body: {
      count: ids.length + extra,
      max_model_len: ctx.maxModelLen,
      tokens: ids,
      token_strs: request.return_token_strs === true ? pieces : null,
    },
  };
}
