// Tool-call arguments arrive from vLLM as a JSON text, in fragments when streamed; Anthropic's
// `tool_use.input` must be a JSON object (protocol reference SSE-06). vLLM's DeepSeek tool parser builds
// that text itself, so it is valid unless the generation was cut (`max_tokens`) or the model produced
// something odd. The scanner below lets the stream translator forward arguments as they come while
// guaranteeing that what it sends always ends as one valid object.

type Expect =
  | "value" // a value must come next
  | "value-or-close" // just after `[`: a value or `]`
  | "key-or-close" // just after `{`: a key or `}`
  | "key" // after a comma in an object
  | "colon"
  | "comma-or-close"
  | "end"; // the top-level value is complete

const numberPrefix = /^-?(?:(?:0|[1-9]\d*)(?:\.\d*)?(?:[eE][+-]?\d*)?)?$/;
const literals = ["true", "false", "null"];
const escapes = new Set(['"', "\\", "/", "b", "f", "n", "r", "t", "u"]);

/**
 * Reads a JSON object text as it arrives and tells how much of it is a valid prefix. `feed` returns the
 * part of the new text that keeps the prefix valid (everything, normally); from the first character that
 * cannot be part of a JSON object on, the scanner is `broken` and accepts nothing more. `completion()`
 * is the suffix that closes the accepted prefix into a valid object: it finishes an escape, a literal or
 * a number, closes an open string, gives a dangling key the value `null` and closes open containers.
 */
export class JsonObjectScanner {
  private readonly stack: ("object" | "array")[] = [];
  private expect: Expect = "value";
  private inString = false;
  private stringIsKey = false;
  /** 0: none, 1: just after a backslash, n > 1: n - 1 hex digits of a `\u` escape still to come. */
  private escape = 0;
  private token = "";
  private brokenAt = -1;
  private length = 0;

  /** True once a character that cannot continue a JSON object was seen. */
  get broken(): boolean {
    return this.brokenAt !== -1;
  }

  /** True when the accepted text is a complete object. */
  get complete(): boolean {
    return this.expect === "end" && !this.inString && this.token === "";
  }

  /** The accepted part of `text`: all of it unless it breaks the prefix somewhere. */
  feed(text: string): string {
    if (this.broken) return "";
    for (let i = 0; i < text.length; i++) {
      if (!this.step(text.charAt(i))) {
        this.brokenAt = this.length;
        return text.slice(0, i);
      }
      this.length++;
    }
    return text;
  }

  /** The suffix that makes the accepted prefix a complete object (`""` when it already is one). */
  completion(): string {
    let suffix = "";
    let expect = this.expect;
    if (this.inString) {
      if (this.escape === 1) suffix += "\\";
      else if (this.escape > 1) suffix += "0".repeat(this.escape - 1);
      suffix += '"';
      expect = this.stringIsKey ? "colon" : "comma-or-close";
    } else if (this.token) {
      const literal = literals.find((word) => word.startsWith(this.token));
      if (literal) suffix += literal.slice(this.token.length);
      else if (/[.eE+-]$/.test(this.token)) suffix += "0";
      expect = "comma-or-close";
    }
    if (expect === "colon") suffix += ":null";
    else if (expect === "value" && this.stack.at(-1) === "object") suffix += "null";
    else if (expect === "value" && this.stack.at(-1) === "array") suffix += "null";
    else if (expect === "key") suffix += '"":null';
    else if (expect === "value" && this.stack.length === 0) suffix += "{}";
    for (const container of [...this.stack].reverse()) suffix += container === "object" ? "}" : "]";
    return suffix;
  }

  private step(char: string): boolean {
    if (this.inString) return this.stringChar(char);
    if (this.token) {
      if (/[\w.+-]/.test(char)) {
        const next = this.token + char;
        if (!numberPrefix.test(next) && !literals.some((word) => word.startsWith(next))) return false;
        this.token = next;
        return true;
      }
      const isLiteral = literals.includes(this.token);
      if (!isLiteral && (!numberPrefix.test(this.token) || /[.eE+-]$/.test(this.token))) return false;
      this.token = "";
      this.valueDone();
    }
    if (char === " " || char === "\n" || char === "\r" || char === "\t") return true;
    const inObject = this.stack.at(-1) === "object";
    switch (this.expect) {
      case "end":
        return false;
      case "colon":
        if (char !== ":") return false;
        this.expect = "value";
        return true;
      case "key":
      case "key-or-close":
        if (char === "}" && this.expect === "key-or-close") return this.close();
        if (char !== '"') return false;
        this.inString = true;
        this.stringIsKey = true;
        return true;
      case "comma-or-close":
        if (char === ",") {
          this.expect = inObject ? "key" : "value";
          return true;
        }
        if (char === (inObject ? "}" : "]")) return this.close();
        return false;
      default: // a value
        if (char === "]" && this.expect === "value-or-close") return this.close();
        // The top level must be an object: `tool_use.input` is one.
        if (this.stack.length === 0 && char !== "{") return false;
        if (char === "{" || char === "[") {
          this.stack.push(char === "{" ? "object" : "array");
          this.expect = char === "{" ? "key-or-close" : "value-or-close";
          return true;
        }
        if (char === '"') {
          this.inString = true;
          this.stringIsKey = false;
          return true;
        }
        if (/[-\d]/.test(char) || literals.some((word) => word.startsWith(char))) {
          this.token = char;
          return true;
        }
        return false;
    }
  }

  private stringChar(char: string): boolean {
    if (this.escape === 1) {
      if (!escapes.has(char)) return false;
      this.escape = char === "u" ? 5 : 0;
      return true;
    }
    if (this.escape > 1) {
      if (!/[0-9a-fA-F]/.test(char)) return false;
      this.escape = this.escape === 2 ? 0 : this.escape - 1;
      return true;
    }
    if (char === "\\") {
      this.escape = 1;
      return true;
    }
    if (char < " ") return false;
    if (char === '"') {
      this.inString = false;
      if (this.stringIsKey) this.expect = "colon";
      else this.valueDone();
    }
    return true;
  }

  private close(): boolean {
    this.stack.pop();
    this.valueDone();
    return true;
  }

  private valueDone(): void {
    this.expect = this.stack.length === 0 ? "end" : "comma-or-close";
  }
}

/**
 * `tool_use.input` for the arguments text of a call, by the same rule the stream follows: the parsed
 * object when the text is one; `{}` for no arguments; otherwise its longest valid prefix, closed by
 * `JsonObjectScanner.completion()` (a call cut by `max_tokens` keeps what it had); and a text that does
 * not even begin as an object is wrapped as `{"raw_input": <text>}` so the client sees what came.
 */
export function parseToolInput(args: string): Record<string, unknown> {
  if (args.trim() === "") return {};
  try {
    const parsed: unknown = JSON.parse(args);
    if (typeof parsed === "object" && parsed !== null && !Array.isArray(parsed))
      return parsed as Record<string, unknown>;
  } catch {
    // not a whole object: keep its valid prefix below
  }
  if (!args.trimStart().startsWith("{")) return { raw_input: args };
  const scanner = new JsonObjectScanner();
  const prefix = scanner.feed(args);
  return JSON.parse(prefix + scanner.completion()) as Record<string, unknown>;
}
