import type { PromptRequest } from "./anthropic.ts";
import type { ChatContentPart, ChatMessage, ChatToolCall } from "./openai.ts";

/** How mid-conversation `role: "system"` messages reach a model whose template has no place for them. */
export type SystemMessagePolicy = "reminder" | "fold";

export interface TranslateMessagesOptions {
  /** Drop Claude Code's per-session `x-anthropic-billing-header:` system block so prefix caching works. */
  stripBillingHeader: boolean;
  systemMessages: SystemMessagePolicy;
  /**
   * `placeholder` (the default): images become `imagePlaceholder` text, for a text-only model.
   * `inline`: they become `image_url` parts, for a vision model (see `inlineImages`).
   */
  images?: "placeholder" | "inline";
}

export type TranslateMessagesResult = { ok: true; messages: ChatMessage[] } | { ok: false; message: string };

/** What a text-only model gets instead of an image or a binary document (XL-15, XL-17). */
export const imagePlaceholder = "[image omitted: this model cannot read images]";
export const binaryDocumentPlaceholder = "[document omitted: this model reads text only]";
/** Stands in for a tool result the client never sent, so the model's calls and results stay paired. */
export const missingToolResult = "(no result)";

const billingHeaderPrefix = "x-anthropic-billing-header:";

type Block = { type: string; [field: string]: unknown };

class TranslationError extends Error {}

// Images met while the messages are flattened to text are written as markers (Unicode private-use
// characters around an index), then split back out into `image_url` parts once the messages are built.
const markerOpen = "\uE000img";
const markerClose = "\uE001";
const markerPattern = /\uE000img(\d+)\uE001/g;
const hasMarker = (text: string) => /\uE000img\d+\uE001/.test(text);

/** Collects the images of a request translated with `images: "inline"`. */
class ImageSink {
  readonly urls: string[] = [];
  add(block: Block, path: string): string {
    const source = block.source as Block | undefined;
    let url: string;
    if (source?.type === "base64") {
      url = `data:${requireString(source, "media_type", `${path}.source`)};base64,${requireString(source, "data", `${path}.source`)}`;
    } else if (source?.type === "url") url = requireString(source, "url", `${path}.source`);
    else return imagePlaceholder;
    this.urls.push(url);
    return `${markerOpen}${this.urls.length - 1}${markerClose}`;
  }
}

function fail(message: string): never {
  throw new TranslationError(message);
}

function requireString(block: Block, field: string, path: string): string {
  const value = block[field];
  if (typeof value !== "string") fail(`${path}.${field}: Input should be a valid string`);
  return value;
}

/** Text of a `document` block: inlined when it is text, a placeholder when it is binary (PDF, file, URL). */
function documentText(block: Block, path: string, images?: ImageSink): string {
  const source = block.source as Block | undefined;
  if (!source || typeof source !== "object") fail(`${path}.source: Field required`);
  const title = typeof block.title === "string" && block.title ? `${block.title}\n` : "";
  if (source.type === "text") return `${title}${requireString(source, "data", `${path}.source`)}`;
  if (source.type === "content") {
    const parts = typeof source.content === "string" ? [source.content] : (source.content as Block[] | undefined);
    if (!Array.isArray(parts)) fail(`${path}.source.content: Input should be a valid list`);
    return title + parts.map((part, i) => blockText(part as Block, `${path}.source.content.${i}`, images)).join("\n");
  }
  return binaryDocumentPlaceholder;
}

/** A user-side block that becomes plain text: text, image, document, search result. */
function blockText(block: Block | string, path: string, images?: ImageSink): string {
  if (typeof block === "string") return block;
  switch (block.type) {
    case "text":
      return requireString(block, "text", path);
    case "image":
      return images ? images.add(block, path) : imagePlaceholder;
    case "document":
      return documentText(block, path, images);
    case "search_result": {
      const content = Array.isArray(block.content) ? (block.content as Block[]) : [];
      const body = content.map((part, i) => blockText(part, `${path}.content.${i}`, images)).join("\n");
      return [block.title, block.source, body].filter((part) => typeof part === "string" && part).join("\n");
    }
    case "tool_reference":
      return `[tool: ${String(block.tool_name ?? block.name ?? "")}]`;
    default:
      fail(`${path}.type: \`${block.type}\` blocks are not supported in user content`);
  }
}

/** A tool result's content as the one string DeepSeek's encoder needs (XL-15). */
function toolResultText(block: Block, path: string, images?: ImageSink): string {
  const content = block.content;
  let text: string;
  if (content === undefined || content === null) text = "";
  else if (typeof content === "string") text = content;
  else if (Array.isArray(content))
    text = content.map((part, i) => blockText(part as Block, `${path}.content.${i}`, images)).join("\n");
  else fail(`${path}.content: Input should be a valid string or list`);
  return block.is_error === true ? `[tool error] ${text}` : text;
}

function systemText(system: PromptRequest["system"], stripBillingHeader: boolean): string {
  if (system === undefined) return "";
  if (typeof system === "string") return system;
  return system
    .map((block) => block.text)
    .filter((text) => !(stripBillingHeader && text.startsWith(billingHeaderPrefix)))
    .join("\n");
}

/**
 * Builds the OpenAI message list the DeepSeek V3.2 encoder can render, enforcing what it needs
 * (protocol reference §3.2):
 * - one leading system message (XL-10); mid-conversation system messages become `<system-reminder>`
 *   user text in place (`reminder`) or join the leading one (`fold`) (XL-11);
 * - tool results become `tool` messages in the order of the assistant's calls, one per call, with
 *   `(no result)` for a missing one (XL-13, XL-14); text sent beside tool results is appended to the
 *   last tool message so a tool round is not a new user turn (XL-16);
 * - consecutive same-role messages are merged (XL-19); thinking goes back as `reasoning`, only for the
 *   assistant turns after the last user message, where the encoder reads it (XL-18, XL-31);
 * - a final assistant message (prefill) is refused: the encoder cannot continue one (XL-19b).
 */
export function translateMessages(request: PromptRequest, options: TranslateMessagesOptions): TranslateMessagesResult {
  try {
    return { ok: true, messages: buildMessages(request, options) };
  } catch (error) {
    if (error instanceof TranslationError) return { ok: false, message: error.message };
    throw error;
  }
}

/**
 * The chat messages being built, and the calls and reminders still waiting. A class rather than closures
 * inside `buildMessages`: it runs on every request, and each closure made there is a cost of its own.
 */
class ChatMessageList {
  readonly out: ChatMessage[] = [];
  /** Calls of the last assistant message still waiting for their results. */
  pendingCalls: ChatToolCall[] = [];
  /** System reminders met while calls were pending: they go after the results. */
  heldReminders: string[] = [];

  last(): ChatMessage | undefined {
    return this.out.at(-1);
  }

  // User-side text continues whatever user-side message is last — a tool message (XL-16) or a user one —
  // unless it opens a new turn, which after tool messages is a user message of its own.
  emitUserText(text: string, newTurn = false): void {
    const previous = this.last();
    if (previous?.role === "user" || (previous?.role === "tool" && !newTurn)) {
      previous.content = previous.content ? `${previous.content}\n\n${text}` : text;
    } else this.out.push({ role: "user", content: text });
  }

  resolveCalls(results: Map<string, string>): void {
    for (const call of this.pendingCalls) {
      this.out.push({ role: "tool", tool_call_id: call.id, content: results.get(call.id) ?? missingToolResult });
    }
    this.pendingCalls = [];
  }

  flushReminders(): void {
    for (const text of this.heldReminders) this.emitUserText(text);
    this.heldReminders = [];
  }
}

function buildMessages(request: PromptRequest, options: TranslateMessagesOptions): ChatMessage[] {
  if (request.messages.length === 0) fail("messages: at least one message is required");
  const images = options.images === "inline" ? new ImageSink() : undefined;
  const foldedSystem: string[] = [];
  const list = new ChatMessageList();
  const { out } = list;

  request.messages.forEach((message, i) => {
    const path = `messages.${i}`;
    const blocks: (Block | string)[] = typeof message.content === "string" ? [message.content] : message.content;

    if (message.role === "system") {
      const text = blocks.map((block, j) => blockText(block, `${path}.content.${j}`)).join("\n");
      if (options.systemMessages === "fold") foldedSystem.push(text);
      else if (list.pendingCalls.length > 0) list.heldReminders.push(`<system-reminder>\n${text}\n</system-reminder>`);
      else list.emitUserText(`<system-reminder>\n${text}\n</system-reminder>`);
      return;
    }

    if (message.role === "user") {
      const results = new Map<string, string>();
      const texts: string[] = [];
      blocks.forEach((block, j) => {
        const blockPath = `${path}.content.${j}`;
        if (typeof block !== "string" && block.type === "tool_result") {
          const id = requireString(block, "tool_use_id", blockPath);
          if (!list.pendingCalls.some((call) => call.id === id)) {
            fail(
              `${blockPath}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${id}. Each \`tool_result\` ` +
                "block must have a corresponding `tool_use` block in the previous message.",
            );
          }
          // Several results for one call are one result: DeepSeek pairs calls and results by position (F1).
          const text = toolResultText(block, blockPath, images);
          const earlier = results.get(id);
          results.set(id, earlier === undefined ? text : `${earlier}\n${text}`);
        } else texts.push(blockText(block, blockPath, images));
      });
      list.resolveCalls(results);
      // Consecutive user messages are one turn (Anthropic merges them): text after results continues it.
      const newTurn = results.size === 0 && request.messages[i - 1]?.role !== "user";
      if (texts.length > 0) list.emitUserText(texts.join("\n\n"), newTurn);
      list.flushReminders();
      return;
    }

    // Assistant. Calls left unanswered by the client still get a result, so the pairing holds.
    list.resolveCalls(new Map());
    list.flushReminders();
    const texts: string[] = [];
    const reasoning: string[] = [];
    const calls: ChatToolCall[] = [];
    blocks.forEach((block, j) => {
      const blockPath = `${path}.content.${j}`;
      if (typeof block === "string") {
        texts.push(block);
        return;
      }
      switch (block.type) {
        case "text":
          texts.push(requireString(block, "text", blockPath));
          break;
        case "thinking":
          reasoning.push(requireString(block, "thinking", blockPath));
          break;
        case "redacted_thinking":
          break;
        case "tool_use": {
          const input = block.input;
          if (typeof input !== "object" || input === null || Array.isArray(input)) {
            fail(`${blockPath}.input: Input should be a valid dictionary`);
          }
          calls.push({
            id: requireString(block, "id", blockPath),
            type: "function",
            function: { name: requireString(block, "name", blockPath), arguments: JSON.stringify(input) },
          });
          break;
        }
        default:
          fail(`${blockPath}.type: \`${block.type}\` blocks are not supported in assistant content`);
      }
    });
    const previous = list.last();
    if (previous?.role === "assistant") {
      // Anthropic merges consecutive turns of one role; so must we (XL-19).
      previous.content = [previous.content, ...texts].filter(Boolean).join("\n\n");
      if (calls.length > 0) previous.tool_calls = [...(previous.tool_calls ?? []), ...calls];
      if (reasoning.length > 0) {
        const joined = [previous.reasoning, ...reasoning].filter(Boolean).join("\n\n");
        previous.reasoning = joined;
        previous.reasoning_content = joined;
      }
    } else {
      out.push({
        role: "assistant",
        content: texts.join("\n\n"),
        ...(calls.length > 0 ? { tool_calls: calls } : {}),
        ...(reasoning.length > 0
          ? { reasoning: reasoning.join("\n\n"), reasoning_content: reasoning.join("\n\n") }
          : {}),
      });
    }
    list.pendingCalls = [...list.pendingCalls, ...calls];
  });

  if (list.pendingCalls.length > 0 || list.last()?.role === "assistant") {
    fail(
      `messages.${request.messages.length - 1}: a final assistant message (prefill) is not supported by this model; ` +
        "end the conversation with a user message",
    );
  }
  list.flushReminders();

  // The encoder drops reasoning before the last user message anyway; not sending it saves bandwidth.
  const lastUser = out.findLastIndex((message) => message.role === "user");
  for (const message of out.slice(0, Math.max(lastUser, 0))) {
    if (message.role === "assistant") {
      delete message.reasoning;
      delete message.reasoning_content;
    }
  }

  const system = [systemText(request.system, options.stripBillingHeader), ...foldedSystem].filter(Boolean).join("\n\n");
  const messages: ChatMessage[] = system ? [{ role: "system", content: system }, ...out] : out;
  return images && images.urls.length > 0 ? inlineImages(messages, images.urls) : messages;
}

/** Text with image markers as content parts: text parts around `image_url` parts. */
function contentParts(text: string, urls: string[]): ChatContentPart[] {
  const parts: ChatContentPart[] = [];
  let from = 0;
  for (const match of text.matchAll(markerPattern)) {
    const before = text.slice(from, match.index).trim();
    if (before) parts.push({ type: "text", text: before });
    parts.push({ type: "image_url", image_url: { url: urls[Number(match[1])] as string } });
    from = match.index + match[0].length;
  }
  const rest = text.slice(from).trim();
  if (rest) parts.push({ type: "text", text: rest });
  return parts;
}

/**
 * For a vision model: user messages with images get content parts, in place. A tool message's content
 * must stay a string (OpenAI's tool messages carry text only), so its images are named in the text and
 * sent in a user message right after that run of tool messages, as the file a tool returned.
 */
function inlineImages(messages: ChatMessage[], urls: string[]): ChatMessage[] {
  const out: ChatMessage[] = [];
  let held: ChatContentPart[] = [];
  const flush = () => {
    if (held.length === 0) return;
    out.push({
      role: "user",
      content: [{ type: "text", text: "Images returned by the tool results above:" }, ...held],
    });
    held = [];
  };
  for (const message of messages) {
    if (message.role !== "tool") flush();
    if (message.role === "user" && typeof message.content === "string" && hasMarker(message.content)) {
      out.push({ role: "user", content: contentParts(message.content, urls) });
    } else if (message.role === "tool" && hasMarker(message.content)) {
      const content = message.content.replace(markerPattern, (_marker, index: string) => {
        held.push({ type: "image_url", image_url: { url: urls[Number(index)] as string } });
        return `[image ${held.length}: sent in the next message]`;
      });
      out.push({ ...message, content });
    } else out.push(message);
  }
  flush();
  return out;
}
