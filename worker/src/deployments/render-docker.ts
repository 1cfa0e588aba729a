import type { DeploymentTarget } from "./deployment-target.ts";
import type { RenderedDeployment } from "./driver.ts";
import { revisionHash } from "./revision-hash.ts";
import { ownerLabels, vllmCommand, vllmContainerPort, vllmImage, vllmServeArgs } from "./vllm-args.ts";

export const dockerRevisionLabel = "perimeter.dev/revision";
const port = `${vllmContainerPort}/tcp`;

/** The Docker Engine `POST /containers/create` body every replica of a revision shares. */
export interface DockerCreateOptions {
  Image: string;
  Entrypoint: string[];
  Cmd: string[];
  Env: string[];
  Labels: Record<string, string>;
  ExposedPorts: Record<string, Record<string, never>>;
  StopSignal: string;
  StopTimeout: number;
  HostConfig: Record<string, unknown>;
}

/**
 * Pure: the container every replica of the target runs. GPUs as a device request for the NVIDIA
 * runtime (Docker Engine API `DeviceRequest`: given device ids, else a count), shared memory sized for
 * tensor parallelism, the model cache bound at /models, the vLLM port published on `publishHost` at a
 * port Docker picks. Restart policy `no`: the reconciler replaces exited replicas itself, so crash
 * loops and the startup budget are counted in one place for every driver. The stop timeout covers
 * `--shutdown-timeout` (Docker's default of 10 s would cut the drain short).
 */
export function renderDocker(target: DeploymentTarget): RenderedDeployment {
  const { spec } = target;
  const docker = spec.docker ?? { publishHost: "127.0.0.1" };
  const deviceRequest = docker.gpuDeviceIds
    ? { Driver: "nvidia", DeviceIDs: docker.gpuDeviceIds, Capabilities: [["gpu"]] }
    : { Driver: "nvidia", Count: spec.gpu.count, Capabilities: [["gpu"]] };
  const binds = docker.modelCacheHostPath ? [`${docker.modelCacheHostPath}:/models`] : [];
  const options: DockerCreateOptions = {
    Image: vllmImage(target),
    Entrypoint: vllmCommand(target),
    Cmd: vllmServeArgs(target, { host: "0.0.0.0", port: vllmContainerPort }),
    Env: [
      "HF_HOME=/models/hf",
      "VLLM_CACHE_ROOT=/models/vllm-cache",
      ...Object.entries(spec.env).map(([name, value]) => `${name}=${value}`),
    ],
    Labels: ownerLabels(target),
    ExposedPorts: { [port]: {} },
    StopSignal: "SIGTERM",
    StopTimeout: spec.drainTimeoutSec + 15,
    HostConfig: {
      DeviceRequests: [deviceRequest],
      ShmSize: Math.max(1, spec.gpu.count) * 8 * 2 ** 30,
      Binds: binds,
      PortBindings: { [port]: [{ HostIp: docker.publishHost, HostPort: "" }] },
      RestartPolicy: { Name: "no" },
    },
  };
  const revision = revisionHash(options);
  return { revision, artifact: { ...options, Labels: { ...options.Labels, [dockerRevisionLabel]: revision } } };
}
