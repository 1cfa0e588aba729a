import type { AnthropicTool, AnthropicToolChoice } from "./anthropic.ts";
import type { ChatTool, ChatToolChoice } from "./openai.ts";

/** What to do with Anthropic server tools (`web_search_*`, `code_execution_*`…), which vLLM cannot run. */
export type ServerToolPolicy = "reject" | "strip";

export type TranslateToolsResult =
  | { ok: true; tools?: ChatTool[]; toolChoice?: ChatToolChoice; parallelToolCalls?: false }
  | { ok: false; message: string };

/** A client tool has no `type`, or `custom`; anything else is one of Anthropic's versioned server tools. */
function isServerTool(tool: AnthropicTool): boolean {
  return tool.type !== undefined && tool.type !== "custom";
}

/**
 * Anthropic tools and `tool_choice` → OpenAI functions (XL-40, XL-41). Only name, description and
 * `input_schema` carry over; beta fields (`cache_control`, `defer_loading`, `strict`,
 * `eager_input_streaming`, `input_examples`, `allowed_callers`) are dropped, and `type` never leaks into
 * `parameters`. Server tools are refused with a message naming their type, or stripped.
 */
export function translateTools(
  tools: AnthropicTool[] | undefined,
  choice: AnthropicToolChoice | undefined,
  serverTools: ServerToolPolicy,
): TranslateToolsResult {
  const clientTools: ChatTool[] = [];
  for (const [i, tool] of (tools ?? []).entries()) {
    if (isServerTool(tool)) {
      if (serverTools === "strip") continue;
      return {
        ok: false,
        message:
          `tools.${i}: server tool \`${tool.type}\` (${tool.name}) is not available: this deployment serves a ` +
          "self-hosted model that cannot run Anthropic's server tools",
      };
    }
    if (!tool.input_schema) return { ok: false, message: `tools.${i}.input_schema: Field required` };
    clientTools.push({
      type: "function",
      function: {
        name: tool.name,
        ...(tool.description ? { description: tool.description } : {}),
        parameters: tool.input_schema,
      },
    });
  }
  if (clientTools.length === 0) return { ok: true };

  let toolChoice: ChatToolChoice = "auto";
  if (choice?.type === "any") toolChoice = "required";
  else if (choice?.type === "none") toolChoice = "none";
  else if (choice?.type === "tool") {
    if (!clientTools.some((tool) => tool.function.name === choice.name)) {
      return { ok: false, message: `tool_choice.name: no tool named \`${choice.name}\` in \`tools\`` };
    }
    toolChoice = { type: "function", function: { name: choice.name } };
  }
  const parallel = choice && "disable_parallel_tool_use" in choice && choice.disable_parallel_tool_use === true;
  return { ok: true, tools: clientTools, toolChoice, ...(parallel ? { parallelToolCalls: false } : {}) };
}
