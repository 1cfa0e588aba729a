export { type RunningVllmSim, startVllmSim } from "./start-vllm-sim.ts";
