import type { DeploymentDriverKind } from "@perimeter/core";
import type { DeploymentsEnvConfig } from "./deployments-env.ts";
import { createDockerDriver, dockerClientFor } from "./docker-driver.ts";
import type { DeploymentDriver } from "./driver.ts";
import { createExternalDriver } from "./external-driver.ts";
import { createKubernetesDriver, type KubernetesConnection, kubeConfigFor } from "./kubernetes-driver.ts";
import { createSimulatorDriver } from "./simulator-driver.ts";

export interface DriverRegistry {
  /**
   * The driver for `kind`, built on first use: a worker that never runs a Kubernetes deployment
   * never needs a kubeconfig. Throws (and the reconciler reports `DriverError` on the deployment)
   * when the platform is not configured.
   */
  driverFor(kind: DeploymentDriverKind): DeploymentDriver;
}

/** The four drivers, configured from the worker's `DEPLOY_*` settings. */
export function createDriverRegistry(config: DeploymentsEnvConfig): DriverRegistry {
  const built = new Map<DeploymentDriverKind, DeploymentDriver>();
  const factories: Record<DeploymentDriverKind, () => DeploymentDriver> = {
    simulator: () =>
      createSimulatorDriver({
        simulatorBin: config.simulator.bin,
        runDir: config.simulator.runDir,
        path: config.simulator.path,
      }),
    external: () => createExternalDriver(),
    docker: () => createDockerDriver(dockerClientFor(config.dockerHost)),
    kubernetes: () => {
      const { kubeconfigPath, inCluster, defaultNamespace } = config.kubernetes;
      const connection: KubernetesConnection | null = kubeconfigPath
        ? { kubeconfigPath }
        : inCluster
          ? { inCluster }
          : null;
      if (!connection) {
        throw new Error("the kubernetes driver is not configured: set KUBECONFIG, or run the worker in a cluster");
      }
      return createKubernetesDriver({ kubeConfig: kubeConfigFor(connection), defaultNamespace });
    },
  };
  return {
    driverFor(kind) {
      let driver = built.get(kind);
      if (!driver) {
        driver = factories[kind]();
        built.set(kind, driver);
      }
      return driver;
    },
  };
}
