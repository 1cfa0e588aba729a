import { describe, expect, it } from "vitest";
import { JsonObjectScanner, parseToolInput } from "./tool-input.ts";

function scan(text: string) {
  const scanner = new JsonObjectScanner();
  const accepted = scanner.feed(text);
  return { accepted, completion: scanner.completion(), broken: scanner.broken, complete: scanner.complete };
}

describe("JsonObjectScanner", () => {
  it("accepts a whole object and needs no completion", () => {
    expect(scan('{"a": [1, 2.5e-3, true, null, {"b": "c\\n\\u00e9"}]}')).toEqual({
      accepted: '{"a": [1, 2.5e-3, true, null, {"b": "c\\n\\u00e9"}]}',
      completion: "",
      broken: false,
      complete: true,
    });
  });

  it.each([
    ['{"file_path":"/x","content":"partial tex', '"}'],
    ['{"a":', "null}"],
    ['{"a"', ":null}"],
    ['{"a', '":null}'],
    ['{"a":1,', '"":null}'],
    ['{"a":[1,', "null]}"],
    ['{"a":[', "]}"],
    ['{"a":tr', "ue}"],
    ['{"a":-', "0}"],
    ['{"a":1.', "0}"],
    ['{"a":"\\', '\\"}'],
    ['{"a":"\\u00', '00"}'],
    ["{", "}"],
    ["", "{}"],
  ])("closes %j with %j", (partial, suffix) => {
    const result = scan(partial);
    expect(result).toMatchObject({ accepted: partial, completion: suffix, broken: false });
    expect(typeof JSON.parse(partial + suffix)).toBe("object");
  });

  it.each([
    ['{"a":y"}', '{"a":'],
    ['{"a":1}{"b":2}', '{"a":1}'],
    ["[1,2]", ""],
    ['{"a":1,}', '{"a":1,'],
    ['{"a":"\\q"}', '{"a":"\\'],
    ['{"a":01}', '{"a":0'],
  ])("stops at the first character %j cannot continue with", (text, accepted) => {
    const result = scan(text);
    expect(result.accepted).toBe(accepted);
    expect(result.broken).toBe(true);
    expect(typeof JSON.parse(accepted + result.completion)).toBe("object");
  });

  it("gives the same verdict fed one character at a time", () => {
    const text = '{"cmd": "echo \\"hi\\"", "n": 12, "opts": {"x": [false]}}';
    const scanner = new JsonObjectScanner();
    const accepted = [...text].map((char) => scanner.feed(char)).join("");
    expect(accepted).toBe(text);
    expect(scanner.complete).toBe(true);
  });

  it("accepts nothing more once broken", () => {
    const scanner = new JsonObjectScanner();
    expect(scanner.feed('{"a":x')).toBe('{"a":');
    expect(scanner.feed("1}")).toBe("");
  });
});

describe("parseToolInput", () => {
  it("parses an object, gives {} for nothing, keeps a cut object's valid part, wraps the rest", () => {
    expect(parseToolInput('{"command":"ls"}')).toEqual({ command: "ls" });
    expect(parseToolInput("  ")).toEqual({});
    expect(parseToolInput('{"file_path":"/x","content":"par')).toEqual({ file_path: "/x", content: "par" });
    expect(parseToolInput('{"a":1}{"b":2}')).toEqual({ a: 1 });
    expect(parseToolInput("ls -la")).toEqual({ raw_input: "ls -la" });
    expect(parseToolInput("[1]")).toEqual({ raw_input: "[1]" });
  });
});
