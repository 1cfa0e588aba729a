import { pythonJsonDumps } from "./python-json.ts";
import { specialTokens } from "./tokenizer.ts";

// The prompt layout of DeepSeek V3.2 as vLLM renders it with `--tokenizer-mode deepseek_v32`:
// `vllm/tokenizers/deepseek_v32.py` (tools go into a system message inserted first; reasoning of earlier
// turns is dropped when the last message is a user message) and `vllm/tokenizers/deepseek_v32_encoding.py`
// (DeepSeek's `encoding_dsv32.py`: role markers, `<think>`, DSML tool calls, `<function_results>`).
// Validation (`validate-chat-request.ts`) has already rejected every input on which the encoder would
// assert or print a garbled prompt, so this module only lays text out.

/** A message once validated: content flattened to a string, tool-call arguments parsed. */
export interface PromptMessage {
  role: "system" | "developer" | "user" | "assistant" | "tool";
  content: string | null;
  /** Assistant reasoning sent back by the client (the field the server reads, see `reasoningField`). */
  reasoning?: string | null;
  toolCalls?: PromptToolCall[];
}

export interface PromptToolCall {
  name: string;
  arguments: Record<string, unknown>;
}

/** A tool as the encoder sees it: the `function` member of an OpenAI tool, keys in request order. */
export type PromptTool = Record<string, unknown> & { name: string };

const { bos, eos, user, assistant, thinkStart, thinkEnd, dsml } = specialTokens;

function renderTools(tools: PromptTool[]): string {
  return [
    "## Tools",
    "You have access to a set of tools you can use to answer the user's question.",
    `You can invoke functions by writing a "<${dsml}function_calls>" block like the following as part of your reply to the user:`,
    `<${dsml}function_calls>`,
    `<${dsml}invoke name="$FUNCTION_NAME">`,
    `<${dsml}parameter name="$PARAMETER_NAME" string="true|false">$PARAMETER_VALUE</${dsml}parameter>`,
    "...",
    `</${dsml}invoke>`,
    `<${dsml}invoke name="$FUNCTION_NAME2">`,
    "...",
    `</${dsml}invoke>`,
    `</${dsml}function_calls>`,
    'String and scalar parameters should be specified as is without any escaping or quotes, while lists and objects should use JSON format. The "string" attribute should be set to "true" for string type parameters and "false" for other types (numbers, booleans, arrays, objects).',
    "If the thinking_mode is enabled, then after function results you should strongly consider outputting a thinking block. Here is an example:",
    `<${dsml}function_calls>`,
    "...",
    `</${dsml}function_calls>`,
    "<function_results>",
    "...",
    "</function_results>",
    `${thinkStart}...thinking about results${thinkEnd}`,
    "Here are the functions available in JSONSchema format:",
    "<functions>",
    tools.map(pythonJsonDumps).join("\n"),
    "</functions>",
    "",
  ].join("\n");
}

/**
 * The DSML block a list of tool calls is written as, with its leading blank line. Object arguments become
 * one `parameter` per key; a string is written verbatim as the body of its `invoke` (a model that
 * produced text the parser cannot read).
 */
export function renderToolCalls(calls: Array<{ name: string; arguments: Record<string, unknown> | string }>): string {
  const invokes = calls.map((call) => {
    const body =
      typeof call.arguments === "string"
        ? call.arguments
        : Object.entries(call.arguments)
            .map(([key, value]) => {
              const isString = typeof value === "string";
              const shown = isString ? value : pythonJsonDumps(value);
              return `<${dsml}parameter name="${key}" string="${isString}">${shown}</${dsml}parameter>`;
            })
            .join("\n");
    return `<${dsml}invoke name="${call.name}">\n${body}\n</${dsml}invoke>`;
  });
  return `\n\n<${dsml}function_calls>\n${invokes.join("\n")}\n</${dsml}function_calls>`;
}

function lastUserIndex(messages: PromptMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i -= 1) {
    const role = messages[i]?.role;
    if (role === "user" || role === "developer") return i;
  }
  return -1;
}

interface EncoderMessage extends PromptMessage {
  tools?: PromptTool[];
}

function renderMessage(index: number, messages: EncoderMessage[], thinking: boolean, lastUser: number): string {
  const message = messages[index] as EncoderMessage;
  const closeUserTurn = index === lastUser && thinking ? thinkStart : thinkEnd;
  switch (message.role) {
    case "system": {
      const tools = message.tools?.length ? `\n\n${renderTools(message.tools)}` : "";
      return `${message.content ?? ""}${tools}`;
    }
    case "developer":
      return `${user}\n\n# The user's message is: ${message.content ?? ""}${assistant}${closeUserTurn}`;
    case "user":
      return `${user}${message.content ?? ""}${assistant}${closeUserTurn}`;
    case "tool": {
      let start = index - 1;
      while (start >= 0 && messages[start]?.role === "tool") start -= 1;
      const order = index - start;
      const callCount = messages[start]?.toolCalls?.length ?? 0;
      let text = order === 1 ? "\n\n<function_results>" : "";
      text += `\n<result>${message.content ?? ""}</result>`;
      if (order === callCount) {
        text += "\n</function_results>";
        text += index >= lastUser && thinking ? `\n\n${thinkStart}` : `\n\n${thinkEnd}`;
      }
      return text;
    }
    case "assistant": {
      const reasoning = thinking && index > lastUser ? `${message.reasoning ?? ""}${thinkEnd}` : "";
      const calls = message.toolCalls?.length ? renderToolCalls(message.toolCalls) : "";
      return `${reasoning}${message.content ?? ""}${calls}${eos}`;
    }
  }
}

export interface PromptInput {
  messages: PromptMessage[];
  tools?: PromptTool[];
  thinking: boolean;
}

/**
 * Lays `messages` out as the DeepSeek V3.2 prompt text vLLM tokenizes: BOS, a tools system part when
 * tools are given, each message with its role markers, and the generation prompt (`<think>` in thinking
 * mode, `</think>` otherwise) after the last user turn or tool results.
 */
export function renderDeepseekV32Prompt({ messages, tools, thinking }: PromptInput): string {
  const encoded: EncoderMessage[] = [...messages];
  if (tools && tools.length > 0) encoded.unshift({ role: "system", content: null, tools });
  // The encoder also strips the reasoning of turns before the last user message when the conversation
  // ends with a user message (`drop_thinking_messages`); it only ever renders reasoning after the last
  // user message, so that step changes nothing here.
  const lastUser = lastUserIndex(encoded);
  let prompt = bos;
  for (let index = 0; index < encoded.length; index += 1) prompt += renderMessage(index, encoded, thinking, lastUser);
  return prompt;
}

export interface AssistantOutput {
  reasoning: string;
  content: string;
  /** Arguments as parsed JSON, or the raw text when the model produced something else. */
  toolCalls: Array<{ name: string; arguments: Record<string, unknown> | string }>;
}

/**
 * The text the model generates for one answer, as it follows the prompt: reasoning and `</think>` in
 * thinking mode, the content, the DSML tool calls, then EOS when the answer ended naturally.
 */
export function renderAssistantOutput(output: AssistantOutput, thinking: boolean, endsWithEos: boolean): string {
  const reasoning = thinking ? `${output.reasoning}${thinkEnd}` : "";
  const calls = output.toolCalls.length ? renderToolCalls(output.toolCalls) : "";
  return `${reasoning}${output.content}${calls}${endsWithEos ? eos : ""}`;
}
