import type { ModelFields } from "./model-fields.ts";

/**
 * The catalog every organization starts with. `umans-coder-v0` is DeepSeek V3.2 packaged by Umans,
 * served exactly as its published `docker run` line does: DeepSeek V3.2 needs its own tokenizer mode
 * (chat-template change), tool calls need `--enable-auto-tool-choice` plus the parser, and the reasoning
 * parser splits thinking from the answer (vllm-project/recipes DeepSeek-V3_2.md). Text-only.
 * Known to run at TP 8 on 8×H200 and on 4×B300 (TP 4, one GPU per shard).
 */
export const builtinModels: readonly ModelFields[] = [
  {
    publicName: "umans-coder-v0",
    aliases: [],
    servedName: "umans-coder",
    hfRepo: "umans-ai/umans-coder-v0",
    revision: null,
    tokenizerMode: "deepseek_v32",
    toolCallParser: "deepseek_v32",
    reasoningParser: "deepseek_v3",
    enableAutoToolChoice: true,
    contextLength: 163_840,
    maxOutputTokens: null,
    supportsVision: false,
    supportsTools: true,
    supportsThinking: true,
    defaultThinking: false,
    defaultImage: "umansai/vllm:0.1.2",
    serveCommand: ["uv", "run", "vllm", "serve"],
    hardwareProfiles: [
      { gpuType: "nvidia-h200", gpuCount: 8, tensorParallel: 8 },
      { gpuType: "nvidia-b300", gpuCount: 4, tensorParallel: 4 },
    ],
    enabled: true,
  },
];
