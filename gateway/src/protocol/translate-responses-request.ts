import type { ChatMessage, ChatTool, ChatToolCall, ChatToolChoice } from "./openai.ts";
import type { ResponsesRequest } from "./responses.ts";
import { binaryDocumentPlaceholder, imagePlaceholder } from "./translate-messages.ts";
import { streamFields, type ThinkingPolicy, type TranslatedPrompt } from "./translate-request.ts";
import type { ServerToolPolicy } from "./translate-tools.ts";

// Responses API request → vLLM chat completion (platform.openai.com/docs/api-reference/responses/create).
// What the model cannot serve, or what needs state the gateway does not keep, is refused with the field's
// path; everything else a client may send is ignored.

export interface TranslateResponsesOptions {
  /** `--served-model-name` of the upstream. */
  servedModel: string;
  /** The gateway's policy for hosted tools (`GATEWAY_SERVER_TOOLS`), as for Anthropic server tools. */
  serverTools: ServerToolPolicy;
  thinkingPolicy: ThinkingPolicy;
}

export interface ResponsesTranslation {
  prompt: TranslatedPrompt;
  /** Function name → the `namespace` tool it came from, to tag the calls the model makes. */
  namespaces: Record<string, string>;
  /** Fields of the chat request that do not change the prompt. */
  sampling: {
    temperature?: number;
    top_p?: number;
    response_format?: Record<string, unknown>;
  };
}

export type TranslateResponsesResult =
  | { ok: true; translation: ResponsesTranslation }
  | { ok: false; message: string; param: string };

type Item = Record<string, unknown>;

/** Hosted tools the Responses API runs on OpenAI's side; this gateway's model cannot run them. */
const hostedTools = new Set([
  "web_search",
  "web_search_preview",
  "web_search_preview_2025_03_11",
  "file_search",
  "computer_use_preview",
  "computer_use",
  "code_interpreter",
  "image_generation",
  "mcp",
  "local_shell",
  "shell",
  "apply_patch",
]);

class Refusal extends Error {
  constructor(
    message: string,
    readonly param: string,
  ) {
    super(message);
  }
}

const refuse = (param: string, message: string): never => {
  throw new Refusal(`${param}: ${message}`, param);
};

/**
 * Whether DeepSeek thinks: a `reasoning.effort` other than `none` or `minimal` turns it on; no effort (Codex
 * sends `reasoning: {summary}` alone) leaves it off, as DeepSeek's own default is, unless the team's policy
 * overrides the client.
 */
export function responsesThinking(request: ResponsesRequest, policy: ThinkingPolicy): boolean {
  if (policy === "force_on") return true;
  if (policy === "force_off") return false;
  const effort = request.reasoning?.effort;
  return typeof effort === "string" && effort !== "none" && effort !== "minimal";
}

/**
 * The text of a message's content: a string, or `input_text` / `output_text` / `text` / `refusal` parts;
 * images and files become the same placeholders as on `/v1/messages`, since the model reads text only.
 */
function contentText(content: unknown, param: string): string {
  if (typeof content === "string") return content;
  if (!Array.isArray(content)) return refuse(param, "must be a string or an array of content parts");
  const texts: string[] = [];
  for (const [j, part] of content.entries()) {
    const type = (part as Item | null)?.type;
    if (type === "input_text" || type === "output_text" || type === "text") {
      const text = (part as Item).text;
      if (typeof text !== "string") refuse(`${param}[${j}].text`, "Field required");
      texts.push(text as string);
    } else if (type === "refusal") {
      texts.push(String((part as Item).refusal ?? ""));
    } else if (type === "input_image") {
      // As on /v1/messages (XL-15): the text-only model is told an image was there.
      texts.push(imagePlaceholder);
    } else if (type === "input_file") {
      texts.push(binaryDocumentPlaceholder);
    } else if (type === "input_audio") {
      refuse(`${param}[${j}].type`, "`input_audio` is not supported: this deployment's model reads text only");
    } else refuse(`${param}[${j}].type`, `unknown content part type \`${String(type)}\``);
  }
  return texts.join("\n");
}

/** A function call output: a string, or content parts of which only text can reach the model. */
function outputText(output: unknown, param: string): string {
  if (typeof output === "string") return output;
  if (output && typeof output === "object" && !Array.isArray(output) && typeof (output as Item).content === "string") {
    return (output as Item).content as string;
  }
  return contentText(output, param);
}

/** The text of a reasoning item: its raw `content`, else its summary. */
function reasoningText(item: Item): string {
  const parts = (Array.isArray(item.content) && item.content.length > 0 ? item.content : item.summary) as unknown;
  if (!Array.isArray(parts)) return "";
  return parts
    .map((part) => (typeof (part as Item)?.text === "string" ? ((part as Item).text as string) : ""))
    .filter((text) => text.length > 0)
    .join("\n");
}

/**
 * `instructions` and `input` → chat messages. `instructions` and the system/developer messages before the
 * conversation starts make the one system message (DeepSeek V3.2 has one system prompt); later ones become
 * user text in place. Consecutive user texts are merged, `function_call` items join the assistant message
 * before them as `tool_calls`, `function_call_output` items become tool messages, and `reasoning` items become
 * the `reasoning` of the next assistant message, the field vLLM reads back (XL-32 of the Anthropic path).
 */
function translateInput(request: ResponsesRequest): ChatMessage[] {
  const system: string[] = request.instructions ? [request.instructions] : [];
  const messages: ChatMessage[] = [];
  let reasoning: string[] = [];
  const last = () => messages.at(-1);
  const assistant = (): Extract<ChatMessage, { role: "assistant" }> => {
    const previous = last();
    if (previous?.role === "assistant") {
      if (reasoning.length > 0) previous.reasoning = [previous.reasoning, ...reasoning].filter(Boolean).join("\n");
      reasoning = [];
      return previous;
    }
    const created: Extract<ChatMessage, { role: "assistant" }> = {
      role: "assistant",
      content: "",
      ...(reasoning.length > 0 ? { reasoning: reasoning.join("\n") } : {}),
    };
    reasoning = [];
    messages.push(created);
    return created;
  };
  const user = (text: string) => {
    const previous = last();
    if (previous?.role === "user") previous.content = `${previous.content}\n\n${text}`;
    else messages.push({ role: "user", content: text });
  };

  const items: Item[] = typeof request.input === "string" ? [{ role: "user", content: request.input }] : request.input;
  for (const [i, item] of items.entries()) {
    const param = `input[${i}]`;
    // An "easy input message" may leave out `type`.
    const type = item.type ?? (typeof item.role === "string" ? "message" : undefined);
    if (type === "message") {
      const role = item.role;
      const text = contentText(item.content, `${param}.content`);
      if (role === "system" || role === "developer") {
        if (messages.length === 0) system.push(text);
        else user(text);
      } else if (role === "user") user(text);
      else if (role === "assistant") {
        const message = assistant();
        message.content = message.content ? `${message.content}\n\n${text}` : text;
      } else refuse(`${param}.role`, `unknown role \`${String(role)}\``);
    } else if (type === "function_call") {
      if (typeof item.call_id !== "string") refuse(`${param}.call_id`, "Field required");
      if (typeof item.name !== "string") refuse(`${param}.name`, "Field required");
      const call: ChatToolCall = {
        id: item.call_id as string,
        type: "function",
        function: { name: item.name as string, arguments: typeof item.arguments === "string" ? item.arguments : "{}" },
      };
      const message = assistant();
      message.tool_calls = [...(message.tool_calls ?? []), call];
    } else if (type === "function_call_output") {
      if (typeof item.call_id !== "string") refuse(`${param}.call_id`, "Field required");
      messages.push({
        role: "tool",
        tool_call_id: item.call_id as string,
        content: outputText(item.output, `${param}.output`),
      });
    } else if (type === "reasoning") {
      const text = reasoningText(item);
      if (text) reasoning.push(text);
    } else if (type === "item_reference") {
      refuse(
        `${param}.type`,
        "`item_reference` needs stored responses, and this gateway stores none: send the items themselves",
      );
    } else refuse(`${param}.type`, `input item type \`${String(type)}\` is not supported`);
  }
  if (system.length > 0) messages.unshift({ role: "system", content: system.join("\n\n") });
  return messages;
}

function functionTool(tool: Item, param: string): ChatTool {
  if (typeof tool.name !== "string" || tool.name === "") return refuse(`${param}.name`, "Field required");
  const parameters =
    tool.parameters && typeof tool.parameters === "object"
      ? (tool.parameters as Record<string, unknown>)
      : { type: "object", properties: {} };
  return {
    type: "function",
    function: {
      name: tool.name,
      ...(typeof tool.description === "string" ? { description: tool.description } : {}),
      parameters,
    },
  };
}

/**
 * Responses tools (flat `{type: "function", name, parameters}`) → chat `tools`; the functions of a
 * `namespace` tool (Codex groups some that way) are listed flat and remembered, so their calls can be tagged
 * with it. Hosted tools follow the server-tool policy: refused with their type named, or stripped.
 */
function translateTools(
  request: ResponsesRequest,
  serverTools: ServerToolPolicy,
): { tools: ChatTool[]; namespaces: Record<string, string> } {
  const tools: ChatTool[] = [];
  const namespaces: Record<string, string> = {};
  for (const [i, tool] of (request.tools ?? []).entries()) {
    const param = `tools[${i}]`;
    const type = tool.type;
    if (type === "function") tools.push(functionTool(tool, param));
    else if (type === "namespace") {
      const nested = Array.isArray(tool.tools) ? (tool.tools as Item[]) : [];
      for (const [j, inner] of nested.entries()) {
        if (inner.type !== "function") {
          refuse(
            `${param}.tools[${j}].type`,
            `only functions are supported in a namespace, not \`${String(inner.type)}\``,
          );
        }
        const chat = functionTool(inner, `${param}.tools[${j}]`);
        tools.push(chat);
        if (typeof tool.name === "string") namespaces[chat.function.name] = tool.name;
      }
    } else if (typeof type === "string" && hostedTools.has(type)) {
      if (serverTools === "strip") continue;
      refuse(
        `${param}.type`,
        `hosted tool \`${type}\` is not available: this deployment serves a self-hosted model that cannot run ` +
          "OpenAI's hosted tools (declare a function instead)",
      );
    } else refuse(`${param}.type`, `tool type \`${String(type)}\` is not supported; declare a function tool instead`);
  }
  return { tools, namespaces };
}

function translateToolChoice(request: ResponsesRequest, tools: ChatTool[]): ChatToolChoice | undefined {
  const choice = request.tool_choice;
  if (tools.length === 0 || choice === undefined || choice === null) return tools.length > 0 ? "auto" : undefined;
  if (choice === "auto" || choice === "none" || choice === "required") return choice;
  if (typeof choice === "string") return refuse("tool_choice", `unknown value \`${choice}\``);
  if (choice.type === "function") {
    const name = choice.name;
    if (typeof name !== "string") return refuse("tool_choice.name", "Field required");
    if (!tools.some((tool) => tool.function.name === name)) {
      return refuse("tool_choice.name", `no function named \`${name}\` in \`tools\``);
    }
    return { type: "function", function: { name } };
  }
  return refuse(
    "tool_choice.type",
    `\`${String(choice.type)}\` is not supported; use auto, none, required or a function`,
  );
}

/** Fields whose feature needs state or services this gateway does not have; each is refused by name. */
function refuseUnsupported(request: ResponsesRequest & Record<string, unknown>): void {
  if (request.previous_response_id) {
    refuse(
      "previous_response_id",
      "this gateway stores no responses (it answers as with `store: false`): send the whole conversation in `input`",
    );
  }
  if (request.conversation) refuse("conversation", "conversations are not stored by this gateway");
  if (request.background === true) refuse("background", "background mode is not supported");
  if (request.prompt) refuse("prompt", "stored prompt templates are not supported");
}

/**
 * A Responses API request → the prompt and sampling fields of a vLLM chat completion. Pure: refusals come
 * back as `{ok: false, message, param}` naming the field (OpenAI's error `param`).
 */
export function translateResponsesRequest(
  request: ResponsesRequest,
  options: TranslateResponsesOptions,
): TranslateResponsesResult {
  try {
    refuseUnsupported(request as ResponsesRequest & Record<string, unknown>);
    const messages = translateInput(request);
    if (!messages.some((message) => message.role !== "system")) {
      refuse("input", "must hold at least one message or function call output");
    }
    const { tools, namespaces } = translateTools(request, options.serverTools);
    const toolChoice = translateToolChoice(request, tools);
    const format = request.text?.format;
    let responseFormat: Record<string, unknown> | undefined;
    if (format?.type === "json_schema") {
      if (!format.schema) refuse("text.format.schema", "Field required");
      responseFormat = {
        type: "json_schema",
        json_schema: { name: format.name ?? "structured_output", schema: format.schema, strict: format.strict ?? true },
      };
    } else if (format?.type === "json_object") responseFormat = { type: "json_object" };
    else if (format && format.type !== "text") refuse("text.format.type", `\`${format.type}\` is not supported`);
    return {
      ok: true,
      translation: {
        prompt: {
          model: options.servedModel,
          messages,
          ...(tools.length > 0 ? { tools } : {}),
          ...(toolChoice ? { toolChoice } : {}),
          ...(request.parallel_tool_calls === false && tools.length > 0 ? { parallelToolCalls: false } : {}),
          thinking: responsesThinking(request, options.thinkingPolicy),
        },
        namespaces,
        sampling: {
          ...(typeof request.temperature === "number" ? { temperature: request.temperature } : {}),
          ...(typeof request.top_p === "number" ? { top_p: request.top_p } : {}),
          ...(responseFormat ? { response_format: responseFormat } : {}),
        },
      },
    };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, message: error.message, param: error.param };
    throw error;
  }
}

/**
 * The chat completion request for a translated Responses request. Streams ask vLLM for usage on every chunk,
 * so metering is exact even when the client leaves. `maxTokens` is the caller's clamped value.
 */
export function responsesChatRequest(
  translation: ResponsesTranslation,
  generation: { maxTokens: number; stream: boolean },
): Record<string, unknown> & { model: string; messages: ChatMessage[]; max_tokens: number } {
  const { prompt, sampling } = translation;
  return {
    model: prompt.model,
    messages: prompt.messages,
    max_tokens: generation.maxTokens,
    ...streamFields(generation.stream),
    ...sampling,
    ...(prompt.tools ? { tools: prompt.tools } : {}),
    ...(prompt.toolChoice ? { tool_choice: prompt.toolChoice } : {}),
    ...(prompt.parallelToolCalls === false ? { parallel_tool_calls: false } : {}),
    chat_template_kwargs: { thinking: prompt.thinking },
  };
}
