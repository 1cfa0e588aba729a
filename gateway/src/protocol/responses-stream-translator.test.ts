import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { accumulateResponse } from "openai/lib/responses/ResponseAccumulator";
import type { ResponseStreamEvent } from "openai/resources/responses/responses";
import { describe, expect, it } from "vitest";
import type { ResponsesStreamEvent } from "./responses.ts";
import { ResponsesStreamTranslator } from "./responses-stream-translator.ts";
import { SseDecoder } from "./sse-decoder.ts";
import { foldChunks } from "./testing/fold-chunks.ts";
import { randomCuts } from "./testing/random-cuts.ts";
import { checkResponsesStreamGrammar } from "./testing/responses-stream-grammar.ts";
import { type ResponsesContext, translateCompletionToResponse } from "./translate-responses-response.ts";

// The upstream transcripts are the Anthropic translator's (`fixtures/streams`): the same vLLM streams,
// answered here as the Responses API's events.
const upstreamDir = path.join(import.meta.dirname, "fixtures", "streams");
const outputDir = path.join(import.meta.dirname, "fixtures", "responses-streams");
const cases = readdirSync(upstreamDir)
  .filter((file) => file.endsWith(".upstream.sse"))
  .map((file) => file.replace(/\.upstream\.sse$/, ""));
const upstream = (name: string) => readFileSync(path.join(upstreamDir, `${name}.upstream.sse`), "utf8");

/** A context with counting ids, so two runs name their items alike. */
function context(namespaces: Record<string, string> = {}): ResponsesContext {
  const counts = new Map<string, number>();
  return {
    responseId: "resp_test",
    createdAt: 1_767_225_600,
    model: "umans-coder-v0",
    request: { model: "umans-coder-v0", input: "hi", instructions: "Be brief." },
    maxOutputTokens: 1024,
    namespaces,
    newId: (prefix) => {
      const next = (counts.get(prefix) ?? 0) + 1;
      counts.set(prefix, next);
      return `${prefix}_${next}`;
    },
  };
}

/** Runs an upstream SSE text through the decoder and the translator, cut into `pieces`, as the route does. */
function translate(pieces: string[], ctx = context()): ResponsesStreamEvent[] {
  const decoder = new SseDecoder();
  const translator = new ResponsesStreamTranslator(ctx);
  const events: ResponsesStreamEvent[] = [];
  for (const piece of pieces) for (const data of decoder.push(piece)) events.push(...translator.pushData(data));
  for (const data of decoder.flush()) events.push(...translator.pushData(data));
  events.push(...translator.end());
  return events;
}

const encode = (events: ResponsesStreamEvent[]) =>
  events.map((event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`).join("");

describe("ResponsesStreamTranslator: golden transcripts", () => {
  it.each(cases)("%s", async (name) => {
    const events = translate([upstream(name)]);
    checkResponsesStreamGrammar(events);
    await expect(encode(events)).toMatchFileSnapshot(path.join(outputDir, `${name}.responses.sse`));
  });
});

describe("ResponsesStreamTranslator: invariants over every fixture", () => {
  it.each(cases)("%s: the same events however the upstream bytes are cut", (name) => {
    const text = upstream(name);
    const whole = translate([text]);
    for (const pieces of randomCuts(text, name.length, 10)) expect(translate(pieces)).toEqual(whole);
  });

  it.each(cases)("%s: the openai SDK's accumulator ends with the non-streamed Response", (name) => {
    const text = upstream(name);
    const events = translate([text]);
    const final = checkResponsesStreamGrammar(events);
    if (final.status === "failed") return; // a failed stream has no complete answer to compare
    let snapshot: ReturnType<typeof accumulateResponse> | undefined;
    for (const event of events.slice(0, -1))
      snapshot = accumulateResponse(event as unknown as ResponseStreamEvent, snapshot);
    const whole = translateCompletionToResponse(foldChunks(text), context());
    if (!whole.ok) throw new Error(whole.message);
    // The items as the deltas built them equal the non-streamed answer's, and so does the final event.
    expect(JSON.parse(JSON.stringify(snapshot?.output))).toEqual(whole.response.output);
    expect(final).toEqual(whole.response);
  });
});

describe("ResponsesStreamTranslator: protocol rules", () => {
  it("reports usage in the Responses shape: the whole prompt, its cached part, reasoning tokens", () => {
    const events = translate([upstream("reasoning-then-tool-call")]);
    expect(events.at(-1)).toMatchObject({
      type: "response.completed",
      response: {
        status: "completed",
        usage: {
          input_tokens: 1200,
          input_tokens_details: { cached_tokens: 1024 },
          output_tokens: 5,
          total_tokens: 1205,
        },
      },
    });
  });

  it("ends a max_tokens stream with response.incomplete and incomplete_details", () => {
    const events = translate([upstream("max-tokens")]);
    expect(events.at(-1)).toMatchObject({
      type: "response.incomplete",
      response: { status: "incomplete", incomplete_details: { reason: "max_output_tokens" } },
    });
  });

  it("ends a cut stream with response.failed carrying what was generated", () => {
    const events = translate([upstream("cut-after-completed-text")]);
    const last = events.at(-1) as ResponsesStreamEvent & { response: { output: unknown[]; error: unknown } };
    expect(last.type).toBe("response.failed");
    expect(last.response.error).toEqual({
      code: "server_error",
      message: "the model server's stream ended before the answer was complete",
    });
    expect(last.response.output).toHaveLength(1);
  });

  it("fails before any item when nothing came, so the caller can still answer with a JSON error", () => {
    const translator = new ResponsesStreamTranslator(context());
    const events = translator.end();
    expect(events.map((event) => event.type)).toEqual(["response.created", "response.in_progress", "response.failed"]);
    expect(translator.finished).toBe(true);
    expect(translator.summary.error?.code).toBe("server_error");
  });

  it("sends nothing after the terminal event, whatever still arrives", () => {
    const translator = new ResponsesStreamTranslator(context());
    translator.pushData('{"choices":[{"delta":{"content":"a"},"finish_reason":"stop"}]}');
    expect(translator.pushData("[DONE]").at(-1)?.type).toBe("response.completed");
    expect(translator.pushData('{"choices":[{"delta":{"content":"b"}}]}')).toEqual([]);
    expect(translator.end()).toEqual([]);
  });

  it("turns vLLM's in-stream error into response.failed", () => {
    const events = translate([upstream("error-chunk-after-text")]);
    expect(events.at(-1)).toMatchObject({ type: "response.failed", response: { status: "failed" } });
  });

  it("tags a call of a namespace tool with its namespace, and makes up a call_id vLLM left out", () => {
    const translator = new ResponsesStreamTranslator(context({ spawn_agent: "multi_agent_v1" }));
    translator.pushData(
      '{"choices":[{"delta":{"tool_calls":[{"index":0,"function":{"name":"spawn_agent","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}',
    );
    const done = translator.pushData("[DONE]").find((event) => event.type === "response.output_item.done");
    expect(done?.item).toEqual({
      type: "function_call",
      id: "fc_1",
      call_id: "call_1",
      name: "spawn_agent",
      namespace: "multi_agent_v1",
      arguments: "{}",
      status: "completed",
    });
  });
});

describe("ResponsesStreamTranslator: random upstream sequences keep the grammar", () => {
  it("holds for 2000 generated streams of reasoning, text and tool fragments", () => {
    let seed = 11;
    const random = (n: number) => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    const pieces = ['{"a":', "1", ',"b":"x', 'y"', "}", ""];
    for (let run = 0; run < 2000; run++) {
      const translator = new ResponsesStreamTranslator(context());
      const events: ResponsesStreamEvent[] = [];
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
                      ...(random(2) ? { id: `call_${random(1000)}` } : {}),
                      function: { name: "T", arguments: pieces[random(pieces.length)] },
                    },
                  ],
                };
        events.push(...translator.pushData(JSON.stringify({ choices: [{ delta }], usage: { prompt_tokens: 5 } })));
      }
      const finish = ["stop", "length", "tool_calls", null][random(4)];
      if (finish)
        events.push(...translator.pushData(JSON.stringify({ choices: [{ delta: {}, finish_reason: finish }] })));
      if (random(2)) events.push(...translator.pushData("[DONE]"));
      events.push(...translator.end());
      checkResponsesStreamGrammar(events);
    }
  });
});
