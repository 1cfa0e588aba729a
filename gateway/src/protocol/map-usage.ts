import type { Usage } from "./anthropic.ts";
import type { ChatUsage } from "./openai.ts";

/**
 * Anthropic usage from vLLM's (XL-70, XL-71): cached prompt tokens are cache reads and are left out of
 * `input_tokens`, so `input_tokens + cache_read_input_tokens` is the whole prompt; vLLM has no cache
 * writes; `output_tokens` includes reasoning. Without `prompt_tokens_details` every prompt token is input.
 */
export function mapUsage(usage: ChatUsage | null | undefined): Usage {
  const prompt = usage?.prompt_tokens ?? 0;
  const cached = Math.min(usage?.prompt_tokens_details?.cached_tokens ?? 0, prompt);
  return {
    input_tokens: prompt - cached,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: cached,
    output_tokens: usage?.completion_tokens ?? 0,
  };
}
