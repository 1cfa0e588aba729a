import { describe, expect, it } from "vitest";
import { answerProblem } from "./answer-check.ts";

const sse = (payloads: unknown[]) =>
  payloads.map((payload) => `data: ${typeof payload === "string" ? payload : JSON.stringify(payload)}\n\n`).join("");

function openAiStream(texts: number, options: { finish?: boolean; done?: boolean } = {}): string {
  const chunks: unknown[] = [{ choices: [{ index: 0, delta: { role: "assistant", content: "" } }] }];
  for (let i = 0; i < texts; i++) chunks.push({ choices: [{ index: 0, delta: { content: ` w${i}` } }] });
  if (options.finish !== false) chunks.push({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] });
  chunks.push({ choices: [], usage: { total_tokens: 3 } });
  if (options.done !== false) chunks.push("[DONE]");
  return sse(chunks);
}

function anthropicStream(texts: number, last = "message_stop"): string {
  const events: unknown[] = [
    { type: "message_start", message: {} },
    { type: "content_block_start", index: 0 },
  ];
  for (let i = 0; i < texts; i++) {
    events.push({ type: "content_block_delta", index: 0, delta: { type: "text_delta", text: ` w${i}` } });
  }
  events.push({ type: "content_block_stop", index: 0 }, { type: "message_delta" }, { type: last });
  return events.map((event) => `event: ${(event as { type: string }).type}\n${sse([event])}`).join("");
}

describe("answerProblem", () => {
  it("accepts complete answers of each format", () => {
    expect(answerProblem(200, '{"choices":[{"message":{"content":"hi"}}]}', { format: "openai", stream: false })).toBe(
      undefined,
    );
    expect(answerProblem(200, '{"type":"message","content":[]}', { format: "anthropic", stream: false })).toBe(
      undefined,
    );
    expect(answerProblem(200, openAiStream(18), { format: "openai", stream: true, textChunks: 18 })).toBe(undefined);
    expect(answerProblem(200, anthropicStream(18), { format: "anthropic", stream: true, textChunks: 18 })).toBe(
      undefined,
    );
  });

  it("names what is wrong", () => {
    const json = { format: "openai", stream: false } as const;
    expect(answerProblem(502, "{}", json)).toBe("status 502");
    expect(answerProblem(200, "{not json", json)).toBe("bad JSON");
    expect(answerProblem(200, '{"type":"message","content":[]}', json)).toBe("not a chat completion");
    expect(answerProblem(200, '{"choices":[]}', { format: "anthropic", stream: false })).toBe(
      "not an Anthropic message",
    );
  });

  it("refuses streams that are cut, unterminated or short", () => {
    const openai = { format: "openai", stream: true, textChunks: 18 } as const;
    expect(answerProblem(200, openAiStream(18, { done: false }), openai)).toBe("stream not terminated by [DONE]");
    expect(answerProblem(200, openAiStream(18, { finish: false }), openai)).toBe("stream without finish_reason");
    expect(answerProblem(200, openAiStream(17), openai)).toBe("stream with 17 text chunks, not 18");
    expect(answerProblem(200, `${openAiStream(18).slice(0, 40)}\n\ndata: [DONE]\n\n`, openai)).toBe("bad JSON");

    const anthropic = { format: "anthropic", stream: true, textChunks: 18 } as const;
    expect(answerProblem(200, anthropicStream(18, "ping"), anthropic)).toBe("stream not closed by message_stop");
    expect(answerProblem(200, anthropicStream(3), anthropic)).toBe("stream with 3 text deltas, not 18");
    const withError = anthropicStream(18).replace('"type":"content_block_stop"', '"type":"error"');
    expect(answerProblem(200, withError, anthropic)).toBe("stream carries an error event");
  });
});
