export type { LatencyConfig } from "./env.ts";
export type { SimRule, SimScript, SimToolCall, SimTurn } from "./sim-script.ts";
export type { SimRecordedRequest } from "./sim-state.ts";
export { type RunningVllmSim, simulatedVllmVersion, startVllmSim, type VllmSimOptions } from "./start-vllm-sim.ts";
export { countTokens, tokenize } from "./tokenizer.ts";
