export { defaultModel, parseVllmSimEnv, type VllmSimConfig, vllmSimEnvSchema } from "./env.ts";
export { buildModelList, type ModelCard, type ModelList, type ServedModel } from "./model-list.ts";
export { createVllmSimServer, type VllmErrorBody } from "./server.ts";
export {
  defaultMaxModelLen,
  type RunningVllmSim,
  startVllmSim,
  type VllmSimOptions,
} from "./start-vllm-sim.ts";
