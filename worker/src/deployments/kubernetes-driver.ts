import {
  AppsV1Api,
  CoreV1Api,
  KubeConfig,
  KubernetesObjectApi,
  PatchStrategy,
  type V1Deployment,
  type V1Pod,
} from "@kubernetes/client-node";
import type { DeploymentTarget } from "./deployment-target.ts";
import type { DeploymentDriver, DriverObservation, DriverReplica } from "./driver.ts";
import { type KubernetesArtifact, k8sKeys, k8sNames, renderKubernetes } from "./render-kubernetes.ts";
import { vllmContainerPort } from "./vllm-args.ts";

export interface KubernetesDriverOptions {
  kubeConfig: KubeConfig;
  defaultNamespace: string;
  /** Server-side apply field manager: the owner of every field Perimeter sets. */
  fieldManager?: string;
}

/** Where the driver finds the API server: a kubeconfig file, or the pod's service account. */
export type KubernetesConnection =
  | { kubeconfigPath: string }
  | { inCluster: { host: string; port: number } }
  | { server: string; token?: string };

const serviceAccountDir = "/var/run/secrets/kubernetes.io/serviceaccount";

/**
 * A `KubeConfig` for the connection, built from values `env.ts` parsed (client-node's own
 * `loadFromDefault`/`loadFromCluster` would read `process.env` themselves). In a pod the token is read
 * from its file on every request, so a rotated service-account token keeps working.
 */
export function kubeConfigFor(connection: KubernetesConnection): KubeConfig {
  const kc = new KubeConfig();
  if ("kubeconfigPath" in connection) {
    kc.loadFromFile(connection.kubeconfigPath);
  } else if ("inCluster" in connection) {
    const { host, port } = connection.inCluster;
    const server = `https://${host.includes(":") ? `[${host}]` : host}:${port}`;
    kc.loadFromClusterAndUser(
      { name: "in-cluster", server, caFile: `${serviceAccountDir}/ca.crt`, skipTLSVerify: false },
      { name: "in-cluster", authProvider: { name: "tokenFile", config: { tokenFile: `${serviceAccountDir}/token` } } },
    );
  } else {
    // client-node refuses plain http unless told TLS checks are off; there is no TLS to check then.
    const plainHttp = connection.server.startsWith("http:");
    kc.loadFromClusterAndUser(
      { name: "perimeter", server: connection.server, skipTLSVerify: plainHttp },
      { name: "perimeter", ...(connection.token ? { token: connection.token } : {}) },
    );
  }
  return kc;
}

function isNotFound(error: unknown): boolean {
  return (error as { code?: unknown }).code === 404;
}

async function orNull<T>(request: Promise<T>): Promise<T | null> {
  try {
    return await request;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/**
 * A pod as a replica, following the pod-state table of docs/deployments.md: Pending pods are
 * provisioning (with Unschedulable or image-pull reasons surfaced), a started container not yet ready is
 * loading, CrashLoopBackOff is unhealthy with the last exit, a deletion timestamp means terminating
 * (out of routing at once), and a pod without an IP has no endpoint.
 */
export function podToReplica(pod: V1Pod): DriverReplica {
  const status = pod.status ?? {};
  const container = status.containerStatuses?.find((entry) => entry.name === "vllm");
  const waiting = container?.state?.waiting;
  const lastExit = container?.lastState?.terminated;
  const base = {
    name: pod.metadata?.name ?? "",
    revision: pod.metadata?.labels?.[k8sKeys.revision] ?? null,
    endpoint: status.podIP ? `http://${status.podIP}:${vllmContainerPort}` : null,
    startedAt: status.startTime ? new Date(status.startTime) : null,
    terminating: Boolean(pod.metadata?.deletionTimestamp),
  };
  if (status.phase === "Succeeded" || status.phase === "Failed") {
    return { ...base, phase: "exited", reason: status.reason ?? status.phase, message: status.message ?? null };
  }
  if (status.phase !== "Running" || !status.podIP) {
    const unschedulable = status.conditions?.find((c) => c.type === "PodScheduled" && c.status === "False");
    const reason = unschedulable?.reason ?? waiting?.reason ?? "Pending";
    return { ...base, phase: "provisioning", reason, message: unschedulable?.message ?? waiting?.message ?? null };
  }
  if (waiting?.reason === "CrashLoopBackOff") {
    const detail = lastExit ? `exit ${lastExit.exitCode} (${lastExit.reason ?? "Error"})` : (waiting.message ?? null);
    return {
      ...base,
      phase: "running",
      ready: false,
      reason: "CrashLoop",
      message: detail,
      exitCode: lastExit?.exitCode,
    };
  }
  if (container?.ready) return { ...base, phase: "running", ready: true };
  // `started` stays false until the startup probe (on /v1/models) passes: the model is still loading.
  const reason = container?.started ? "NotReady" : "Loading";
  return { ...base, phase: "running", ready: false, reason, message: null };
}

/**
 * The rollout state the way `kubectl rollout status` judges it, since the Deployment's conditions alone
 * are unreliable for "done" (kubernetes#124264): a stuck rollout and the first reason pods are pending.
 */
function rolloutMessage(deployment: V1Deployment | null, replicas: DriverReplica[]): string | null {
  const stuck = deployment?.status?.conditions?.find(
    (c) => c.type === "Progressing" && c.status === "False" && c.reason === "ProgressDeadlineExceeded",
  );
  if (stuck) return `rollout stuck: ${stuck.message ?? "progress deadline exceeded"}`;
  const pending = replicas.find((replica) => replica.phase === "provisioning" && replica.reason !== "Pending");
  return pending ? `${pending.reason}${pending.message ? `: ${pending.message}` : ""}` : null;
}

/**
 * Runs a deployment as a Kubernetes Deployment + Service, applied server-side (field manager
 * `perimeter`, forced, so re-applies are idempotent and our fields stay ours). The Deployment controller
 * rolls pods; pods carry probes and the preStop drain. Stop scales to zero and keeps the objects;
 * delete removes both. Namespaces and RBAC: docs/deployments.md.
 */
export function createKubernetesDriver(options: KubernetesDriverOptions): DeploymentDriver {
  const objects = KubernetesObjectApi.makeApiClient(options.kubeConfig);
  const core = options.kubeConfig.makeApiClient(CoreV1Api);
  const apps = options.kubeConfig.makeApiClient(AppsV1Api);
  const fieldManager = options.fieldManager ?? "perimeter";
  const namespaceOf = (target: DeploymentTarget) => target.spec.kubernetes?.namespace ?? options.defaultNamespace;

  return {
    kind: "kubernetes",
    managesRollout: true,
    render: (target) => renderKubernetes(target, options.defaultNamespace),

    async apply(_target, rendered) {
      const artifact = rendered.artifact as KubernetesArtifact;
      for (const object of artifact.objects) {
        await objects.patch(object as never, undefined, undefined, fieldManager, true, PatchStrategy.ServerSideApply);
      }
    },

    async observe(target): Promise<DriverObservation> {
      const namespace = namespaceOf(target);
      const names = k8sNames(target);
      const [deployment, service, pods] = await Promise.all([
        orNull(apps.readNamespacedDeployment({ name: names.deployment, namespace })),
        orNull(core.readNamespacedService({ name: names.service, namespace })),
        core.listNamespacedPod({ namespace, labelSelector: `${k8sKeys.deploymentId}=${target.id}` }),
      ]);
      const replicas = pods.items.map(podToReplica);
      return {
        resourcesExist: deployment !== null || service !== null || replicas.length > 0,
        appliedRevision: deployment?.metadata?.annotations?.[k8sKeys.revision] ?? null,
        appliedReplicas: deployment?.spec?.replicas ?? null,
        replicas,
        message: rolloutMessage(deployment, replicas),
      };
    },

    async delete(target) {
      const namespace = namespaceOf(target);
      const names = k8sNames(target);
      // Background propagation: the ReplicaSets and pods go after the Deployment, each with its grace period.
      await orNull(
        apps.deleteNamespacedDeployment({ name: names.deployment, namespace, propagationPolicy: "Background" }),
      );
      await orNull(core.deleteNamespacedService({ name: names.service, namespace }));
    },
  };
}
