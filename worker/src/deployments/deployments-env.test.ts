import { describe, expect, it } from "vitest";
import { parseDeploymentsEnv } from "../env.ts";

describe("parseDeploymentsEnv", () => {
  it("defaults to 2 s passes, a 30 s resync, the simulator shipped in the repository and no cluster", () => {
    const result = parseDeploymentsEnv({});
    if (!result.ok) throw new Error(result.message);
    expect(result.config).toMatchObject({
      enabled: true,
      pollIntervalMs: 2_000,
      resyncIntervalMs: 30_000,
      replicaTtlMs: 10_000,
      kubernetes: { defaultNamespace: "perimeter", kubeconfigPath: null, inCluster: null },
      dockerHost: "unix:///var/run/docker.sock",
    });
    expect(result.config.simulator.bin).toMatch(/packages\/vllm-sim\/bin\/vllm-sim\.mjs$/);
  });

  it("reads the in-cluster service address and keeps replica entries alive for five passes", () => {
    const result = parseDeploymentsEnv({
      KUBERNETES_SERVICE_HOST: "10.96.0.1",
      KUBERNETES_SERVICE_PORT: "443",
      DEPLOY_POLL_INTERVAL_MS: "5000",
      DEPLOY_ENABLED: "false",
    });
    expect(result).toMatchObject({
      ok: true,
      config: { enabled: false, replicaTtlMs: 25_000, kubernetes: { inCluster: { host: "10.96.0.1", port: 443 } } },
    });
  });

  it("names bad values on one line", () => {
    expect(parseDeploymentsEnv({ DEPLOY_POLL_INTERVAL_MS: "10", DOCKER_HOST: "docker.local" })).toEqual({
      ok: false,
      message:
        'DEPLOY_POLL_INTERVAL_MS must be at least 50 (got "10"); DOCKER_HOST must be unix:// or tcp:// (or http(s)://) (got "docker.local")',
    });
  });
});
