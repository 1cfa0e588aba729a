import type { PromptMessage, PromptTool, PromptToolCall } from "./deepseek-v32-prompt.ts";
import { readImagePart, type SimImage } from "./image-input.ts";
import { badRequest, type VllmError, vllmError } from "./vllm-error.ts";

// Request checks in vLLM's order: body shape (pydantic, `chat_completion/protocol.py`), served model
// (`_check_model`, 404), tool-choice support (`serving.py`), then what the DeepSeek V3.2 encoder needs
// (`deepseek_v32_encoding.py`). Where vLLM itself would render a garbled prompt or hit an encoder
// assert, the simulator refuses with a 400 naming the message; each such rule is listed in the README.

export type ReasoningField = "reasoning" | "reasoning_content";
export type ToolChoice = "none" | "auto" | "required" | { name: string };

export interface ChatRequestOptions {
  servedModel: string;
  enableAutoToolChoice: boolean;
  reasoningField: ReasoningField;
  /** Serve a vision model: user messages may carry `image_url` parts (data URLs). */
  vision?: boolean;
}

/** What the simulator noticed about reasoning sent back on assistant messages, for tests to inspect. */
export interface ReasoningNote {
  messageIndex: number;
  /** The reasoning the server read from the field in use, or null. */
  used: string | null;
  /** The other field (`reasoning_content` when `reasoning` is in use, and vice versa), which is ignored. */
  ignored: string | null;
}

export interface ValidChatRequest {
  model: string;
  messages: PromptMessage[];
  /** The `function` members of the request's tools, as the encoder renders them. */
  tools: PromptTool[];
  toolChoice: ToolChoice;
  thinking: boolean;
  stream: boolean;
  includeUsage: boolean;
  continuousUsage: boolean;
  /** `max_completion_tokens`, else `max_tokens`; undefined when neither is given. */
  maxTokens: number | undefined;
  maxTokensParam: "max_tokens" | "max_completion_tokens";
  stop: string[];
  parallelToolCalls: boolean;
  reasoningNotes: ReasoningNote[];
  /** The images of user messages, in order (vision mode only). */
  images: SimImage[];
}

export type ChatRequestResult = { ok: true; request: ValidChatRequest } | { ok: false; error: VllmError };

type Json = Record<string, unknown>;

const isObject = (value: unknown): value is Json =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** A pydantic-style body error, as vLLM's `validation_exception_handler` words it. */
function fieldError(loc: string[], msg: string, kind: string): VllmError {
  const shownLoc = ["body", ...loc].map((part) => (/^\d+$/.test(part) ? part : `'${part}'`)).join(", ");
  return vllmError(
    400,
    `1 validation error:\n  {'type': '${kind}', 'loc': (${shownLoc}), 'msg': '${msg}'}`,
    "Bad Request",
    ["body", ...loc].join("."),
  );
}

class Refusal extends Error {
  constructor(readonly error: VllmError) {
    super(error.body.error.message);
  }
}

const refuse = (message: string, param: string | null = null): never => {
  throw new Refusal(badRequest(message, param));
};

const textOnly = "umans-coder serves a text-only model; image_url content parts cannot be used";

/** The string a content value stands for, given which forms `role` accepts; images go to `images`. */
function flattenContent(
  content: unknown,
  where: string,
  role: string,
  partsAllowed: boolean,
  images: SimImage[] | null,
): string | null {
  if (content === undefined || content === null) return null;
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) {
    throw new Refusal(fieldError([...where.split("."), "content"], "Input should be a valid string", "string_type"));
  }
  const texts: string[] = [];
  content.forEach((part, index) => {
    const type = isObject(part) ? part.type : undefined;
    if (type === "image_url") {
      if (images === null || role !== "user") refuse(`${where}.content[${index}]: ${textOnly}`, `${where}.content`);
      const read = readImagePart(part as Json, `${where}.content[${index}]`);
      if (!read.ok) throw new Refusal(read.error);
      (images as SimImage[]).push(read.image);
      return;
    }
    if (!partsAllowed) {
      refuse(
        `${where}.content must be a string for a ${role} message: the DeepSeek V3.2 encoder writes it into the ` +
          "prompt as is (only system, developer and user messages accept an array of text parts)",
        `${where}.content`,
      );
    }
    if (type !== "text" || !isObject(part) || typeof part.text !== "string") {
      refuse(
        `${where}.content[${index}]: content part type '${String(type)}' is not supported; ` +
          `${role} content is a string or an array of {"type": "text", "text": "..."} parts`,
        `${where}.content`,
      );
    }
    texts.push((part as { text: string }).text);
  });
  // vLLM's "string" content format (which the deepseek_v32 renderer forces) joins text parts with "\n".
  return texts.join("\n");
}

function parseToolCalls(raw: unknown, where: string): PromptToolCall[] {
  if (!Array.isArray(raw))
    throw new Refusal(fieldError([...where.split("."), "tool_calls"], "Input should be a valid list", "list_type"));
  const calls: PromptToolCall[] = [];
  raw.forEach((call, index) => {
    const at = `${where}.tool_calls[${index}]`;
    const fn = isObject(call) ? call.function : undefined;
    if (!isObject(call) || typeof call.id !== "string" || !isObject(fn) || typeof fn.name !== "string") {
      refuse(`${at} must be {"id": "...", "type": "function", "function": {"name": "...", "arguments": "..."}}`, at);
    }
    const args = (fn as Json).arguments;
    if (typeof args !== "string") refuse(`${at}.function.arguments must be a JSON string`, `${at}.function.arguments`);
    let parsed: unknown;
    try {
      parsed = JSON.parse(args as string);
    } catch {
      refuse(
        `${at}.function.arguments is not valid JSON (${JSON.stringify((args as string).slice(0, 80))}); ` +
          "vLLM parses the arguments of every tool call in the history",
        `${at}.function.arguments`,
      );
    }
    if (!isObject(parsed)) {
      refuse(
        `${at}.function.arguments must be a JSON object; the DeepSeek V3.2 encoder writes each key as a DSML parameter`,
        `${at}.function.arguments`,
      );
    }
    calls.push({ name: (fn as Json).name as string, arguments: parsed as Record<string, unknown> });
  });
  return calls;
}

const roles = new Set(["system", "developer", "user", "assistant", "tool"]);

function parseMessages(
  raw: unknown[],
  reasoningField: ReasoningField,
  thinking: boolean,
  vision: boolean,
): { messages: PromptMessage[]; notes: ReasoningNote[]; images: SimImage[] } {
  const images: SimImage[] = [];
  if (raw.length === 0) refuse("`messages` must contain at least one message", "messages");
  const messages: PromptMessage[] = [];
  const notes: ReasoningNote[] = [];
  const callIds: string[][] = [];
  const otherField = reasoningField === "reasoning" ? "reasoning_content" : "reasoning";
  raw.forEach((message, index) => {
    const where = `messages[${index}]`;
    if (!isObject(message) || typeof message.role !== "string" || !roles.has(message.role)) {
      throw new Refusal(
        fieldError(
          ["messages", String(index), "role"],
          "Input should be 'system', 'developer', 'user', 'assistant' or 'tool'",
          "literal_error",
        ),
      );
    }
    const role = message.role as PromptMessage["role"];
    const partsAllowed = role === "system" || role === "developer" || role === "user";
    const content = flattenContent(message.content, where, role, partsAllowed, vision ? images : null);
    const parsed: PromptMessage = { role, content };
    callIds.push([]);
    if (role === "user" || role === "developer" || role === "tool") {
      if (content === null) refuse(`${where} (${role}) has no content`, `${where}.content`);
    }
    if (role === "tool" && typeof message.tool_call_id !== "string") {
      refuse(`${where} (tool) needs a tool_call_id`, `${where}.tool_call_id`);
    }
    if (role === "assistant") {
      const used = message[reasoningField];
      const ignored = message[otherField];
      if (typeof used === "string" || typeof ignored === "string") {
        notes.push({
          messageIndex: index,
          used: typeof used === "string" ? used : null,
          ignored: typeof ignored === "string" ? ignored : null,
        });
      }
      if (typeof used === "string") parsed.reasoning = used;
      if (message.tool_calls !== undefined && message.tool_calls !== null) {
        const calls = parseToolCalls(message.tool_calls, where);
        if (calls.length > 0) {
          parsed.toolCalls = calls;
          callIds[index] = (message.tool_calls as Json[]).map((call) => call.id as string);
        }
      }
    }
    messages.push(parsed);
  });
  // In thinking mode the encoder's own assert is checked first: its message is the more specific one
  // for a conversation that ends with a plain assistant turn.
  if (thinking) checkThinkingTurns(messages);
  checkSequence(raw as Json[], messages, callIds);
  return { messages, notes, images };
}

// The encoder renders positionally, so an out-of-place message does not fail: it produces a prompt the
// model was never trained on. These checks refuse those conversations instead.
function checkSequence(raw: Json[], messages: PromptMessage[], callIds: string[][]): void {
  let pending: { assistant: number; ids: string[]; next: number } | undefined;
  const closePending = (before: string) => {
    if (pending && pending.next < pending.ids.length) {
      refuse(
        `messages[${pending.assistant}] (assistant) has ${pending.ids.length} tool_calls but only ${pending.next} tool ` +
          `messages follow it before ${before}; the DeepSeek V3.2 encoder needs exactly one tool result per call, in order`,
        "messages",
      );
    }
    pending = undefined;
  };
  messages.forEach((message, index) => {
    const previous = messages[index - 1];
    if (message.role === "system" && index > 0) {
      refuse(
        `messages[${index}] is a system message; only the first message may be a system message (the DeepSeek ` +
          "V3.2 encoder would write it into the middle of the conversation without any marker)",
        `messages[${index}].role`,
      );
    }
    const userLike = (role: string | undefined) => role === "user" || role === "developer";
    if (
      previous &&
      ((userLike(message.role) && userLike(previous.role)) ||
        (message.role === "assistant" && previous.role === "assistant"))
    ) {
      refuse(
        `messages[${index - 1}] and messages[${index}] are both ${message.role} messages; merge consecutive messages ` +
          "of the same role (the DeepSeek V3.2 encoder would render two separate turns)",
        "messages",
      );
    }
    if (message.role === "tool") {
      const id = raw[index]?.tool_call_id as string;
      if (!pending) {
        refuse(
          `messages[${index}] is a tool message that does not follow an assistant message with tool_calls`,
          `messages[${index}]`,
        );
      }
      const current = pending as { assistant: number; ids: string[]; next: number };
      const expected = current.ids[current.next];
      if (expected === undefined) {
        refuse(
          `messages[${index}] is tool result number ${current.next + 1} for messages[${current.assistant}], which made only ` +
            `${current.ids.length} tool_calls`,
          `messages[${index}]`,
        );
      }
      if (id !== expected) {
        refuse(
          `messages[${index}].tool_call_id is ${JSON.stringify(id)} but the next tool result expected is for ` +
            `${JSON.stringify(expected)} (messages[${current.assistant}].tool_calls[${current.next}]); the DeepSeek V3.2 ` +
            "encoder matches results to calls by position, so they must come in the order of the calls",
          `messages[${index}].tool_call_id`,
        );
      }
      current.next += 1;
      return;
    }
    closePending(`messages[${index}] (${message.role})`);
    if (message.role === "assistant" && message.toolCalls)
      pending = { assistant: index, ids: callIds[index] ?? [], next: 0 };
  });
  closePending("the end of the conversation");
  const last = messages.at(-1);
  if (last?.role === "assistant") {
    refuse(
      `messages[${messages.length - 1}] is an assistant message: continuing a final assistant message (prefill) is not ` +
        "supported with --tokenizer-mode deepseek_v32, which always closes assistant turns",
      "messages",
    );
  }
}

function checkThinkingTurns(messages: PromptMessage[]): void {
  let lastUser = -1;
  messages.forEach((message, index) => {
    if (message.role === "user" || message.role === "developer") lastUser = index;
  });
  messages.forEach((message, index) => {
    if (message.role === "assistant" && index > lastUser && !message.reasoning && !message.toolCalls) {
      refuse(
        `messages[${index}] (assistant, after the last user message) has neither reasoning nor tool_calls; in thinking ` +
          "mode the DeepSeek V3.2 encoder requires one of them for every assistant turn of the current tool loop",
        `messages[${index}]`,
      );
    }
  });
}

function parseTools(raw: unknown): PromptTool[] {
  if (raw === undefined || raw === null) return [];
  if (!Array.isArray(raw)) throw new Refusal(fieldError(["tools"], "Input should be a valid list", "list_type"));
  if (raw.length === 0) {
    refuse("`tools` must not be an empty array. Either provide at least one tool or omit the field entirely.", "tools");
  }
  return raw.map((tool, index) => {
    const fn = isObject(tool) ? tool.function : undefined;
    if (
      !isObject(tool) ||
      (tool.type !== undefined && tool.type !== "function") ||
      !isObject(fn) ||
      typeof fn.name !== "string"
    ) {
      throw new Refusal(fieldError(["tools", String(index), "function"], "Field required", "missing"));
    }
    const rendered: PromptTool = { name: fn.name };
    if (fn.description !== undefined) rendered.description = fn.description;
    if (fn.parameters !== undefined) rendered.parameters = fn.parameters;
    return rendered;
  });
}

function parseToolChoice(raw: unknown, hasTools: boolean, toolNames: string[]): ToolChoice {
  // vLLM defaults to "auto" when tools are given and to "none" otherwise (`check_tool_usage`).
  if (raw === undefined || raw === null) return hasTools ? "auto" : "none";
  if (raw === "none") return "none";
  if (!hasTools) refuse("When using `tool_choice`, `tools` must be set.", "tool_choice");
  if (raw === "auto" || raw === "required") return raw;
  if (isObject(raw) && isObject(raw.function) && typeof raw.function.name === "string") {
    const name = raw.function.name;
    if (!toolNames.includes(name)) refuse(`Tool '${name}' has not been passed in \`tools\`.`, "tool_choice");
    return { name };
  }
  return refuse(
    `Invalid value for \`tool_choice\`: ${JSON.stringify(raw)}! Only named tools, "none", "auto" or "required" are supported.`,
    "tool_choice",
  );
}

function optionalInt(body: Json, key: string): number | undefined {
  const value = body[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value)) {
    throw new Refusal(fieldError([key], "Input should be a valid integer", "int_type"));
  }
  return value;
}

function parseStop(raw: unknown): string[] {
  if (raw === undefined || raw === null) return [];
  if (typeof raw === "string") return [raw];
  if (Array.isArray(raw) && raw.every((item) => typeof item === "string")) return raw;
  throw new Refusal(fieldError(["stop"], "Input should be a valid string or list of strings", "string_type"));
}

function validate(body: unknown, options: ChatRequestOptions): ValidChatRequest {
  if (!isObject(body)) throw new Refusal(fieldError([], "Input should be a valid dictionary", "dict_type"));
  if (!Array.isArray(body.messages)) throw new Refusal(fieldError(["messages"], "Field required", "missing"));
  if (body.model !== undefined && body.model !== null && typeof body.model !== "string") {
    throw new Refusal(fieldError(["model"], "Input should be a valid string", "string_type"));
  }
  const stream = body.stream === true;
  if (body.stream_options && !stream)
    refuse("Stream options can only be defined when `stream=True`.", "stream_options");
  const tools = parseTools(body.tools);
  const toolChoice = parseToolChoice(
    body.tool_choice,
    tools.length > 0,
    tools.map((tool) => tool.name),
  );
  const maxCompletion = optionalInt(body, "max_completion_tokens");
  const maxTokensValue = optionalInt(body, "max_tokens");
  const n = optionalInt(body, "n");
  const stop = parseStop(body.stop);
  const kwargs = isObject(body.chat_template_kwargs) ? body.chat_template_kwargs : {};
  const streamOptions = isObject(body.stream_options) ? body.stream_options : {};

  const model = typeof body.model === "string" ? body.model : options.servedModel;
  if (model !== options.servedModel)
    throw new Refusal(vllmError(404, `The model \`${model}\` does not exist.`, "NotFoundError"));
  if (toolChoice === "auto" && !options.enableAutoToolChoice) {
    refuse('"auto" tool choice requires --enable-auto-tool-choice and --tool-call-parser to be set');
  }
  if (n !== undefined && n !== 1) refuse("n must be 1: the simulator generates a single choice per request", "n");
  const maxTokens = maxCompletion ?? maxTokensValue;
  const maxTokensParam = maxCompletion !== undefined ? "max_completion_tokens" : "max_tokens";
  if (maxTokens !== undefined && maxTokens < 1)
    refuse(`max_tokens must be at least 1, got ${maxTokens}.`, maxTokensParam);

  const thinking = kwargs.thinking === true || kwargs.enable_thinking === true;
  const { messages, notes, images } = parseMessages(
    body.messages,
    options.reasoningField,
    thinking,
    options.vision === true,
  );
  return {
    model,
    messages,
    tools,
    toolChoice,
    thinking,
    stream,
    includeUsage: streamOptions.include_usage === true,
    continuousUsage: streamOptions.include_usage === true && streamOptions.continuous_usage_stats === true,
    maxTokens,
    maxTokensParam,
    stop,
    parallelToolCalls: body.parallel_tool_calls !== false,
    reasoningNotes: notes,
    images,
  };
}

/**
 * Checks a `/v1/chat/completions` body the way vLLM serving DeepSeek V3.2 does, plus the simulator's
 * stricter rules, and returns the normalised request or the error vLLM would answer.
 */
export function validateChatRequest(body: unknown, options: ChatRequestOptions): ChatRequestResult {
  try {
    return { ok: true, request: validate(body, options) };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, error: error.error };
    throw error;
  }
}

/**
 * Checks the messages and tools of a `/tokenize` chat body with the same rules as chat completions, so
 * that what tokenizes also generates and the counts agree.
 */
export function validateMessagesAndTools(
  body: Json,
  reasoningField: ReasoningField,
  vision = false,
):
  | { ok: true; messages: PromptMessage[]; tools: PromptTool[]; thinking: boolean; images: SimImage[] }
  | { ok: false; error: VllmError } {
  try {
    if (!Array.isArray(body.messages)) throw new Refusal(fieldError(["messages"], "Field required", "missing"));
    const kwargs = isObject(body.chat_template_kwargs) ? body.chat_template_kwargs : {};
    const thinking = kwargs.thinking === true || kwargs.enable_thinking === true;
    const tools = parseTools(body.tools);
    const { messages, images } = parseMessages(body.messages, reasoningField, thinking, vision);
    return { ok: true, messages, tools, thinking, images };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, error: error.error };
    throw error;
  }
}
