import type { SimTurn } from "@perimeter/vllm-sim";

/**
 * Test-only: the simulator's answer the SDK tests script — reasoning, text, then a Write call whose
 * arguments stream in four fragments.
 */
export const writeToolTurn: SimTurn = {
  reasoning: "The user wants a file; I will call Write.",
  content: "Creating the file now.",
  toolCalls: [
    {
      id: "call_0123456789abcdef01234567",
      name: "Write",
      arguments: { file_path: "/work/hello.txt", content: "hello\n" },
      splitAt: [5, 17, 30],
    },
  ],
};
