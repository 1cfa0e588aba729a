import { createHash } from "node:crypto";
import { renderToolCalls } from "./deepseek-v32-prompt.ts";
import { pythonJsonDumps } from "./python-json.ts";
import type { ParsedSimTurn, SimToolCall } from "./sim-script.ts";
import { countTokens, specialTokens, tokenPieces } from "./tokenizer.ts";
import type { ToolChoice } from "./validate-chat-request.ts";

// Turns a scripted (or default) answer into what vLLM would stream for it: one delta per generated token
// (or per `tokensPerChunk`), tool calls in the shape of vLLM's `deepseek_v32` tool parser, token counts
// as the engine would count them (the `</think>`, DSML markup and EOS tokens are generated but show up
// in no delta), and the finish rules of `chat_completion/serving.py`. Pure: no clock, no I/O.

export interface DeltaToolCall {
  id?: string;
  type?: "function";
  index: number;
  function?: { name?: string; arguments?: string };
}

/** A chunk's `delta`, fields in vLLM's `DeltaMessage` order. */
export interface Delta {
  role?: "assistant";
  content?: string;
  reasoning?: string;
  tool_calls?: DeltaToolCall[];
}

export interface PlannedChunk {
  delta: Delta;
  /** Tokens generated up to and including this chunk (vLLM's `completion_tokens` at that point). */
  completionTokens: number;
  reasoningTokens: number;
}

export interface PlannedToolCall {
  id: string;
  name: string;
  arguments: string;
}

export interface CompletionPlan {
  /** The deltas between the role chunk and the finish chunk. */
  chunks: PlannedChunk[];
  /** The finish chunk (its delta is `{"content": ""}`, or the last token's text on a `length` stop). */
  finish: PlannedChunk & { finishReason: string; stopReason: string | number | null };
  message: { content: string | null; reasoning: string | null; toolCalls: PlannedToolCall[] };
  completionTokens: number;
  reasoningTokens: number;
}

export interface PlanInput {
  turn: ParsedSimTurn;
  requestId: string;
  thinking: boolean;
  /** Whether the tool parser runs: tools were given and `tool_choice` is not `"none"`. */
  parseTools: boolean;
  toolChoice: ToolChoice;
  parallelToolCalls: boolean;
  stop: string[];
  /** Tokens the answer may use: `max_tokens`, or what is left of the context. */
  budget: number;
}

/** The default id of the `index`-th call of a request: `call_` and 24 hex digits, stable per request. */
export function toolCallId(requestId: string, index: number): string {
  return `call_${createHash("sha256").update(`${requestId}:${index}`).digest("hex").slice(0, 24)}`;
}

function argumentsText(call: SimToolCall): string {
  return typeof call.arguments === "string" ? call.arguments : pythonJsonDumps(call.arguments);
}

/** Where `text` is cut into argument fragments: the given offsets, else one fragment per token. */
function fragmentsOf(text: string, splitAt: number[] | undefined, tokensPerChunk: number): string[] {
  if (splitAt) {
    const cuts = [...new Set(splitAt.filter((offset) => offset > 0 && offset < text.length))].sort((a, b) => a - b);
    const bounds = [0, ...cuts, text.length];
    return bounds
      .slice(1)
      .map((end, i) => text.slice(bounds[i], end))
      .filter((part) => part !== "");
  }
  const pieces = tokenPieces(text);
  const fragments: string[] = [];
  for (let i = 0; i < pieces.length; i += tokensPerChunk) fragments.push(pieces.slice(i, i + tokensPerChunk).join(""));
  return fragments;
}

/** Stops generation at the first `stop` string in `content`: the text before it, and the match. */
function applyStop(content: string, stop: string[]): { text: string; matched: string | null } {
  let at = -1;
  let matched: string | null = null;
  for (const candidate of stop) {
    const position = candidate === "" ? -1 : content.indexOf(candidate);
    if (position !== -1 && (at === -1 || position < at)) {
      at = position;
      matched = candidate;
    }
  }
  return matched === null ? { text: content, matched } : { text: content.slice(0, at), matched };
}

/** One entry of a `tool_calls` delta, with the tokens it costs. */
interface ToolEntry {
  entry: DeltaToolCall;
  tokens: number;
  pieces?: string[];
}

/** Plans the whole answer to one request; see the module comment for the rules. */
export function planCompletion(input: PlanInput): CompletionPlan {
  const { turn, thinking, budget } = input;
  const perChunk = turn.tokensPerChunk ?? 1;
  const chunks: PlannedChunk[] = [];
  let used = 0;
  let reasoningUsed = 0;
  let pendingSilent = 0;
  let length = false;
  let reasoningText = "";
  let contentText = "";
  const completeCalls: PlannedToolCall[] = [];

  const push = (delta: Delta, tokens: number, reasoning = 0) => {
    used += tokens + pendingSilent;
    reasoningUsed += reasoning;
    pendingSilent = 0;
    chunks.push({ delta, completionTokens: used, reasoningTokens: reasoningUsed });
  };
  const room = () => budget - used - pendingSilent;
  /** Generated tokens that appear in no delta: counted on the next chunk, like vLLM's skipped steps. */
  const silent = (tokens: number): boolean => {
    if (room() < tokens) {
      pendingSilent += Math.max(0, room());
      length = true;
      return false;
    }
    pendingSilent += tokens;
    return true;
  };
  const emitText = (text: string, field: "reasoning" | "content") => {
    const pieces = tokenPieces(text);
    for (let i = 0; i < pieces.length && !length; i += perChunk) {
      let group = pieces.slice(i, i + perChunk);
      if (room() < group.length) {
        group = group.slice(0, Math.max(0, room()));
        length = true;
        if (group.length === 0) break;
      }
      const piece = group.join("");
      if (field === "reasoning") reasoningText += piece;
      else contentText += piece;
      push(
        field === "reasoning" ? { reasoning: piece } : { content: piece },
        group.length,
        field === "reasoning" ? group.length : 0,
      );
    }
  };

  if (thinking && turn.reasoning) emitText(turn.reasoning, "reasoning");
  if (thinking && !length) silent(1);

  let calls = turn.toolCalls ?? [];
  if (!input.parallelToolCalls) calls = calls.slice(0, 1);
  const parseTools = input.parseTools && calls.length > 0;
  let content = turn.content ?? "";
  // Without the tool parser (no tools, or tool_choice "none") the model's DSML text is plain content.
  if (!input.parseTools && calls.length > 0) content += renderToolCalls(calls);
  const stopped = applyStop(content, input.stop);
  if (!length) emitText(stopped.text, "content");
  let stopReason: string | number | null = null;
  if (!length && stopped.matched !== null) {
    silent(countTokens(stopped.matched));
    stopReason = stopped.matched;
  }

  if (parseTools && !length && stopped.matched === null) {
    const queues: ToolEntry[][] = calls.map((call, index) => {
      const id = call.id ?? toolCallId(input.requestId, index);
      const text = argumentsText(call);
      const fragments = fragmentsOf(text, call.splitAt, perChunk);
      const opening = `${index === 0 ? `\n\n<${specialTokens.dsml}function_calls>` : ""}\n<${specialTokens.dsml}invoke name="${call.name}">\n`;
      const first = call.argumentsInFirstChunk ? (fragments.shift() ?? "") : "";
      const header: ToolEntry = {
        entry: { id, type: "function", index, function: { name: call.name, arguments: first } },
        tokens: countTokens(opening) + countTokens(first),
      };
      const rest = fragments.map((fragment) => ({
        entry: { index, function: { arguments: fragment } },
        tokens: Math.max(1, countTokens(fragment)),
        pieces: tokenPieces(fragment),
      }));
      completeCalls.push({ id, name: call.name, arguments: text });
      return [header, ...rest];
    });
    const rounds: ToolEntry[][] = [];
    if (turn.interleaveToolCalls) {
      const longest = Math.max(...queues.map((queue) => queue.length));
      for (let k = 0; k < longest; k += 1) rounds.push(queues.flatMap((queue) => queue.slice(k, k + 1)));
    } else {
      for (const queue of queues) for (const entry of queue) rounds.push([entry]);
    }
    const emitted = queues.map(() => 0);
    for (const round of rounds) {
      const cost = round.reduce((sum, item) => sum + item.tokens, 0);
      if (room() < cost) {
        const last = round.at(-1);
        // A fragment that does not fit is cut at a token boundary, as generation stops mid-argument.
        if (round.length === 1 && last?.pieces && room() > 0) {
          const kept = last.pieces.slice(0, room());
          push({ tool_calls: [{ index: last.entry.index, function: { arguments: kept.join("") } }] }, kept.length);
        }
        length = true;
        break;
      }
      push({ tool_calls: round.map((item) => item.entry) }, cost);
      for (const item of round) emitted[item.entry.index] = (emitted[item.entry.index] ?? 0) + 1;
    }
    if (length) {
      // Only calls generated to the end are in the non-streamed message; a cut one never parses.
      const complete = completeCalls.filter((_, index) => emitted[index] === queues[index]?.length);
      completeCalls.splice(0, completeCalls.length, ...complete);
    } else
      silent(
        calls.length * countTokens(`\n</${specialTokens.dsml}invoke>`) +
          countTokens(`\n</${specialTokens.dsml}function_calls>`),
      );
  }
  if (!length && stopped.matched === null) silent(1); // EOS

  let finishReason: string;
  if (length) finishReason = "length";
  else if (parseTools && typeof input.toolChoice !== "object") finishReason = "tool_calls";
  else finishReason = "stop";
  finishReason = turn.finishReason ?? finishReason;
  if (turn.stopReason !== undefined) stopReason = turn.stopReason;

  // On a length stop the last generated token's delta carries the finish reason; otherwise a separate
  // chunk with an empty content delta does (the EOS or stop-string step, or the end of the tool calls).
  let finish: CompletionPlan["finish"];
  const lastChunk = chunks.at(-1);
  if (length && lastChunk && pendingSilent === 0) {
    chunks.pop();
    finish = { ...lastChunk, finishReason, stopReason };
  } else {
    used += pendingSilent;
    finish = {
      delta: { content: "" },
      completionTokens: used,
      reasoningTokens: reasoningUsed,
      finishReason,
      stopReason,
    };
  }
  const namedChoice = typeof input.toolChoice === "object";
  const hasCalls = parseTools && completeCalls.length > 0;
  return {
    chunks,
    finish,
    message: {
      content: contentText !== "" || !hasCalls || namedChoice ? contentText : null,
      reasoning: thinking ? reasoningText : null,
      toolCalls: parseTools ? completeCalls : [],
    },
    completionTokens: used,
    reasoningTokens: reasoningUsed,
  };
}
