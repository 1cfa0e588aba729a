import type { ParsedSimTurn } from "./sim-script.ts";
import type { ToolChoice } from "./validate-chat-request.ts";

export interface DefaultTurnInput {
  /** Text of the last user or tool message. */
  lastText: string;
  toolChoice: ToolChoice;
  toolNames: string[];
  /** Descriptions of the request's images (vision mode); the answer is then those descriptions. */
  imageDescriptions?: string[];
}

/**
 * The answer when no turn is queued and no rule matches: a short deterministic sentence quoting the
 * start of the last user/tool text, with a one-line reasoning first (emitted only in thinking mode).
 * A forced or required tool choice gets a call with empty arguments, as guided decoding would force.
 * A vision model's request with images is answered with the images' descriptions instead.
 */
export function defaultTurn({ lastText, toolChoice, toolNames, imageDescriptions }: DefaultTurnInput): ParsedSimTurn {
  const quoted = lastText.replace(/\s+/g, " ").trim().slice(0, 60);
  const reasoning = `The last message has ${lastText.length} characters; a short answer will do.`;
  const forced =
    typeof toolChoice === "object" ? toolChoice.name : toolChoice === "required" ? toolNames[0] : undefined;
  if (forced !== undefined) return { reasoning, toolCalls: [{ name: forced, arguments: {} }] };
  if (imageDescriptions && imageDescriptions.length > 0) {
    const content = imageDescriptions.map((text, i) => `Image ${i + 1}: ${text}`).join("\n");
    return { reasoning: `The request carries ${imageDescriptions.length} image(s).`, content };
  }
  return { reasoning, content: `You said: "${quoted}". This is the vLLM simulator's default reply.` };
}
