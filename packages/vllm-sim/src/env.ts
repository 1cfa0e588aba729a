import { type ConfigResult, type EnvSource, loadConfigOrExit, parseConfig, portVar } from "@perimeter/runtime";
import { z } from "zod";

/**
 * The simulator's configuration, read once from the environment at boot. The rest of the package
 * takes these values as arguments and never reads `process.env`.
 */
export interface VllmSimConfig {
  port: number;
  host: string;
  model: string;
}

export const defaultModel = "umans-coder-v0";

/** The simulator's variables, mapped to its config once they are valid. */
const vllmSimEnvSchema = z
  .object({
    VLLM_SIM_PORT: portVar(8000),
    VLLM_SIM_HOST: z.string().default("127.0.0.1"),
    VLLM_SIM_MODEL: z
      .string()
      .regex(/^[\w.:/-]{1,128}$/, "must be a model name of letters, digits and . _ - : / (at most 128)")
      .default(defaultModel),
  })
  .transform((env): VllmSimConfig => ({ port: env.VLLM_SIM_PORT, host: env.VLLM_SIM_HOST, model: env.VLLM_SIM_MODEL }));

/**
 * Validates the simulator's variables in `source`. Empty strings count as unset, so `VLLM_SIM_PORT=`
 * falls back to the default. A failure comes back as one line naming every bad variable.
 */
export function parseVllmSimEnv(source: EnvSource): ConfigResult<VllmSimConfig> {
  return parseConfig(vllmSimEnvSchema, source);
}

/**
 * Reads the configuration from `process.env`. On a bad value it prints one line to stderr and ends
 * the process with exit code 78, before anything has been started.
 */
export function loadVllmSimConfig(): VllmSimConfig {
  return loadConfigOrExit(vllmSimEnvSchema, process.env);
}
