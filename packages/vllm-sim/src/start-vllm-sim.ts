import { randomUUID } from "node:crypto";
import { setTimeout as delay } from "node:timers/promises";
import { closeServer, listen } from "@perimeter/runtime";
import type { ChatContext } from "./chat-completion.ts";
import { defaultMaxModelLen, defaultModel, defaultModelPath, type LatencyConfig } from "./env.ts";
import { VllmMetrics } from "./metrics.ts";
import { buildModelList } from "./model-list.ts";
import { PrefixCache } from "./prefix-cache.ts";
import { Scheduler } from "./scheduler.ts";
import { createVllmSimServer } from "./server.ts";
import type { SimRule, SimScript, SimTurn } from "./sim-script.ts";
import { type SimRecordedRequest, SimState } from "./sim-state.ts";
import type { ReasoningField } from "./validate-chat-request.ts";

/** The vLLM release whose wire behaviour the simulator follows, reported by `GET /version`. */
export const simulatedVllmVersion = "0.20.0";

/** KV-cache capacity behind `vllm:kv_cache_usage_perc`: 65536 blocks of 16 tokens. */
const kvCacheTokens = 1_048_576;

export interface VllmSimOptions {
  /** `--served-model-name` (default `umans-coder`). */
  model?: string;
  /** `--model`, reported as `root` (default `umans-ai/umans-coder-v0`). */
  modelPath?: string;
  maxModelLen?: number;
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** Zero unless given: tests get immediate answers. */
  latency?: Partial<LatencyConfig>;
  /** Milliseconds the port stays closed, as while vLLM loads the model. */
  startupMs?: number;
  maxNumSeqs?: number;
  reasoningField?: ReasoningField;
  apiKey?: string;
  /** `--enable-auto-tool-choice` (default true); without it `tool_choice: "auto"` is refused. */
  enableAutoToolChoice?: boolean;
  /** `--enable-prompt-tokens-details` (default true): `prompt_tokens_details.cached_tokens` in usage. */
  enablePromptTokensDetails?: boolean;
  script?: SimScript;
  /**
   * Play a vision model (`--vision`): user messages may carry `image_url` data URLs, which count as
   * prompt tokens and are described by the default answer. Off by default: the text-only model refuses them.
   */
  vision?: boolean;
  /** Ids `chatcmpl-sim-000001`, … and `created` 1767225600, for golden transcripts. */
  deterministic?: boolean;
}

export interface RunningVllmSim {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234` (no `/v1`). */
  url: string;
  /** The next chat completions answer with these turns, in order, before any rule applies. */
  enqueue(...turns: SimTurn[]): void;
  /** Replaces the rule list. */
  setRules(rules: SimRule[]): void;
  /** Every request received (except `/sim/*`), oldest first. */
  requests(): SimRecordedRequest[];
  clearRequests(): void;
  /** Clears the queue, the rules, the recorded requests, the prefix cache and the metrics. */
  reset(): void;
  /** Stops accepting connections, drops open ones and resolves once the port is released. */
  close(): Promise<void>;
}

const deterministicCreated = 1_767_225_600;

/**
 * Starts the simulator in this process and resolves once it is listening (after `startupMs`, during
 * which the port is closed). A bad `script` throws before anything listens.
 */
export async function startVllmSim(options: VllmSimOptions = {}): Promise<RunningVllmSim> {
  const model = options.model ?? defaultModel;
  const maxModelLen = options.maxModelLen ?? defaultMaxModelLen;
  const state = new SimState();
  if (options.script) state.load(options.script);
  const scheduler = new Scheduler(options.maxNumSeqs ?? 256);
  const kv = { tokensInUse: 0 };
  const gauges = {
    running: () => scheduler.numRunning,
    waiting: () => scheduler.numWaiting,
    kvCacheUsage: () => Math.min(1, kv.tokensInUse / kvCacheTokens),
  };
  let metrics = new VllmMetrics(gauges);
  const cache = new PrefixCache();
  let sequence = 0;
  const chat: ChatContext = {
    model,
    maxModelLen,
    reasoningField: options.reasoningField ?? "reasoning",
    enableAutoToolChoice: options.enableAutoToolChoice ?? true,
    enablePromptTokensDetails: options.enablePromptTokensDetails ?? true,
    vision: options.vision ?? false,
    latency: { prefillOverheadMs: 0, ttftMsPerToken: 0, itlMs: 0, ...options.latency },
    state,
    cache,
    scheduler,
    get metrics() {
      return metrics;
    },
    kv,
    nextIdentity: () => {
      sequence += 1;
      return options.deterministic
        ? { id: `chatcmpl-sim-${String(sequence).padStart(6, "0")}`, created: deterministicCreated }
        : { id: `chatcmpl-${randomUUID().replaceAll("-", "")}`, created: Math.floor(Date.now() / 1000) };
    },
  };
  const reset = () => {
    state.reset();
    cache.clear();
    metrics = new VllmMetrics(gauges);
    sequence = 0;
  };
  const server = createVllmSimServer({
    chat,
    state,
    modelList: buildModelList({
      name: model,
      path: options.modelPath ?? defaultModelPath,
      maxModelLen,
      createdAtEpochSec: options.deterministic ? deterministicCreated : Math.floor(Date.now() / 1000),
    }),
    version: simulatedVllmVersion,
    apiKey: options.apiKey,
    renderMetrics: () => metrics.render(model),
    reset,
  });
  if (options.startupMs) await delay(options.startupMs);
  const url = await listen(server, options.port ?? 0, options.host ?? "127.0.0.1");
  return {
    url,
    enqueue: (...turns) => state.enqueue(turns),
    setRules: (rules) => state.setRules(rules),
    requests: () => state.requests(),
    clearRequests: () => state.clearRequests(),
    reset,
    // A test double has no requests worth draining: open connections are cut at once.
    close: () => closeServer(server, 0),
  };
}
