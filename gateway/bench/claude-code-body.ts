// The ~60 KB request of the large-body load shape, rebuilt from a recorded Claude Code first turn
// (`fixtures/claude-code-first-turn.json`). The recording keeps the request's structure but shortens
// long strings to a prefix followed by `…[+N chars]`, and tool schemas to `{…properties: a, b}`; the
// builder puts the length back (the prefix's own words, repeated) and the schemas back (the property
// names and types listed in `fixtures/claude-code-tools.json`), so the body has the size and the shape
// of the real one: billing-header system block, cache_control marks, a mid-conversation system message,
// 24 tools with JSON schemas, adaptive thinking, metadata. Pure.

import recording from "./fixtures/claude-code-first-turn.json" with { type: "json" };
import toolCatalog from "./fixtures/claude-code-tools.json" with { type: "json" };

const truncation = /…\[\+(\d+) chars\]$/;
const shortenedSchema = /^\{…properties: (.*)\}$/;

/** `text` as it was before the recording cut it: its prefix, then that prefix's words until the length is back. */
export function restoreTruncatedText(text: string): string {
  const match = truncation.exec(text);
  if (!match) return text;
  const prefix = text.slice(0, match.index);
  const missing = Number(match[1]);
  const words = prefix.split(/\s+/).filter(Boolean);
  if (words.length === 0) return prefix + "x".repeat(missing);
  let filler = "";
  for (let i = 0; filler.length < missing; i++) filler += ` ${words[i % words.length]}`;
  return prefix + filler.slice(0, missing);
}

/** A JSON schema for a tool from the catalog's `props` line (`name*:type, other:type`; `*` = required). */
export function schemaFromProps(props: string): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const required: string[] = [];
  for (const entry of props.split(",").map((part) => part.trim())) {
    if (!entry) continue;
    const [rawName = "", type = "string"] = entry.split(":");
    const name = rawName.replace(/\*$/, "");
    if (rawName.endsWith("*")) required.push(name);
    properties[name] = { description: `The ${name.replace(/_/g, " ")} of this call.`, type };
  }
  return {
    $schema: "https://json-schema.org/draft/2020-12/schema",
    type: "object",
    properties,
    required,
    additionalProperties: false,
  };
}

function restoreValue(value: unknown): unknown {
  if (typeof value === "string") return restoreTruncatedText(value);
  if (Array.isArray(value)) return value.map(restoreValue);
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, restoreValue(item)]));
  }
  return value;
}

interface RecordedTool {
  name: string;
  input_schema: unknown;
  [field: string]: unknown;
}

/**
 * The recorded first turn as a complete Anthropic Messages body for `model`, non-streamed unless
 * `stream` (Claude Code streams; the large-body shape measures the non-stream path, as the peers' figures
 * do). Throws if the recording names a tool the catalog does not describe.
 */
export function claudeCodeFirstTurnBody(model: string, stream: boolean): Record<string, unknown> {
  const body = restoreValue(recording.body) as Record<string, unknown> & { tools: RecordedTool[] };
  const catalog = new Map(toolCatalog.map((tool) => [tool.name, tool.props]));
  const tools = body.tools.map((tool) => {
    if (typeof tool.input_schema !== "string" || !shortenedSchema.test(tool.input_schema)) return tool;
    const props = catalog.get(tool.name);
    if (props === undefined) throw new Error(`claude-code-tools.json has no tool named ${tool.name}`);
    return { ...tool, input_schema: schemaFromProps(props) };
  });
  return { ...body, model, stream, tools };
}

/** The recording's Claude Code headers, without the hop-by-hop ones and the (fake) credential. */
export function claudeCodeHeaders(): Record<string, string> {
  const dropped = new Set(["host", "connection", "content-length", "accept-encoding", "x-api-key"]);
  return Object.fromEntries(Object.entries(recording.headers).filter(([name]) => !dropped.has(name)));
}
