import type { DeploymentDriverKind } from "@perimeter/core";
import type { DeploymentTarget } from "./deployment-target.ts";

/** What `render` produces: the platform artifact and its revision (a hash of it, never of spec fields). */
export interface RenderedDeployment {
  revision: string;
  /** Kubernetes objects, Docker create options, a process argv, or the external URLs. */
  artifact: unknown;
}

/** Where a replica is in its life, as its platform reports it (health comes from probes). */
export type ReplicaPhase = "provisioning" | "running" | "exited";

export interface DriverReplica {
  /** The platform's name (pod, container, process record); unique within the deployment. */
  name: string;
  revision: string | null;
  /** Base URL of its vLLM server once it has an address. */
  endpoint: string | null;
  phase: ReplicaPhase;
  /**
   * The platform's own readiness verdict where it runs probes itself (Kubernetes). Undefined when the
   * worker's probes decide.
   */
  ready?: boolean;
  /** The platform is already stopping it (a pod with a deletion timestamp). */
  terminating?: boolean;
  startedAt: Date | null;
  exitCode?: number | null;
  /** Why it is not running (`Unschedulable`, `ImagePullBackOff`, `OOMKilled`…), with detail in `message`. */
  reason?: string | null;
  message?: string | null;
}

export interface DriverObservation {
  /** Whether anything the driver owns for this deployment exists (false: nothing to delete). */
  resourcesExist: boolean;
  /** Revision of what is applied, for drivers that apply a whole object (Kubernetes). */
  appliedRevision?: string | null;
  appliedReplicas?: number | null;
  replicas: DriverReplica[];
  /** A platform-level remark for the status message (a stuck rollout, say). */
  message?: string | null;
}

/** One step the reconciler asks a replica-managing driver to take; each is idempotent. */
export type ReplicaAction =
  | { type: "start"; count: number }
  /** SIGTERM: vLLM stops taking requests and drains for `--shutdown-timeout`. */
  | { type: "terminate"; name: string }
  /** SIGKILL, for a replica that outlived its drain. */
  | { type: "kill"; name: string }
  /** Forget an exited replica (remove the container, the process record). */
  | { type: "remove"; name: string };

/**
 * A deployment platform. The reconciler calls `observe`, plans, then `apply`; every call must be safe
 * to repeat, since a pass can be cut short and run again.
 */
export interface DeploymentDriver {
  readonly kind: DeploymentDriverKind;
  /**
   * True when the platform rolls replicas itself (Kubernetes' Deployment controller): `apply` then
   * converges the whole object and ignores replica actions. False: the reconciler plans every start
   * and stop, and `apply` executes those actions.
   */
  readonly managesRollout: boolean;
  /** Pure: the artifact for the target and its revision. Throws on a spec the platform cannot run. */
  render(target: DeploymentTarget): RenderedDeployment;
  apply(target: DeploymentTarget, rendered: RenderedDeployment, actions: ReplicaAction[]): Promise<void>;
  /** Cheap and side-effect free; a deployment with nothing on the platform is an empty observation. */
  observe(target: DeploymentTarget): Promise<DriverObservation>;
  /** Removes everything the driver owns for the deployment; nothing there is success. */
  delete(target: DeploymentTarget): Promise<void>;
}
