import type { DeploymentTarget } from "./deployment-target.ts";
import type { RenderedDeployment } from "./driver.ts";
import { revisionHash } from "./revision-hash.ts";
import { vllmServeArgs } from "./vllm-args.ts";

/** How to start one simulator replica; `{PORT}` in args and env is replaced by the replica's port. */
export interface SimulatorArtifact {
  args: string[];
  env: Record<string, string>;
  /** The `vllm serve` line a real engine would get, hashed into the revision so any spec change rolls. */
  vllmArgs: string[];
}

export const portPlaceholder = "{PORT}";

/**
 * Pure: the `vllm-sim` command line for a target, in the simulator's CLI (`--port --host
 * --served-model-name --max-model-len [--startup-ms] [--script] [--no-latency] [--vision]`, the last for a
 * model that reads images), plus the same values
 * as the `VLLM_SIM_*` variables that earlier simulator versions read instead of flags.
 */
export function renderSimulator(target: DeploymentTarget, host: string): RenderedDeployment {
  const sim = target.spec.simulator ?? { startupMs: 2_000, noLatency: false };
  const maxModelLen = `${target.spec.maxModelLen ?? target.model.contextLength}`;
  const args = [
    "--port",
    portPlaceholder,
    "--host",
    host,
    "--served-model-name",
    target.model.servedName,
    "--max-model-len",
    maxModelLen,
    "--startup-ms",
    `${sim.startupMs}`,
  ];
  if (sim.script) args.push("--script", sim.script);
  if (sim.noLatency) args.push("--no-latency");
  if (target.model.supportsVision) args.push("--vision");
  const artifact: SimulatorArtifact = {
    args,
    env: { VLLM_SIM_PORT: portPlaceholder, VLLM_SIM_HOST: host, VLLM_SIM_MODEL: target.model.servedName },
    vllmArgs: vllmServeArgs(target, { host, port: 0 }),
  };
  return { revision: revisionHash(artifact), artifact };
}
