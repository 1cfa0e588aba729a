/**
 * An upper estimate of a prompt's tokens from the JSON body sent to vLLM: one token per three bytes. BPE
 * tokenizers average 3.5–4 characters per token on English and code, and the JSON around the text
 * (escapes, field names, tool schemas) only adds bytes, so real prompts come in below it; settlement
 * replaces it by vLLM's count. It must err high: a budget is exact only while reservations cover usage.
 */
export function estimateInputTokens(serializedRequest: string): number {
  return Math.ceil(Buffer.byteLength(serializedRequest) / 3);
}
