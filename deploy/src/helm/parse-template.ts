// Parser for the part of Go's text/template language the chart's templates use (Helm renders charts
// with text/template plus Sprig). Semantics follow Go's `text/template/parse` package: `{{-` and `-}}`
// trim the surrounding white space, `{{/* */}}` is a comment, a pipeline is commands joined by `|`.
// Anything outside the subset (block, break, continue, character constants) is a parse error rather
// than a silently different rendering.

/** A value in a template: `.A.B`, `$x.A`, a literal, a function name or a parenthesised pipeline. */
export type Operand =
  | { kind: "field"; path: string[] }
  | { kind: "variable"; name: string; path: string[] }
  | { kind: "function"; name: string }
  | { kind: "string"; value: string }
  | { kind: "number"; value: number; integer: boolean }
  | { kind: "bool"; value: boolean }
  | { kind: "nil" }
  | { kind: "group"; pipeline: Pipeline; path: string[] };

export interface Pipeline {
  /** `$x := …` declares, `$x = …` assigns; `range $i, $v := …` names two. */
  variables: string[];
  assign: ":=" | "=" | null;
  commands: Operand[][];
  line: number;
}

export type TemplateNode =
  | { kind: "text"; text: string }
  | { kind: "output"; pipeline: Pipeline }
  | { kind: "if"; branches: { condition: Pipeline; body: TemplateNode[] }[]; otherwise: TemplateNode[] | null }
  | { kind: "range"; pipeline: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[] | null }
  | { kind: "with"; pipeline: Pipeline; body: TemplateNode[]; otherwise: TemplateNode[] | null }
  | { kind: "template"; name: string; pipeline: Pipeline | null; line: number };

export interface ParsedTemplate {
  nodes: TemplateNode[];
  /** `{{ define "name" }}` bodies, which Helm shares between every file of a chart. */
  defines: Map<string, TemplateNode[]>;
}

export class TemplateSyntaxError extends Error {
  override name = "TemplateSyntaxError";
}

interface RawAction {
  source: string;
  line: number;
}

type Piece = { kind: "text"; text: string } | { kind: "action"; action: RawAction };

/** Splits a template into text and actions, applying the trim markers. */
function splitActions(file: string, source: string): Piece[] {
  const pieces: Piece[] = [];
  let position = 0;
  let trimNextText = false;
  const pushText = (text: string) => {
    pieces.push({ kind: "text", text: trimNextText ? text.replace(/^\s+/, "") : text });
    trimNextText = false;
  };
  while (position < source.length) {
    const open = source.indexOf("{{", position);
    if (open === -1) {
      pushText(source.slice(position));
      break;
    }
    let text = source.slice(position, open);
    let start = open + 2;
    // Go requires a space after the dash, so `{{-3}}` is the number -3, not a trim.
    if (/^-\s/.test(source.slice(start, start + 2))) {
      text = text.replace(/\s+$/, "");
      start += 1;
    }
    pushText(text);
    const line = source.slice(0, open).split("\n").length;
    const close = findActionEnd(file, source, start, line);
    let end = close;
    if (/\s-$/.test(source.slice(close - 2, close))) {
      end = close - 1;
      trimNextText = true;
    }
    const body = source.slice(start, end).trim();
    if (!(body.startsWith("/*") && body.endsWith("*/")))
      pieces.push({ kind: "action", action: { source: body, line } });
    position = close + 2;
  }
  return pieces;
}

/** Index of the `}}` closing the action that starts at `start`, skipping quoted strings and comments. */
function findActionEnd(file: string, source: string, start: number, line: number): number {
  if (source.slice(start).trimStart().startsWith("/*")) {
    const commentEnd = source.indexOf("*/", start);
    const close = commentEnd === -1 ? -1 : source.indexOf("}}", commentEnd);
    if (close === -1) throw new TemplateSyntaxError(`${file}:${line}: unclosed comment`);
    return close;
  }
  let quote: string | null = null;
  for (let i = start; i < source.length; i++) {
    const char = source[i];
    if (quote) {
      if (char === "\\" && quote === '"') i++;
      else if (char === quote) quote = null;
    } else if (char === '"' || char === "`") {
      quote = char;
    } else if (char === "}" && source[i + 1] === "}") {
      return i;
    }
  }
  throw new TemplateSyntaxError(`${file}:${line}: unclosed action`);
}

type Token =
  | { kind: "punct"; value: "(" | ")" | "|" | ":=" | "=" | "," }
  | { kind: "operand"; operand: Operand }
  | { kind: "path"; path: string[] };

const identifier = /^[A-Za-z_][A-Za-z0-9_]*/;
const fieldChain = /^(\.[A-Za-z_][A-Za-z0-9_]*)+/;

function tokenize(file: string, action: RawAction): Token[] {
  const tokens: Token[] = [];
  const src = action.source;
  const fail = (message: string): never => {
    throw new TemplateSyntaxError(`${file}:${action.line}: ${message} in {{ ${src} }}`);
  };
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    const char = src[i] as string;
    if (/\s/.test(char)) {
      i++;
      continue;
    }
    if (rest.startsWith(":=")) {
      tokens.push({ kind: "punct", value: ":=" });
      i += 2;
    } else if ("()|=,".includes(char)) {
      tokens.push({ kind: "punct", value: char as "(" | ")" | "|" | "=" | "," });
      i++;
      // A field chain straight after `)` applies to the group: `(include "x" .).Field` is not used, but
      // Go allows it, so it is read rather than mistaken for a new operand.
      const after = src.slice(i).match(fieldChain);
      if (char === ")" && after) {
        tokens.push({ kind: "path", path: after[0].slice(1).split(".") });
        i += after[0].length;
      }
    } else if (char === '"') {
      let j = i + 1;
      while (j < src.length && src[j] !== '"') j += src[j] === "\\" ? 2 : 1;
      if (j >= src.length) fail("unterminated string");
      tokens.push({ kind: "operand", operand: { kind: "string", value: JSON.parse(src.slice(i, j + 1)) as string } });
      i = j + 1;
    } else if (char === "`") {
      const j = src.indexOf("`", i + 1);
      if (j === -1) fail("unterminated raw string");
      tokens.push({ kind: "operand", operand: { kind: "string", value: src.slice(i + 1, j) } });
      i = j + 1;
    } else if (char === "$") {
      const name = rest.slice(1).match(identifier)?.[0] ?? "";
      i += 1 + name.length;
      const chain = src.slice(i).match(fieldChain)?.[0] ?? "";
      i += chain.length;
      const path = chain ? chain.slice(1).split(".") : [];
      tokens.push({ kind: "operand", operand: { kind: "variable", name: `$${name}`, path } });
    } else if (char === ".") {
      const chain = rest.match(fieldChain)?.[0];
      if (chain) {
        tokens.push({ kind: "operand", operand: { kind: "field", path: chain.slice(1).split(".") } });
        i += chain.length;
      } else {
        tokens.push({ kind: "operand", operand: { kind: "field", path: [] } });
        i++;
      }
    } else if (/[-+\d]/.test(char)) {
      const literal = rest.match(/^[-+]?(\d+\.?\d*([eE][-+]?\d+)?|\.\d+)/)?.[0];
      if (!literal) fail(`unexpected "${char}"`);
      const text = literal as string;
      tokens.push({
        kind: "operand",
        operand: { kind: "number", value: Number(text), integer: /^[-+]?\d+$/.test(text) },
      });
      i += text.length;
    } else {
      const name = rest.match(identifier)?.[0];
      if (!name) fail(`unexpected "${char}"`);
      const word = name as string;
      i += word.length;
      if (word === "true" || word === "false") {
        tokens.push({ kind: "operand", operand: { kind: "bool", value: word === "true" } });
      } else if (word === "nil") {
        tokens.push({ kind: "operand", operand: { kind: "nil" } });
      } else {
        tokens.push({ kind: "operand", operand: { kind: "function", name: word } });
      }
    }
  }
  return tokens;
}

/** Reads a pipeline from `tokens` (the whole action after its keyword). */
function parsePipeline(file: string, action: RawAction, tokens: Token[], allowDeclaration: boolean): Pipeline {
  const fail = (message: string): never => {
    throw new TemplateSyntaxError(`${file}:${action.line}: ${message} in {{ ${action.source} }}`);
  };
  const pipeline: Pipeline = { variables: [], assign: null, commands: [], line: action.line };
  let index = 0;
  const declarationEnd = tokens.findIndex((t) => t.kind === "punct" && (t.value === ":=" || t.value === "="));
  if (declarationEnd !== -1) {
    const head = tokens.slice(0, declarationEnd);
    const names = head.filter((_, n) => n % 2 === 0);
    const commas = head.filter((_, n) => n % 2 === 1);
    const isVariable = (t: Token) =>
      t.kind === "operand" && t.operand.kind === "variable" && t.operand.path.length === 0;
    if (names.every(isVariable) && commas.every((t) => t.kind === "punct" && t.value === ",")) {
      if (!allowDeclaration) fail("a variable cannot be declared here");
      pipeline.variables = names.map((t) =>
        t.kind === "operand" && t.operand.kind === "variable" ? t.operand.name : "",
      );
      const op = tokens[declarationEnd];
      pipeline.assign = op?.kind === "punct" && op.value === "=" ? "=" : ":=";
      index = declarationEnd + 1;
    }
  }
  const readOperand = (): Operand => {
    const token = tokens[index++];
    if (!token) return fail("missing value");
    if (token.kind === "operand") return token.operand;
    if (token.kind === "punct" && token.value === "(") {
      let depth = 1;
      const start = index;
      while (index < tokens.length && depth > 0) {
        const t = tokens[index++];
        if (t?.kind === "punct" && t.value === "(") depth++;
        if (t?.kind === "punct" && t.value === ")") depth--;
      }
      if (depth !== 0) fail("unclosed parenthesis");
      const inner = parsePipeline(file, action, tokens.slice(start, index - 1), false);
      const next = tokens[index];
      const path = next?.kind === "path" ? next.path : [];
      if (next?.kind === "path") index++;
      return { kind: "group", pipeline: inner, path };
    }
    return fail(`unexpected "${token.kind === "punct" ? token.value : "field"}"`);
  };
  let command: Operand[] = [];
  while (index < tokens.length) {
    const token = tokens[index];
    if (token?.kind === "punct" && token.value === "|") {
      if (command.length === 0) fail("missing command before |");
      pipeline.commands.push(command);
      command = [];
      index++;
      continue;
    }
    command.push(readOperand());
  }
  if (command.length === 0) fail("missing command");
  pipeline.commands.push(command);
  return pipeline;
}

type Frame =
  | { kind: "root"; nodes: TemplateNode[] }
  | { kind: "if"; node: Extract<TemplateNode, { kind: "if" }>; nodes: TemplateNode[] }
  | { kind: "range" | "with"; node: Extract<TemplateNode, { kind: "range" | "with" }>; nodes: TemplateNode[] }
  | { kind: "define"; name: string; nodes: TemplateNode[] };

/**
 * Parses one template file. Throws `TemplateSyntaxError` naming the file and line on anything
 * malformed or outside the supported subset.
 */
export function parseTemplate(file: string, source: string): ParsedTemplate {
  const defines = new Map<string, TemplateNode[]>();
  const root: Frame = { kind: "root", nodes: [] };
  const stack: Frame[] = [root];
  const top = () => stack[stack.length - 1] as Frame;
  for (const piece of splitActions(file, source)) {
    if (piece.kind === "text") {
      if (piece.text) top().nodes.push({ kind: "text", text: piece.text });
      continue;
    }
    const { action } = piece;
    const fail = (message: string): never => {
      throw new TemplateSyntaxError(`${file}:${action.line}: ${message}`);
    };
    const tokens = tokenize(file, action);
    const first = tokens[0];
    const keyword = first?.kind === "operand" && first.operand.kind === "function" ? first.operand.name : null;
    const rest = tokens.slice(1);
    switch (keyword) {
      case "if": {
        const node: Extract<TemplateNode, { kind: "if" }> = {
          kind: "if",
          branches: [{ condition: parsePipeline(file, action, rest, true), body: [] }],
          otherwise: null,
        };
        top().nodes.push(node);
        stack.push({ kind: "if", node, nodes: (node.branches[0] as { body: TemplateNode[] }).body });
        break;
      }
      case "range":
      case "with": {
        const node = { kind: keyword, pipeline: parsePipeline(file, action, rest, true), body: [], otherwise: null };
        top().nodes.push(node);
        stack.push({ kind: keyword, node, nodes: node.body });
        break;
      }
      case "else": {
        const frame = top();
        if (frame.kind !== "if" && frame.kind !== "range" && frame.kind !== "with") fail("else outside if/range/with");
        const elseIf =
          rest[0]?.kind === "operand" && rest[0].operand.kind === "function" && rest[0].operand.name === "if";
        if (frame.kind === "if" && elseIf) {
          if (frame.node.otherwise) fail("else if after else");
          const branch = { condition: parsePipeline(file, action, rest.slice(1), true), body: [] };
          frame.node.branches.push(branch);
          frame.nodes = branch.body;
        } else if (rest.length > 0) {
          fail("only `else if` may follow else");
        } else {
          const otherwise: TemplateNode[] = [];
          (frame as Extract<Frame, { kind: "if" | "range" | "with" }>).node.otherwise = otherwise;
          frame.nodes = otherwise;
        }
        break;
      }
      case "end": {
        const frame = stack.pop() as Frame;
        if (frame.kind === "root") fail("end without a block");
        if (frame.kind === "define") defines.set(frame.name, frame.nodes);
        break;
      }
      case "define": {
        const name = rest[0]?.kind === "operand" && rest[0].operand.kind === "string" ? rest[0].operand.value : null;
        if (name === null || rest.length !== 1) return fail("define takes one quoted name");
        if (stack.length !== 1) fail("define inside a block");
        stack.push({ kind: "define", name, nodes: [] });
        break;
      }
      case "template": {
        const name = rest[0]?.kind === "operand" && rest[0].operand.kind === "string" ? rest[0].operand.value : null;
        if (name === null) return fail("template takes a quoted name");
        const argument = rest.length > 1 ? parsePipeline(file, action, rest.slice(1), false) : null;
        top().nodes.push({ kind: "template", name, pipeline: argument, line: action.line });
        break;
      }
      case "block":
      case "break":
      case "continue":
        return fail(`{{ ${keyword} }} is not supported by this renderer`);
      default:
        top().nodes.push({ kind: "output", pipeline: parsePipeline(file, action, tokens, true) });
    }
  }
  if (stack.length !== 1) throw new TemplateSyntaxError(`${file}: unclosed {{ ${top().kind} }} at end of file`);
  return { nodes: root.nodes, defines };
}
