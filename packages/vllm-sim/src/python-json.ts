/**
 * `json.dumps(value, ensure_ascii=False)` as Python writes it: `", "` between items and `": "` after
 * keys, keys in insertion order, non-ASCII characters kept. The DeepSeek V3.2 encoder renders tool
 * schemas this way (`to_json` in vLLM's `deepseek_v32_encoding.py`) and vLLM's `deepseek_v32` tool
 * parser rebuilds call arguments with the same separators, so prompts and streamed arguments look
 * like the real ones.
 */
export function pythonJsonDumps(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "string") return JSON.stringify(value);
  if (typeof value === "number") return Number.isFinite(value) ? JSON.stringify(value) : "NaN";
  if (typeof value === "boolean") return value ? "true" : "false";
  if (Array.isArray(value)) return `[${value.map(pythonJsonDumps).join(", ")}]`;
  if (typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, item]) => item !== undefined);
    return `{${entries.map(([key, item]) => `${JSON.stringify(key)}: ${pythonJsonDumps(item)}`).join(", ")}}`;
  }
  return JSON.stringify(String(value));
}
