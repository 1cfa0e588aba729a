import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import type { StreamEvent } from "./anthropic.ts";
import { SseDecoder } from "./sse-decoder.ts";
import { encodeEvent } from "./sse-encoder.ts";
import { StreamTranslator } from "./stream-translator.ts";
import { foldChunks } from "./testing/fold-chunks.ts";
import { randomCuts } from "./testing/random-cuts.ts";
import { checkStreamGrammar } from "./testing/stream-grammar.ts";
import { translateCompletion } from "./translate-response.ts";

const fixtures = path.join(import.meta.dirname, "fixtures", "streams");
const ctx = { messageId: "msg_test", model: "umans-coder-v0", stopSequences: ["END"] };
const cases = readdirSync(fixtures)
  .filter((file) => file.endsWith(".upstream.sse"))
  .map((file) => file.replace(/\.upstream\.sse$/, ""));
const upstream = (name: string) => readFileSync(path.join(fixtures, `${name}.upstream.sse`), "utf8");

/** Runs an upstream SSE text through the decoder and the translator, cut into `pieces`, as the route does. */
function translate(pieces: string[]): StreamEvent[] {
  const decoder = new SseDecoder();
  const translator = new StreamTranslator(ctx);
  const events: StreamEvent[] = [];
  for (const piece of pieces) for (const data of decoder.push(piece)) events.push(...translator.pushData(data));
  for (const data of decoder.flush()) events.push(...translator.pushData(data));
  events.push(...translator.end());
  return events;
}

describe("StreamTranslator: golden transcripts", () => {
  it.each(cases)("%s", async (name) => {
    const events = translate([upstream(name)]);
    checkStreamGrammar(events);
    await expect(events.map(encodeEvent).join("")).toMatchFileSnapshot(path.join(fixtures, `${name}.anthropic.sse`));
  });
});

describe("StreamTranslator: invariants over every fixture", () => {
  it.each(cases)("%s: the same events however the upstream bytes are cut", (name) => {
    const text = upstream(name);
    const whole = translate([text]);
    for (const pieces of randomCuts(text, name.length, 20)) expect(translate(pieces)).toEqual(whole);
  });

  it.each(cases)("%s: the stream accumulates to the non-stream answer", (name) => {
    const text = upstream(name);
    const streamed = checkStreamGrammar(translate([text]));
    if (streamed.error) return; // a failed stream has no complete answer to compare
    const completion = translateCompletion(foldChunks(text), ctx);
    if (!completion.ok) throw new Error(completion.message);
    expect(streamed.message).toEqual(completion.message);
  });
});

describe("StreamTranslator: protocol rules", () => {
  it("reports usage: prompt size first, then the split into input and cache reads (T-10)", () => {
    const events = translate([upstream("reasoning-then-tool-call")]);
    const start = events[0];
    const end = events.find((event) => event.type === "message_delta");
    expect(start?.type === "message_start" && start.message.usage.input_tokens).toBe(1200);
    expect(end?.type === "message_delta" && end.usage).toEqual({
      input_tokens: 176,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 1024,
      output_tokens: 5,
    });
  });

  it("ends a cut stream with one error event and no closing events, after the completed text", () => {
    const events = translate([upstream("cut-after-completed-text")]);
    expect(events.map((event) => event.type)).toEqual([
      "message_start",
      "content_block_start",
      "content_block_delta",
      "content_block_delta",
      "error",
    ]);
    expect(events.at(-1)).toEqual({
      type: "error",
      error: { type: "api_error", message: "upstream stream ended before the answer was complete" },
    });
  });

  it("sends nothing after a failure, whatever still arrives", () => {
    const translator = new StreamTranslator(ctx);
    translator.pushData('{"choices":[{"delta":{"content":"a"}}]}');
    expect(translator.fail({ type: "overloaded_error", message: "gone" })).toHaveLength(1);
    expect(translator.pushData('{"choices":[{"delta":{"content":"b"}}]}')).toEqual([]);
    expect(translator.end()).toEqual([]);
    expect(translator.summary).toEqual({
      usage: { input_tokens: 0, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 0 },
      reasoningTokens: 0,
      stopReason: null,
      error: { type: "overloaded_error", message: "gone" },
    });
  });

  it("treats a payload that is not JSON as an upstream fault", () => {
    const translator = new StreamTranslator(ctx);
    expect(translator.pushData("not json")).toEqual([
      { type: "error", error: { type: "api_error", message: "upstream sent a stream chunk that is not JSON" } },
    ]);
  });

  it("reports vLLM's abort finish as an error, not as a complete answer", () => {
    const translator = new StreamTranslator(ctx);
    const events = translator.pushData('{"choices":[{"delta":{"content":"a"},"finish_reason":"abort"}]}');
    expect(events.at(-1)).toMatchObject({ type: "error", error: { type: "api_error" } });
    expect(translator.finished).toBe(true);
  });

  it("knows when message_start is out, for the choice between a ping and a comment", () => {
    const translator = new StreamTranslator(ctx);
    expect(translator.started).toBe(false);
    translator.pushData('{"choices":[{"delta":{"role":"assistant","content":""}}]}');
    expect(translator.started).toBe(true);
  });

  it("has not started when it failed before message_start, so the caller can still answer with JSON", () => {
    const translator = new StreamTranslator(ctx);
    translator.end();
    expect([translator.started, translator.finished]).toEqual([false, true]);
  });
});

describe("StreamTranslator: random upstream sequences keep the grammar", () => {
  it("holds for 2000 generated streams of reasoning, text and tool fragments", () => {
    let seed = 7;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const pieces = ['{"a":', "1", ',"b":"x', 'y"', "}", "", "[", "ls"];
    for (let run = 0; run < 2000; run++) {
      const translator = new StreamTranslator(ctx);
      const events: StreamEvent[] = [];
      const steps = random(12);
      const calls = random(4);
      for (let step = 0; step < steps; step++) {
        const kind = random(4);
        const delta =
          kind === 0
            ? { reasoning: random(3) ? "think" : "" }
            : kind === 1
              ? { content: random(3) ? "text" : "" }
              : {
                  tool_calls: [
                    {
                      index: random(calls + 1),
                      ...(random(2) ? { id: `call_${random(1000)}`, function: { name: "T", arguments: "" } } : {}),
                      function: { ...(random(3) ? {} : { name: "T" }), arguments: pieces[random(pieces.length)] },
                    },
                  ],
                };
        events.push(...translator.push({ choices: [{ delta }], usage: { prompt_tokens: 5, completion_tokens: step } }));
      }
      const finish = ["stop", "length", "tool_calls", null][random(4)];
      if (finish) events.push(...translator.push({ choices: [{ delta: {}, finish_reason: finish }] }));
      events.push(...translator.end());
      checkStreamGrammar(events);
    }
  });
});
