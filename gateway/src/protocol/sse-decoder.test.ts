import { describe, expect, it } from "vitest";
import { SseDecoder } from "./sse-decoder.ts";

function decode(pieces: string[]): string[] {
  const decoder = new SseDecoder();
  return [...pieces.flatMap((piece) => decoder.push(piece)), ...decoder.flush()];
}

describe("SseDecoder", () => {
  it("yields each event's data", () => {
    expect(decode(['data: {"a":1}\n\ndata: [DONE]\n\n'])).toEqual(['{"a":1}', "[DONE]"]);
  });

  it("is indifferent to where the pieces are cut, CR LF included", () => {
    const text = 'data: {"a":1}\r\n\r\ndata: {"b":2}\n\n: comment\n\ndata:{"c":3}\r\rdata: [DONE]\n\n';
    const expected = ['{"a":1}', '{"b":2}', '{"c":3}', "[DONE]"];
    for (let size = 1; size <= text.length; size++) {
      const pieces: string[] = [];
      for (let at = 0; at < text.length; at += size) pieces.push(text.slice(at, at + size));
      expect(decode(pieces)).toEqual(expected);
    }
  });

  it("joins multi-line data, ignores other fields and empty events", () => {
    expect(decode(["event: x\nid: 1\nretry: 5\ndata: one\ndata: two\n\n\n\n"])).toEqual(["one\ntwo"]);
  });

  it("gives the last event when the stream ends without its blank line", () => {
    expect(decode(['data: {"a":1}'])).toEqual(['{"a":1}']);
  });
});
