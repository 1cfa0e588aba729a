/** vLLM's error envelope (`ErrorResponse` / `ErrorInfo` in vLLM's serve protocol), for every non-2xx JSON answer. */
export interface VllmErrorBody {
  error: { message: string; type: string; param: string | null; code: number };
}

/** A request the simulator answers with an error instead of a completion. */
export interface VllmError {
  status: number;
  body: VllmErrorBody;
}

const typeByStatus: Record<number, string> = {
  400: "BadRequestError",
  401: "Unauthorized",
  404: "NotFoundError",
  422: "UnprocessableEntityError",
  429: "Too Many Requests",
  500: "InternalServerError",
  501: "NotImplementedError",
  503: "Service Unavailable",
};

/**
 * An error in vLLM's envelope. The type defaults to what vLLM's `create_error_response` uses for the
 * status (`BadRequestError`, `NotFoundError`, `InternalServerError`, …).
 */
export function vllmError(status: number, message: string, type?: string, param: string | null = null): VllmError {
  const errorType = type ?? typeByStatus[status] ?? (status >= 500 ? "InternalServerError" : "BadRequestError");
  return { status, body: { error: { message, type: errorType, param, code: status } } };
}

/** A 400 for a request the simulator refuses, in the wording of vLLM's validation errors. */
export function badRequest(message: string, param: string | null = null): VllmError {
  return vllmError(400, message, "BadRequestError", param);
}

/**
 * vLLM's context-overflow 400 (renderer `TokenizeParams` check, 2026 wording). vLLM tokenizes at most
 * `maxModelLen - maxTokens + 1` prompt tokens before refusing, so the count it quotes is "at least"
 * that many, not the whole prompt; the simulator reproduces that.
 */
export function contextOverflowError(maxModelLen: number, maxTokens: number, promptTokens: number): VllmError {
  const quoted = Math.min(promptTokens, maxModelLen - maxTokens + 1);
  return badRequest(
    `This model's maximum context length is ${maxModelLen} tokens. However, you requested ${maxTokens} output ` +
      `tokens and your prompt contains at least ${quoted} input tokens, for a total of at least ${quoted + maxTokens} ` +
      "tokens. Please reduce the length of the input prompt or the number of requested output tokens. " +
      `(parameter=input_tokens, value=${quoted})`,
    "input_tokens",
  );
}
