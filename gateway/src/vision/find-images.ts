import { createHash } from "node:crypto";
import type { MessagesRequest } from "../protocol/anthropic.ts";

// Where a request carries what a text-only model cannot read: `image` blocks and binary `document`
// blocks (PDF, URL, file) in user messages, directly or inside a `tool_result`'s content, which is how
// Claude Code sends an image file its Read tool opened (protocol reference §2.1). Pure: no I/O.

type Block = { type: string; [field: string]: unknown };

/** One image block of a request, with what identifies its content. */
export interface FoundImage {
  /** Path of the block, in the request's own terms (`messages.3.content.0.content.1`). */
  path: string;
  block: Block;
  /** Where its bytes are: inline (`base64`), at a URL, or a Files API reference the gateway cannot read. */
  source: { type: "base64"; mediaType: string; data: string } | { type: "url"; url: string } | { type: "file" };
  /** SHA-256 (hex) of the decoded bytes, or of the URL; absent for a file reference. */
  sha256?: string;
}

export interface FoundBlocks {
  images: FoundImage[];
  /** Paths of binary documents (text documents are inlined by the translation). */
  documents: string[];
}

const isBlock = (value: unknown): value is Block =>
  typeof value === "object" && value !== null && typeof (value as Block).type === "string";

function imageOf(block: Block, path: string): FoundImage {
  const source = isBlock(block.source) ? block.source : undefined;
  if (source?.type === "base64" && typeof source.data === "string") {
    const mediaType = typeof source.media_type === "string" ? source.media_type : "";
    const sha256 = createHash("sha256").update(Buffer.from(source.data, "base64")).digest("hex");
    return { path, block, source: { type: "base64", mediaType, data: source.data }, sha256 };
  }
  if (source?.type === "url" && typeof source.url === "string") {
    const sha256 = createHash("sha256").update(`url:${source.url}`).digest("hex");
    return { path, block, source: { type: "url", url: source.url }, sha256 };
  }
  return { path, block, source: { type: "file" } };
}

function isBinaryDocument(block: Block): boolean {
  const source = isBlock(block.source) ? block.source : undefined;
  return source?.type !== "text" && source?.type !== "content";
}

/** Every image and binary document of the request's user messages, in order. */
export function findImages(request: MessagesRequest): FoundBlocks {
  const found: FoundBlocks = { images: [], documents: [] };
  const visit = (block: unknown, path: string): void => {
    if (!isBlock(block)) return;
    if (block.type === "image") found.images.push(imageOf(block, path));
    else if (block.type === "document" && isBinaryDocument(block)) found.documents.push(path);
    else if (block.type === "tool_result" && Array.isArray(block.content))
      block.content.forEach((part, k) => {
        visit(part, `${path}.content.${k}`);
      });
  };
  request.messages.forEach((message, i) => {
    if (message.role !== "user" || typeof message.content === "string") return;
    message.content.forEach((block, j) => {
      visit(block, `messages.${i}.content.${j}`);
    });
  });
  return found;
}

/**
 * The request with each image block in `texts` replaced by a text block of that text, wherever it sits
 * (a user message or a tool result's content). Other blocks, and the original request, are untouched.
 */
export function replaceImages(request: MessagesRequest, texts: Map<object, string>): MessagesRequest {
  if (texts.size === 0) return request;
  const swap = (block: unknown): unknown => {
    if (!isBlock(block)) return block;
    const text = texts.get(block);
    if (text !== undefined) return { type: "text", text };
    if (block.type === "tool_result" && Array.isArray(block.content))
      return { ...block, content: block.content.map(swap) };
    return block;
  };
  return {
    ...request,
    messages: request.messages.map((message) =>
      message.role !== "user" || typeof message.content === "string"
        ? message
        : { ...message, content: message.content.map(swap) as typeof message.content },
    ),
  };
}

/** How a description stands in for its image, marked so the model knows it did not see the image. */
export function describedImageText(visionModel: string, description: string): string {
  return `[Image description by ${visionModel}: ${description.trim()}]`;
}
