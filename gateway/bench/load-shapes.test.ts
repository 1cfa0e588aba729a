import { tokenize } from "@perimeter/vllm-sim";
import { describe, expect, it } from "vitest";
import { messagesRequestSchema } from "../src/protocol/anthropic.ts";
import { claudeCodeFirstTurnBody, restoreTruncatedText, schemaFromProps } from "./claude-code-body.ts";
import { loadShapes, openAiBodyFor, simRules } from "./load-shapes.ts";

describe("the Claude Code first turn", () => {
  it("restores shortened strings to their recorded length", () => {
    const restored = restoreTruncatedText("Read files from disk…[+25 chars]");
    expect(restored).toHaveLength("Read files from disk".length + 25);
    expect(restored.startsWith("Read files from disk Read files")).toBe(true);
    expect(restoreTruncatedText("untouched")).toBe("untouched");
  });

  it("turns a props line into a JSON schema", () => {
    expect(schemaFromProps("path*:string, limit:number")).toMatchObject({
      type: "object",
      properties: { path: { type: "string" }, limit: { type: "number" } },
      required: ["path"],
    });
  });

  it("is a ~70 KB request the gateway accepts, with nothing left shortened", () => {
    const body = claudeCodeFirstTurnBody("umans-coder-v0", false);
    const text = JSON.stringify(body);
    expect(Buffer.byteLength(text)).toBeGreaterThan(60_000);
    expect(Buffer.byteLength(text)).toBeLessThan(80_000);
    expect(text).not.toMatch(/…\[\+\d+ chars\]|\{…properties/);
    expect(messagesRequestSchema.safeParse(body).success).toBe(true);
    const tools = body.tools as { input_schema: unknown }[];
    expect(tools).toHaveLength(24);
    for (const tool of tools) expect(typeof tool.input_schema).toBe("object");
  });
});

describe("load shapes", () => {
  it("give every shape an OpenAI body the gateway would send", () => {
    for (const shape of loadShapes()) {
      const chat = openAiBodyFor(shape.anthropicBody, 163_840);
      expect(chat).toMatchObject({ model: "umans-coder", stream: shape.stream });
    }
  });

  it("stream 20 chunks: role, one per word, finish", () => {
    for (const rule of simRules) {
      expect(tokenize(rule.turn.content ?? "").pieces).toHaveLength(18);
    }
    expect(
      loadShapes()
        .filter((shape) => shape.stream)
        .map((shape) => shape.textChunks),
    ).toEqual([18, 18]);
  });
});
