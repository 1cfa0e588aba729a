// vLLM's OpenAI-compatible chat completions API, as far as the gateway produces or consumes it
// (vllm/entrypoints/openai/protocol.py; chat_completion/serving.py). Responses are read defensively:
// every field may be missing, since vLLM serialises chunks with `exclude_unset=True`.

export interface ChatToolCall {
  id: string;
  type: "function";
  function: { name: string; arguments: string };
}

/** A part of a user message sent to a vision model: text, or an image by URL (a `data:` URI for bytes). */
export type ChatContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

export type ChatMessage =
  | { role: "system"; content: string }
  | { role: "user"; content: string | ChatContentPart[] }
  | {
      role: "assistant";
      content: string;
      tool_calls?: ChatToolCall[];
      /** Read by current vLLM; `reasoning_content` alone is dropped there (chat_utils.py). */
      reasoning?: string;
      /** Read by older vLLM and other servers. */
      reasoning_content?: string;
    }
  | { role: "tool"; tool_call_id: string; content: string };

export interface ChatTool {
  type: "function";
  function: { name: string; description?: string; parameters: Record<string, unknown> };
}

export type ChatToolChoice = "auto" | "required" | "none" | { type: "function"; function: { name: string } };

export interface ChatCompletionRequest {
  model: string;
  messages: ChatMessage[];
  max_tokens?: number;
  stream?: boolean;
  stream_options?: { include_usage: boolean; continuous_usage_stats: boolean };
  temperature?: number;
  top_p?: number;
  top_k?: number;
  stop?: string[];
  tools?: ChatTool[];
  tool_choice?: ChatToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: {
    type: "json_schema";
    json_schema: { name: string; schema: Record<string, unknown>; strict: boolean };
  };
  /** DeepSeek V3.2 thinks only when this is true (vllm/reasoning/deepseek_v3_reasoning_parser.py). */
  chat_template_kwargs: { thinking: boolean };
}

/** `POST /tokenize`, chat form (vllm/entrypoints/serve/tokenize/protocol.py). */
export interface TokenizeChatRequest {
  model: string;
  messages: ChatMessage[];
  tools?: ChatTool[];
  chat_template_kwargs: { thinking: boolean };
  add_generation_prompt: true;
}

export interface ChatUsage {
  prompt_tokens?: number;
  completion_tokens?: number;
  total_tokens?: number;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
}

export interface ChatToolCallDelta {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

export interface ChatCompletionChunk {
  id?: string;
  choices?: {
    index?: number;
    delta?: {
      role?: string;
      content?: string | null;
      reasoning?: string | null;
      reasoning_content?: string | null;
      tool_calls?: ChatToolCallDelta[] | null;
    };
    finish_reason?: string | null;
    /** The stop string or token id that ended the completion, or null. */
    stop_reason?: string | number | null;
  }[];
  usage?: ChatUsage | null;
  /** vLLM's in-stream error (`create_streaming_error_response`); older versions use `object: "error"`. */
  error?: { message?: string; type?: string; code?: number | string };
  object?: string;
  message?: string;
}

export interface ChatCompletion {
  id?: string;
  choices?: {
    index?: number;
    message?: {
      role?: string;
      content?: string | null;
      reasoning?: string | null;
      reasoning_content?: string | null;
      tool_calls?: { id?: string; type?: string; function?: { name?: string; arguments?: string } }[] | null;
    };
    finish_reason?: string | null;
    stop_reason?: string | number | null;
  }[];
  usage?: ChatUsage | null;
}
