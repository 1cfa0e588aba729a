import { z } from "zod";

// Behaviour scripts: what the next chat completions answer. JSON-serialisable, so the same shapes
// travel over `/sim/*`, in `--script` files and through `startVllmSim` in tests.

const toolCallSchema = z.strictObject({
  name: z.string().min(1),
  /** An object is serialised as vLLM's DeepSeek parser writes it; a string is sent verbatim. */
  arguments: z.union([z.record(z.string(), z.unknown()), z.string()]).default({}),
  id: z.string().min(1).optional(),
  /** Character offsets at which the arguments string is cut into fragments. */
  splitAt: z.array(z.number().int().nonnegative()).optional(),
  /** True: the first fragment already carries the first piece of the arguments. */
  argumentsInFirstChunk: z.boolean().optional(),
});

const errorSchema = z.strictObject({
  status: z.number().int().min(400).max(599),
  message: z.string(),
  type: z.string().optional(),
});

export const simTurnSchema = z.strictObject({
  reasoning: z.string().optional(),
  content: z.string().optional(),
  toolCalls: z.array(toolCallSchema).optional(),
  interleaveToolCalls: z.boolean().optional(),
  finishReason: z.string().optional(),
  stopReason: z.union([z.string(), z.number(), z.null()]).optional(),
  error: errorSchema.optional(),
  streamErrorAfterChunks: z.number().int().nonnegative().optional(),
  streamError: z
    .strictObject({ message: z.string(), type: z.string().optional(), code: z.number().int().optional() })
    .optional(),
  dropAfterChunks: z.number().int().nonnegative().optional(),
  delayFirstChunkMs: z.number().nonnegative().optional(),
  pauses: z
    .array(z.strictObject({ afterChunk: z.number().int().nonnegative(), ms: z.number().nonnegative() }))
    .optional(),
  tokensPerChunk: z.number().int().positive().optional(),
});

const whenSchema = z.strictObject({
  model: z.string().optional(),
  lastRole: z.enum(["user", "tool", "assistant"]).optional(),
  lastTextIncludes: z.string().optional(),
  /** A regular expression tested against every message's text; its captures fill `{{1}}`, `{{2}}`. */
  anyTextMatches: z
    .string()
    .refine((source) => {
      try {
        new RegExp(source);
        return true;
      } catch {
        return false;
      }
    }, "must be a valid regular expression")
    .optional(),
  hasTools: z.boolean().optional(),
  /** `"auto"`, `"none"`, `"required"` or the name of a forced function. */
  toolChoice: z.string().optional(),
  thinking: z.boolean().optional(),
});

export const simRuleSchema = z.strictObject({
  when: whenSchema.default({}),
  turn: simTurnSchema,
  times: z.number().int().positive().optional(),
});

export const simScriptSchema = z.strictObject({
  rules: z.array(simRuleSchema).default([]),
  turns: z.array(simTurnSchema).default([]),
});

export type SimTurn = z.input<typeof simTurnSchema>;
export type SimToolCall = z.output<typeof toolCallSchema>;
export type ParsedSimTurn = z.output<typeof simTurnSchema>;
export type SimRule = z.input<typeof simRuleSchema>;
export type ParsedSimRule = z.output<typeof simRuleSchema>;
export type SimScript = z.input<typeof simScriptSchema>;

/** What a rule can look at in a request, extracted once per request. */
export interface RuleFacts {
  model: string;
  lastRole: string;
  lastText: string;
  texts: string[];
  hasTools: boolean;
  /** `"auto"`, `"none"`, `"required"` or the forced function's name. */
  toolChoice: string;
  thinking: boolean;
}

/** The captures of the first text `pattern` matches, or undefined when none matches. */
function firstCaptures(pattern: string, texts: string[]): string[] | undefined {
  const regex = new RegExp(pattern);
  for (const text of texts) {
    const match = regex.exec(text);
    if (match) return match.slice(1).map((group) => group ?? "");
  }
  return undefined;
}

/**
 * Whether `rule` applies to a request with `facts`; on a match, the captures of `anyTextMatches`
 * (empty when it has none). Every condition given must hold.
 */
export function matchRule(rule: ParsedSimRule, facts: RuleFacts): string[] | undefined {
  const { when } = rule;
  if (when.model !== undefined && when.model !== facts.model) return undefined;
  if (when.lastRole !== undefined && when.lastRole !== facts.lastRole) return undefined;
  if (when.lastTextIncludes !== undefined && !facts.lastText.includes(when.lastTextIncludes)) return undefined;
  if (when.hasTools !== undefined && when.hasTools !== facts.hasTools) return undefined;
  if (when.toolChoice !== undefined && when.toolChoice !== facts.toolChoice) return undefined;
  if (when.thinking !== undefined && when.thinking !== facts.thinking) return undefined;
  if (when.anyTextMatches === undefined) return [];
  return firstCaptures(when.anyTextMatches, facts.texts);
}

function fill(text: string, captures: string[]): string {
  return text.replace(/\{\{(\d+)\}\}/g, (whole, index: string) => captures[Number(index) - 1] ?? whole);
}

function fillValue(value: unknown, captures: string[]): unknown {
  if (typeof value === "string") return fill(value, captures);
  if (Array.isArray(value)) return value.map((item) => fillValue(item, captures));
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, fillValue(item, captures)]));
  }
  return value;
}

/** `turn` with `{{1}}`, `{{2}}`, … in its reasoning, content and tool calls replaced by `captures`. */
export function fillTurn(turn: ParsedSimTurn, captures: string[]): ParsedSimTurn {
  if (captures.length === 0) return turn;
  return {
    ...turn,
    reasoning: turn.reasoning === undefined ? undefined : fill(turn.reasoning, captures),
    content: turn.content === undefined ? undefined : fill(turn.content, captures),
    toolCalls: turn.toolCalls?.map((call) => ({
      ...call,
      name: fill(call.name, captures),
      arguments: fillValue(call.arguments, captures) as SimToolCall["arguments"],
    })),
  };
}
