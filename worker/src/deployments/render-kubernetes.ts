import { effectiveRollout } from "@perimeter/core";
import type { DeploymentTarget } from "./deployment-target.ts";
import type { RenderedDeployment } from "./driver.ts";
import { revisionHash } from "./revision-hash.ts";
import { ownerLabels, vllmCommand, vllmContainerPort, vllmImage, vllmServeArgs } from "./vllm-args.ts";

/** Label and annotation keys the Kubernetes driver writes and selects on. */
export const k8sKeys = {
  deploymentId: "perimeter.dev/deployment-id",
  revision: "perimeter.dev/revision",
  generation: "perimeter.dev/generation",
} as const;

/** GPU Feature Discovery's product label values for the catalog's GPU types (overridable per spec). */
const gpuProducts: Record<string, string> = {
  "nvidia-h200": "NVIDIA-H200",
  "nvidia-h100": "NVIDIA-H100-80GB-HBM3",
  "nvidia-b200": "NVIDIA-B200",
  "nvidia-b300": "NVIDIA-B300",
};

/** The object names of a deployment: never `vllm…`, so no Service can inject `VLLM_PORT` (vllm#34199). */
export function k8sNames(target: DeploymentTarget): { deployment: string; service: string } {
  return { deployment: `perimeter-${target.name}`, service: `perimeter-${target.name}-engine` };
}

export interface KubernetesArtifact {
  namespace: string;
  objects: [Record<string, unknown>, Record<string, unknown>];
}

/**
 * Pure: the Deployment and Service for a target in `namespace` (the spec's, else `defaultNamespace`).
 * GPUs as `nvidia.com/gpu` requests, `/dev/shm` as a memory emptyDir (tensor parallelism shares
 * memory through it), the model cache at /models, a startup probe on `/v1/models` sized to the startup
 * budget (vLLM only listens once the model is loaded), readiness on `/v1/models` (the served model is
 * listed), liveness on `/health`. Draining: preStop sleep, then SIGTERM with `--shutdown-timeout`,
 * inside a grace period covering both. `Recreate` when replicas take GPUs, since a surge pod on a
 * full GPU cluster stays Pending forever. Service links off. The revision hashes the pod template.
 */
export function renderKubernetes(target: DeploymentTarget, defaultNamespace: string): RenderedDeployment {
  const { spec } = target;
  const k8s = spec.kubernetes ?? {};
  const namespace = k8s.namespace ?? defaultNamespace;
  const names = k8sNames(target);
  const labels = ownerLabels(target);
  const selector = { [k8sKeys.deploymentId]: target.id };
  const gpus = { "nvidia.com/gpu": `${spec.gpu.count}` };
  const cache = k8s.modelCache ?? { persistentVolumeClaim: "perimeter-models" };
  const env: Record<string, unknown>[] = [
    { name: "HF_HOME", value: "/models/hf" },
    // A persistent compile cache turns minutes of torch.compile into seconds on restart (vLLM docker docs).
    { name: "VLLM_CACHE_ROOT", value: "/models/vllm-cache" },
    ...Object.entries(spec.env).map(([name, value]) => ({ name, value })),
  ];
  if (k8s.hfTokenSecret) {
    env.push({ name: "HF_TOKEN", valueFrom: { secretKeyRef: { name: k8s.hfTokenSecret, key: "token" } } });
  }
  const product = gpuProducts[spec.gpu.type];
  const nodeSelector = k8s.nodeSelector ?? (product ? { "nvidia.com/gpu.product": product } : undefined);
  const probe = (path: string) => ({ httpGet: { path, port: "http" } });
  const container = {
    name: "vllm",
    image: vllmImage(target),
    command: vllmCommand(target),
    args: vllmServeArgs(target, { host: "0.0.0.0", port: vllmContainerPort }),
    env,
    ports: [{ name: "http", containerPort: vllmContainerPort, protocol: "TCP" }],
    resources: {
      requests: { ...gpus, ...(k8s.cpu ? { cpu: k8s.cpu } : {}), ...(k8s.memory ? { memory: k8s.memory } : {}) },
      limits: { ...gpus, ...(k8s.memory ? { memory: k8s.memory } : {}) },
    },
    volumeMounts: [
      { name: "models", mountPath: "/models" },
      { name: "shm", mountPath: "/dev/shm" },
    ],
    startupProbe: {
      ...probe("/v1/models"),
      periodSeconds: 10,
      timeoutSeconds: 5,
      failureThreshold: Math.ceil(spec.startupBudgetSec / 10),
    },
    readinessProbe: { ...probe("/v1/models"), periodSeconds: 5, timeoutSeconds: 3, failureThreshold: 3 },
    livenessProbe: { ...probe("/health"), periodSeconds: 10, timeoutSeconds: 5, failureThreshold: 6 },
    lifecycle: { preStop: { sleep: { seconds: spec.preStopSec } } },
  };
  const podSpec = {
    enableServiceLinks: false,
    automountServiceAccountToken: false,
    terminationGracePeriodSeconds: spec.preStopSec + spec.drainTimeoutSec + 15,
    ...(k8s.serviceAccountName ? { serviceAccountName: k8s.serviceAccountName } : {}),
    ...(k8s.runtimeClassName ? { runtimeClassName: k8s.runtimeClassName } : {}),
    ...(nodeSelector ? { nodeSelector } : {}),
    tolerations: k8s.tolerations ?? [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
    containers: [container],
    volumes: [
      "persistentVolumeClaim" in cache
        ? { name: "models", persistentVolumeClaim: { claimName: cache.persistentVolumeClaim } }
        : { name: "models", hostPath: { path: cache.hostPath, type: "DirectoryOrCreate" } },
      // Sized like the tensor-parallel workers' shared buffers need; memory-backed, counted against the pod.
      { name: "shm", emptyDir: { medium: "Memory", sizeLimit: `${Math.max(1, spec.gpu.count) * 8}Gi` } },
    ],
  };
  const revision = revisionHash(podSpec);
  const strategy =
    effectiveRollout(spec) === "recreate"
      ? { type: "Recreate" }
      : { type: "RollingUpdate", rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } };
  const deployment = {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: {
      name: names.deployment,
      namespace,
      labels,
      annotations: { [k8sKeys.revision]: revision, [k8sKeys.generation]: `${target.generation}` },
    },
    spec: {
      replicas: target.replicas,
      selector: { matchLabels: selector },
      strategy,
      // Past the startup budget plus scheduling slack a stuck rollout is reported, not waited on forever.
      progressDeadlineSeconds: spec.startupBudgetSec + 600,
      revisionHistoryLimit: 3,
      template: { metadata: { labels: { ...labels, [k8sKeys.revision]: revision } }, spec: podSpec },
    },
  };
  const service = {
    apiVersion: "v1",
    kind: "Service",
    metadata: { name: names.service, namespace, labels },
    spec: {
      type: "ClusterIP",
      selector,
      ports: [{ name: "http", port: vllmContainerPort, targetPort: "http", protocol: "TCP" }],
    },
  };
  const artifact: KubernetesArtifact = { namespace, objects: [deployment, service] };
  return { revision, artifact };
}
