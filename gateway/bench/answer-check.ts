// Whether a target's answer is a correct one, so a fast wrong answer never counts as throughput. Pure.

export type AnswerFormat = "openai" | "anthropic";

export interface AnswerExpectation {
  format: AnswerFormat;
  stream: boolean;
  /** Streams: the text chunks (OpenAI content deltas, Anthropic `text_delta`s) a complete answer carries. */
  textChunks?: number;
}

/** The `data:` payloads of an SSE body, in order. */
function ssePayloads(body: string): string[] {
  const payloads: string[] = [];
  for (const line of body.split("\n")) {
    if (line.startsWith("data:")) payloads.push(line.slice(line.charAt(5) === " " ? 6 : 5).trimEnd());
  }
  return payloads;
}

function checkOpenAiStream(body: string, textChunks: number | undefined): string | undefined {
  const payloads = ssePayloads(body);
  if (payloads.at(-1) !== "[DONE]") return "stream not terminated by [DONE]";
  let texts = 0;
  let finished = false;
  for (const payload of payloads.slice(0, -1)) {
    const chunk = JSON.parse(payload) as {
      choices?: { delta?: { content?: string }; finish_reason?: string | null }[];
    };
    if (!Array.isArray(chunk.choices)) return "chunk without choices";
    for (const choice of chunk.choices) {
      if (choice.delta?.content) texts++;
      if (choice.finish_reason) finished = true;
    }
  }
  if (!finished) return "stream without finish_reason";
  if (textChunks !== undefined && texts !== textChunks) return `stream with ${texts} text chunks, not ${textChunks}`;
  return undefined;
}

function checkAnthropicStream(body: string, textChunks: number | undefined): string | undefined {
  const events = ssePayloads(body).map(
    (payload) => JSON.parse(payload) as { type?: string; delta?: { type?: string } },
  );
  if (events[0]?.type !== "message_start") return "stream not opened by message_start";
  if (events.at(-1)?.type !== "message_stop") return "stream not closed by message_stop";
  if (events.some((event) => event.type === "error")) return "stream carries an error event";
  const texts = events.filter((event) => event.type === "content_block_delta" && event.delta?.type === "text_delta");
  if (textChunks !== undefined && texts.length !== textChunks) {
    return `stream with ${texts.length} text deltas, not ${textChunks}`;
  }
  return undefined;
}

function checkJson(body: string, format: AnswerFormat): string | undefined {
  const parsed = JSON.parse(body) as { type?: string; content?: unknown; choices?: { message?: unknown }[] };
  if (format === "anthropic") {
    return parsed.type === "message" && Array.isArray(parsed.content) ? undefined : "not an Anthropic message";
  }
  return parsed.choices?.[0]?.message ? undefined : "not a chat completion";
}

/**
 * Why an answer is wrong (`status 502`, `bad JSON`, `stream with 3 text chunks, not 18`, …), or undefined
 * when it is a complete, well-formed answer of the expected format: status 200, a body that parses, and
 * for streams every event parsing, the right terminator and the expected number of text chunks.
 */
export function answerProblem(status: number, body: string, expect: AnswerExpectation): string | undefined {
  if (status !== 200) return `status ${status}`;
  try {
    if (!expect.stream) return checkJson(body, expect.format);
    return expect.format === "openai"
      ? checkOpenAiStream(body, expect.textChunks)
      : checkAnthropicStream(body, expect.textChunks);
  } catch {
    return "bad JSON";
  }
}
