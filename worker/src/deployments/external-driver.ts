import type { DeploymentDriver, DriverObservation, RenderedDeployment } from "./driver.ts";
import { revisionHash } from "./revision-hash.ts";

/**
 * vLLM servers Perimeter does not run: their URLs are the replicas, and the worker only probes them
 * (health, served model, load) and publishes them for routing. Nothing is started, stopped or deleted;
 * a stopped or deleted external deployment simply stops being routed.
 */
export function createExternalDriver(): DeploymentDriver {
  const render = (target: Parameters<DeploymentDriver["render"]>[0]): RenderedDeployment => {
    const urls = target.spec.external?.urls ?? [];
    if (urls.length === 0) throw new Error(`deployment ${target.name}: the external driver needs spec.external.urls`);
    return { revision: revisionHash({ urls, servedName: target.model.servedName }), artifact: { urls } };
  };
  return {
    kind: "external",
    managesRollout: true,
    render,
    async apply() {},
    async observe(target): Promise<DriverObservation> {
      if (target.replicas === 0) return { resourcesExist: false, replicas: [] };
      const { revision, artifact } = render(target);
      const replicas = (artifact as { urls: string[] }).urls.map((url) => ({
        // The host and port name the replica, so its row and table entry stay put across passes.
        name: new URL(url).host.replace(/[^\w.-]/g, "-"),
        revision,
        endpoint: url,
        phase: "running" as const,
        startedAt: null,
      }));
      return { resourcesExist: false, replicas };
    },
    async delete() {},
  };
}
