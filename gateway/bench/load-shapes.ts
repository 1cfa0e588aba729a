// The load shapes of the benchmark (issue 5, `shared/reference/performance.md`) and the request each target
// gets for them. The gateway gets an Anthropic Messages body; every other target gets the OpenAI chat body
// the gateway itself would send vLLM for it (translated by the gateway's own pure protocol code), so the
// simulator does identical work behind every target. Pure.

import type { SimRule } from "@perimeter/vllm-sim";
import { messagesRequestSchema, parseRequest } from "../src/protocol/anthropic.ts";
import { toChatCompletionRequest, translatePrompt } from "../src/protocol/translate-request.ts";
import { claudeCodeFirstTurnBody, claudeCodeHeaders } from "./claude-code-body.ts";

export const shapeNames = ["c1", "small", "large", "stream", "ttfb"] as const;
export type ShapeName = (typeof shapeNames)[number];

export interface LoadShape {
  name: ShapeName;
  title: string;
  connections: number;
  stream: boolean;
  /** Whether the table reports time to first body byte (streams whose chunks are spaced out). */
  ttfb: boolean;
  /** What the gateway gets. */
  anthropicBody: Record<string, unknown>;
  /** Headers every target gets besides content-type (and the gateway's key). */
  headers: Record<string, string>;
  /** Text chunks a complete streamed answer carries (the 20 chunks are role + these + finish). */
  textChunks?: number;
}

/** The model name clients use (the gateway's default `GATEWAY_MODEL`) and the simulator serves. */
export const publicModel = "umans-coder-v0";
export const servedModel = "umans-coder";

/** 18 one-token words: with the role chunk and the finish chunk, a stream of exactly 20 chunks. */
const streamWords = "one two three four five six seven eight nine ten alpha beta gamma delta omega kappa sigma theta";
const streamTextChunks = 18;
const chunkGapMs = 5;

// The simulator answers the stream shapes from these rules (matched on a marker in the prompt); the
// non-stream shapes get its default reply.
export const simRules: SimRule[] = [
  { when: { lastTextIncludes: "[bench:stream]" }, turn: { content: streamWords } },
  {
    when: { lastTextIncludes: "[bench:ttfb]" },
    turn: {
      content: streamWords,
      // A pause after every chunk but the last: each chunk leaves `chunkGapMs` after the previous one.
      pauses: Array.from({ length: streamTextChunks + 1 }, (_, i) => ({ afterChunk: i + 1, ms: chunkGapMs })),
    },
  },
];

function smallBody(text: string, stream: boolean): Record<string, unknown> {
  return { model: publicModel, max_tokens: 256, stream, messages: [{ role: "user", content: text }] };
}

/** Every load shape, in the order the benchmark runs them. */
export function loadShapes(): LoadShape[] {
  const plain = { accept: "application/json", "anthropic-version": "2023-06-01" };
  return [
    {
      name: "c1",
      title: "non-stream, small body, 1 connection (pure added latency)",
      connections: 1,
      stream: false,
      ttfb: false,
      anthropicBody: smallBody("Say hello in one short sentence.", false),
      headers: plain,
    },
    {
      name: "small",
      title: "non-stream, small body, 50 connections",
      connections: 50,
      stream: false,
      ttfb: false,
      anthropicBody: smallBody("Say hello in one short sentence.", false),
      headers: plain,
    },
    {
      name: "large",
      title: "non-stream, Claude Code first turn (~70 KB), 50 connections",
      connections: 50,
      stream: false,
      ttfb: false,
      anthropicBody: claudeCodeFirstTurnBody(publicModel, false),
      headers: claudeCodeHeaders(),
    },
    {
      name: "stream",
      title: "stream of 20 chunks, no gaps, 50 connections (latency = whole stream)",
      connections: 50,
      stream: true,
      ttfb: false,
      anthropicBody: smallBody("Count for me. [bench:stream]", true),
      headers: { ...plain, accept: "text/event-stream" },
      textChunks: streamTextChunks,
    },
    {
      name: "ttfb",
      title: `stream of 20 chunks ${chunkGapMs} ms apart, 10 connections (time to first body byte)`,
      connections: 10,
      stream: true,
      ttfb: true,
      anthropicBody: smallBody("Count for me slowly. [bench:ttfb]", true),
      headers: { ...plain, accept: "text/event-stream" },
      textChunks: streamTextChunks,
    },
  ];
}

/**
 * The OpenAI chat body the gateway sends vLLM for `anthropicBody`, with its default protocol settings and
 * a context window of `maxModelLen`, exactly as `routes/messages.ts` builds it. Throws on a body the
 * gateway would refuse, since a shape that is refused measures nothing.
 */
export function openAiBodyFor(anthropicBody: Record<string, unknown>, maxModelLen: number): Record<string, unknown> {
  const parsed = parseRequest(messagesRequestSchema, anthropicBody);
  if (!parsed.ok) throw new Error(`bench body refused by the gateway's schema: ${parsed.message}`);
  const request = parsed.request;
  const translated = translatePrompt(request, {
    stripBillingHeader: true,
    systemMessages: "reminder",
    serverTools: "reject",
    servedModel,
    thinkingPolicy: "client",
  });
  if (!translated.ok) throw new Error(`bench body refused by the gateway's translation: ${translated.message}`);
  const maxTokens = Math.min(request.max_tokens, maxModelLen - 1);
  const chat = toChatCompletionRequest(translated.prompt, request, { maxTokens, stream: request.stream === true });
  return chat as unknown as Record<string, unknown>;
}
