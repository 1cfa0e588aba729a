import type { StreamEvent } from "../protocol/anthropic.ts";
import { parseAnthropicSse } from "../protocol/testing/stream-grammar.ts";

/** `POST {url}{path}` with a JSON body and the headers Claude Code sends; `token` goes in `x-api-key`. */
export function post(
  url: string,
  path: string,
  body: unknown,
  options: { token?: string; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Promise<Response> {
  return fetch(`${url}${path}`, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      ...(options.token ? { "x-api-key": options.token } : {}),
      ...options.headers,
    },
    body: typeof body === "string" ? body : JSON.stringify(body),
    ...(options.signal ? { signal: options.signal } : {}),
  });
}

/** The events of a streamed answer, keep-alive comments left out. */
export async function readEvents(res: Response): Promise<StreamEvent[]> {
  return parseAnthropicSse(await res.text());
}

/** A minimal Messages request: one user turn. */
export function userTurn(text: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: "umans-coder-v0", max_tokens: 1024, messages: [{ role: "user", content: text }], ...extra };
}
