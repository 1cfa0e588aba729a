import { servedModel } from "./claude-code-setup";

export type ConnectionTestResult =
  | {
      passed: true;
      status: number;
      latencyMs: number;
      model: string;
      text: string;
      stopReason: string | null;
      usage: { inputTokens: number; outputTokens: number } | null;
      requestId: string | null;
    }
  | { passed: false; status: number; latencyMs: number; errorType: string; message: string; requestId: string | null };

const prompt = "Reply with one short sentence confirming you can read this.";

interface AnthropicMessage {
  type?: unknown;
  model?: unknown;
  content?: unknown;
  stop_reason?: unknown;
  usage?: { input_tokens?: unknown; output_tokens?: unknown };
}

function textOf(content: unknown): string {
  if (!Array.isArray(content)) return "";
  return content
    .filter(
      (block): block is { type: "text"; text: string } => block?.type === "text" && typeof block.text === "string",
    )
    .map((block) => block.text)
    .join("");
}

/**
 * Sends one real, small, non-streaming `POST /v1/messages` (Anthropic Messages API, `x-api-key`,
 * `anthropic-version: 2023-06-01`) through the gateway at `gatewayUrl` and reports the answer and the
 * round-trip latency, or the Anthropic error envelope's type and message. Never throws: a refused
 * connection or a timeout is a failed test (`connection_error`, status 0).
 */
export async function testGatewayConnection(
  gatewayUrl: string,
  apiKey: string,
  options: { timeoutMs?: number } = {},
): Promise<ConnectionTestResult> {
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let response: Response;
  try {
    response = await fetch(`${gatewayUrl}/v1/messages`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "x-api-key": apiKey,
        "anthropic-version": "2023-06-01",
        "user-agent": "perimeter-dashboard/connection-test",
      },
      body: JSON.stringify({ model: servedModel, max_tokens: 64, messages: [{ role: "user", content: prompt }] }),
      signal: AbortSignal.timeout(options.timeoutMs ?? 60_000),
    });
  } catch (error) {
    const timedOut = error instanceof DOMException && error.name === "TimeoutError";
    return {
      passed: false,
      status: 0,
      latencyMs: elapsed(),
      errorType: "connection_error",
      message: timedOut
        ? "the gateway did not answer in time"
        : `could not reach the gateway at ${gatewayUrl}: ${error instanceof Error ? error.message : String(error)}`,
      requestId: null,
    };
  }
  const requestId = response.headers.get("request-id");
  const raw = await response.text();
  const latencyMs = elapsed();
  let body: unknown = null;
  try {
    body = JSON.parse(raw);
  } catch {
    // Not JSON: reported below with the start of what came back.
  }
  if (response.ok && (body as AnthropicMessage | null)?.type === "message") {
    const message = body as AnthropicMessage;
    const usage = message.usage;
    return {
      passed: true,
      status: response.status,
      latencyMs,
      model: typeof message.model === "string" ? message.model : servedModel,
      text: textOf(message.content),
      stopReason: typeof message.stop_reason === "string" ? message.stop_reason : null,
      usage:
        typeof usage?.input_tokens === "number" && typeof usage.output_tokens === "number"
          ? { inputTokens: usage.input_tokens, outputTokens: usage.output_tokens }
          : null,
      requestId,
    };
  }
  const error = (body as { error?: { type?: unknown; message?: unknown } } | null)?.error;
  return {
    passed: false,
    status: response.status,
    latencyMs,
    errorType: typeof error?.type === "string" ? error.type : response.ok ? "malformed_response" : "http_error",
    message:
      typeof error?.message === "string"
        ? error.message
        : `unexpected ${response.status} answer: ${raw.slice(0, 200) || "(empty body)"}`,
    requestId,
  };
}
