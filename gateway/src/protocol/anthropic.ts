import { z } from "zod";

// The Anthropic Messages API as the gateway accepts it (platform.claude.com/docs/en/api/messages).
// Objects are "loose": Claude Code sends fields that grow with every release (`context_management`,
// `output_config.effort`, tool beta fields, `cache_control` everywhere), and rejecting an unknown field
// breaks it (protocol reference §1.4, CC-40). Only what the translation consumes is checked here; content
// blocks are checked one by one where they are translated, so an error names the exact block.

/** A content block before its type is known; `translate-messages.ts` checks each type's fields. */
const contentBlockSchema = z.looseObject({ type: z.string() });

const messageSchema = z.looseObject({
  // `system` inside `messages` is what Claude Code's mid-conversation system messages look like (CC-24).
  role: z.enum(["user", "assistant", "system"]),
  content: z.union([z.string(), z.array(contentBlockSchema)]),
});

const systemTextBlockSchema = z.looseObject({ type: z.literal("text"), text: z.string() });

const toolSchema = z.looseObject({
  name: z.string().min(1),
  /** Absent or `custom` for client tools; versioned names (`web_search_20250305`) for server tools. */
  type: z.string().optional(),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
});

const toolChoiceSchema = z.discriminatedUnion("type", [
  z.looseObject({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("tool"), name: z.string(), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal("none") }),
]);

const thinkingSchema = z.looseObject({
  type: z.enum(["enabled", "disabled", "adaptive"]),
  budget_tokens: z.number().int().optional(),
});

const outputConfigSchema = z.looseObject({
  effort: z.string().optional(),
  format: z
    .looseObject({
      type: z.literal("json_schema"),
      schema: z.record(z.string(), z.unknown()),
      name: z.string().optional(),
    })
    .optional(),
});

/** The fields `/v1/messages` and `/v1/messages/count_tokens` share. */
const promptFields = {
  model: z.string().min(1),
  messages: z.array(messageSchema),
  system: z.union([z.string(), z.array(systemTextBlockSchema)]).optional(),
  tools: z.array(toolSchema).optional(),
  tool_choice: toolChoiceSchema.optional(),
  thinking: thinkingSchema.optional(),
  output_config: outputConfigSchema.optional(),
};

/** `POST /v1/messages`. `max_tokens: 0` is Anthropic's cache pre-warm: no output is generated. */
export const messagesRequestSchema = z.looseObject({
  ...promptFields,
  max_tokens: z.number().int().min(0),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string()).optional(),
  temperature: z.number().min(0).max(2).optional(),
  top_p: z.number().min(0).max(1).optional(),
  top_k: z.number().int().min(0).optional(),
  metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
});

/** `POST /v1/messages/count_tokens`: the prompt fields only, no `max_tokens` (api/messages/count_tokens). */
export const countTokensRequestSchema = z.looseObject({ ...promptFields });

export type MessagesRequest = z.infer<typeof messagesRequestSchema>;
export type CountTokensRequest = z.infer<typeof countTokensRequestSchema>;
/** What both endpoints translate: a prompt, with the generation fields when there are any. */
export type PromptRequest = CountTokensRequest & Partial<MessagesRequest>;
export type AnthropicTool = z.infer<typeof toolSchema>;
export type AnthropicToolChoice = z.infer<typeof toolChoiceSchema>;

/**
 * Validates a parsed body against `schema`. A failure is one line in the style of Anthropic's own
 * validation errors, e.g. `messages.1.role: Invalid option: expected one of "user"|"assistant"|"system"`.
 */
export function parseRequest<T>(
  schema: z.ZodType<T>,
  body: unknown,
): { ok: true; request: T } | { ok: false; message: string } {
  const result = schema.safeParse(body);
  if (result.success) return { ok: true, request: result.data };
  const issue = result.error.issues[0];
  const path = issue?.path.length ? issue.path.join(".") : "body";
  return { ok: false, message: `${path}: ${issue?.message ?? "invalid request"}` };
}

// ─── Responses ───────────────────────────────────────────────────────────────────────────────────

export type StopReason = "end_turn" | "max_tokens" | "stop_sequence" | "tool_use";

export type ResponseContentBlock =
  | { type: "thinking"; thinking: string; signature: string }
  | { type: "text"; text: string }
  | { type: "tool_use"; id: string; name: string; input: Record<string, unknown> };

/** `usage` as Anthropic reports it: `input_tokens` excludes cache reads (API-02). */
export interface Usage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
  output_tokens: number;
}

export interface AnthropicMessage {
  id: string;
  type: "message";
  role: "assistant";
  model: string;
  content: ResponseContentBlock[];
  stop_reason: StopReason;
  stop_sequence: string | null;
  usage: Usage;
}

/** Server-sent events of a streamed message (build-with-claude/streaming), `data.type` = event name. */
export type StreamEvent =
  | {
      type: "message_start";
      message: Omit<AnthropicMessage, "stop_reason" | "content"> & { content: []; stop_reason: null };
    }
  | {
      type: "content_block_start";
      index: number;
      content_block:
        | { type: "thinking"; thinking: ""; signature: "" }
        | { type: "text"; text: "" }
        | { type: "tool_use"; id: string; name: string; input: Record<string, never> };
    }
  | {
      type: "content_block_delta";
      index: number;
      delta:
        | { type: "thinking_delta"; thinking: string }
        | { type: "signature_delta"; signature: string }
        | { type: "text_delta"; text: string }
        | { type: "input_json_delta"; partial_json: string };
    }
  | { type: "content_block_stop"; index: number }
  | { type: "message_delta"; delta: { stop_reason: StopReason; stop_sequence: string | null }; usage: Usage }
  | { type: "message_stop" }
  | { type: "ping" }
  | { type: "error"; error: { type: AnthropicErrorType; message: string } };

export type AnthropicErrorType =
  | "invalid_request_error"
  | "authentication_error"
  | "billing_error"
  | "permission_error"
  | "not_found_error"
  | "conflict_error"
  | "request_too_large"
  | "rate_limit_error"
  | "api_error"
  | "timeout_error"
  | "overloaded_error";
