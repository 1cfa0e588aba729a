/**
 * A replica as the reconciler reasons about it: the driver's report, the probe verdict and the drain
 * bookkeeping from its database row, merged into one state.
 */
export interface ReplicaView {
  name: string;
  revision: string | null;
  endpoint: string | null;
  /**
   * `provisioning`: created, no process yet (pod pending, image pulling). `loading`: running with the
   * port closed or the model not served yet. `ready`: serving. `unhealthy`: running but failing probes.
   * `draining`: out of routing, stopping. `exited`: the process or container is gone.
   */
  state: "provisioning" | "loading" | "ready" | "unhealthy" | "draining" | "exited";
  startedAt: Date | null;
  drainStartedAt: Date | null;
  stopRequestedAt: Date | null;
  /** It has been ready at some point, so an exit is a crash rather than a failed start. */
  wasReady: boolean;
  error: string | null;
}

/** Not exited: it holds resources (GPUs, a port) whatever else it is doing. */
export function isAlive(view: ReplicaView): boolean {
  return view.state !== "exited";
}
