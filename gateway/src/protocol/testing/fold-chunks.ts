import type { ChatCompletion, ChatCompletionChunk } from "../openai.ts";

/** What vLLM would have answered without streaming: the chunks folded into one completion. */
export function foldChunks(text: string): ChatCompletion {
  const message: { content: string; reasoning: string; calls: { id?: string; name?: string; args: string }[] } = {
    content: "",
    reasoning: "",
    calls: [],
  };
  let finish: string | null = null;
  let stop: string | number | null = null;
  let usage: ChatCompletion["usage"];
  for (const line of text.split("\n")) {
    if (!line.startsWith("data: ") || line === "data: [DONE]") continue;
    const chunk = JSON.parse(line.slice(6)) as ChatCompletionChunk;
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices?.[0];
    if (!choice) continue;
    message.content += choice.delta?.content ?? "";
    message.reasoning += choice.delta?.reasoning ?? choice.delta?.reasoning_content ?? "";
    for (const call of choice.delta?.tool_calls ?? []) {
      const index = call.index ?? 0;
      const slot = message.calls[index] ?? { args: "" };
      message.calls[index] = slot;
      slot.id ??= call.id;
      slot.name ??= call.function?.name;
      slot.args += call.function?.arguments ?? "";
    }
    if (choice.finish_reason) [finish, stop] = [choice.finish_reason, choice.stop_reason ?? null];
  }
  return {
    choices: [
      {
        message: {
          content: message.content || null,
          reasoning: message.reasoning || null,
          tool_calls: message.calls.map((call) => ({
            id: call.id,
            function: { name: call.name, arguments: call.args },
          })),
        },
        finish_reason: finish,
        stop_reason: stop,
      },
    ],
    usage,
  };
}
