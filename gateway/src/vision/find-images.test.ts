import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import type { MessagesRequest } from "../protocol/anthropic.ts";
import { describedImageText, findImages, replaceImages } from "./find-images.ts";

const image = (data: string) => ({ type: "image", source: { type: "base64", media_type: "image/png", data } });
const request = (messages: unknown[]) => ({ model: "m", max_tokens: 10, messages }) as MessagesRequest;

describe("findImages", () => {
  it("finds images in user messages and inside tool results, with their paths and byte hashes", () => {
    const found = findImages(
      request([
        { role: "user", content: [{ type: "text", text: "see" }, image("AAEC")] },
        { role: "assistant", content: [{ type: "tool_use", id: "t", name: "Read", input: {} }] },
        {
          role: "user",
          content: [
            { type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "x" }, image("AwQF")] },
            { type: "image", source: { type: "url", url: "https://example.test/a.png" } },
            { type: "image", source: { type: "file", file_id: "file_1" } },
            { type: "document", source: { type: "base64", media_type: "application/pdf", data: "JVBE" } },
            { type: "document", source: { type: "text", media_type: "text/plain", data: "inline" } },
          ],
        },
      ]),
    );
    expect(found.images.map((entry) => [entry.path, entry.source.type])).toEqual([
      ["messages.0.content.1", "base64"],
      ["messages.2.content.0.content.1", "base64"],
      ["messages.2.content.1", "url"],
      ["messages.2.content.2", "file"],
    ]);
    expect(found.images[0]?.sha256).toBe(
      createHash("sha256")
        .update(Buffer.from([0, 1, 2]))
        .digest("hex"),
    );
    expect(found.images[2]?.sha256).toBe(createHash("sha256").update("url:https://example.test/a.png").digest("hex"));
    expect(found.images[3]?.sha256).toBeUndefined();
    // Text documents are inlined by the translation; only binary ones count.
    expect(found.documents).toEqual(["messages.2.content.3"]);
  });

  it("ignores string content, assistant turns and requests without images", () => {
    expect(findImages(request([{ role: "user", content: "hi" }]))).toEqual({ images: [], documents: [] });
  });
});

describe("replaceImages", () => {
  it("swaps exactly the given blocks for text blocks, leaving the original request as it was", () => {
    const original = request([
      { role: "user", content: [image("AAEC"), { type: "text", text: "t" }] },
      { role: "assistant", content: "ok" },
      { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: [image("AwQF")] }] },
    ]);
    const snapshot = structuredClone(original);
    const found = findImages(original);
    const texts = new Map<object, string>(found.images.map((entry, i) => [entry.block, `described ${i}`]));
    const replaced = replaceImages(original, texts);
    expect(original).toEqual(snapshot);
    expect(replaced.messages).toEqual([
      {
        role: "user",
        content: [
          { type: "text", text: "described 0" },
          { type: "text", text: "t" },
        ],
      },
      { role: "assistant", content: "ok" },
      {
        role: "user",
        content: [{ type: "tool_result", tool_use_id: "t", content: [{ type: "text", text: "described 1" }] }],
      },
    ]);
  });

  it("marks a description as one", () => {
    expect(describedImageText("qwen-vl", "  A terminal.\n")).toBe("[Image description by qwen-vl: A terminal.]");
  });
});
