import { z } from "zod";

// The OpenAI Responses API as far as the gateway serves it (platform.openai.com/docs/api-reference/responses):
// what Codex CLI and the official `openai` SDK send and read. Objects are loose, like the Anthropic
// schemas: unknown fields are ignored. Input items and tools are checked one by one where they are
// translated (`translate-responses-request.ts`), so an error names the exact item.

/** An input item or tool before its type is known. */
const typedSchema = z.looseObject({ type: z.string().optional() });

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), z.array(typedSchema)]),
  instructions: z.string().nullish(),
  tools: z.array(typedSchema).nullish(),
  tool_choice: z.union([z.string(), typedSchema]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  max_output_tokens: z.number().int().min(1).nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: z.string().nullish() }).nullish(),
  temperature: z.number().nullish(),
  top_p: z.number().nullish(),
  stream: z.boolean().nullish(),
  store: z.boolean().nullish(),
  text: z
    .looseObject({
      format: z
        .looseObject({
          type: z.string(),
          name: z.string().optional(),
          schema: z.record(z.string(), z.unknown()).optional(),
          strict: z.boolean().nullish(),
        })
        .nullish(),
    })
    .nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

// ─── Output ──────────────────────────────────────────────────────────────────────────────────────

export interface ReasoningItem {
  type: "reasoning";
  id: string;
  summary: { type: "summary_text"; text: string }[];
  /** The model's raw reasoning, as vLLM's own Responses server and Codex's `reasoning_text` read it. */
  content: { type: "reasoning_text"; text: string }[];
  status?: "in_progress" | "completed" | "incomplete";
}

export interface OutputText {
  type: "output_text";
  text: string;
  annotations: never[];
  logprobs: never[];
}

export interface MessageItem {
  type: "message";
  id: string;
  role: "assistant";
  status: "in_progress" | "completed" | "incomplete";
  content: OutputText[];
}

export interface FunctionCallItem {
  type: "function_call";
  id: string;
  call_id: string;
  name: string;
  /** Set when the function came from a `namespace` tool, so the client dispatches it there. */
  namespace?: string;
  arguments: string;
  status: "in_progress" | "completed" | "incomplete";
}

export type OutputItem = ReasoningItem | MessageItem | FunctionCallItem;

export interface ResponsesUsage {
  /** The whole prompt, cached tokens included (unlike Anthropic's `input_tokens`). */
  input_tokens: number;
  input_tokens_details: { cached_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

export type ResponseStatus = "in_progress" | "completed" | "incomplete" | "failed";

/** A Response object (`object: "response"`). */
export interface ResponseObject {
  id: string;
  object: "response";
  created_at: number;
  status: ResponseStatus;
  error: { code: string; message: string } | null;
  incomplete_details: { reason: "max_output_tokens" | "content_filter" } | null;
  instructions: string | null;
  max_output_tokens: number | null;
  model: string;
  output: OutputItem[];
  parallel_tool_calls: boolean;
  previous_response_id: null;
  reasoning: { effort: string | null; summary: string | null };
  store: false;
  temperature: number | null;
  text: { format: { type: string } };
  tool_choice: unknown;
  tools: unknown[];
  top_p: number | null;
  truncation: "disabled";
  usage: ResponsesUsage | null;
  metadata: Record<string, string>;
}

/** One event of a streamed response; `sequence_number` is added by the translator. */
export type ResponsesStreamEvent = { type: string; sequence_number: number } & Record<string, unknown>;
