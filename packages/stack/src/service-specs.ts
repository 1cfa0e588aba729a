import path from "node:path";
import type { ServiceSpec } from "./service-process.ts";
import type { StartConfig } from "./start-config.ts";

/** A service to run and the URL that answers 200 once it is up. */
export interface PlannedService {
  spec: ServiceSpec;
  healthUrl: string;
}

export interface StackEndpoints {
  databaseUrl: string;
  redisUrl: string;
  perimeterSecret: string;
}

/**
 * The processes `npm start` runs, in start order, with the environment each one parses: gateway, worker
 * and dashboard. The model is served by a deployment (`ensureDefaultDeployment`): the worker runs its
 * simulator replicas, or probes the vLLM at VLLM_URL, which the gateway also gets as its fixed upstream.
 * Pure, so the wiring between them is unit-tested.
 */
export function planServices(config: StartConfig, endpoints: StackEndpoints, tsxLoader: string): PlannedService[] {
  const shared = {
    ...config.baseEnv,
    DATABASE_URL: endpoints.databaseUrl,
    REDIS_URL: endpoints.redisUrl,
    PERIMETER_SECRET: endpoints.perimeterSecret,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  const tsxService = (name: string, dir: string, env: Record<string, string>) => ({
    name,
    command: process.execPath,
    args: ["--import", tsxLoader, "src/main.ts"],
    cwd: path.join(config.rootDir, dir),
    env: { ...shared, ...env },
  });
  const local = (port: number, route: string) => `http://127.0.0.1:${port}${route}`;
  const exportDir = path.join(config.dataDir, "exports");

  return [
    {
      spec: tsxService("gateway", "gateway", {
        GATEWAY_PORT: String(config.gatewayPort),
        ...(config.vllmUrl ? { VLLM_URL: config.vllmUrl } : {}),
        VLLM_MODEL: config.vllmModel,
        GATEWAY_MODEL: config.gatewayModel,
      }),
      healthUrl: local(config.gatewayPort, "/healthz"),
    },
    {
      spec: tsxService("worker", "worker", {
        WORKER_PORT: String(config.workerPort),
        DEPLOY_SIMULATOR_RUN_DIR: simulatorRunDir(config),
        PERIMETER_EXPORT_DIR: exportDir,
      }),
      healthUrl: local(config.workerPort, "/healthz"),
    },
    {
      spec: {
        name: "web",
        command: process.execPath,
        args: [
          path.join(config.rootDir, "node_modules", "next", "dist", "bin", "next"),
          "start",
          "-p",
          String(config.webPort),
        ],
        cwd: path.join(config.rootDir, "web"),
        env: {
          ...shared,
          GATEWAY_PUBLIC_URL: config.gatewayPublicUrl,
          PORT: String(config.webPort),
          PERIMETER_EXPORT_DIR: exportDir,
        },
      },
      healthUrl: local(config.webPort, "/api/health"),
    },
  ];
}

/** Where the worker's simulator driver keeps its replica records, under the data directory. */
export function simulatorRunDir(config: Pick<StartConfig, "dataDir">): string {
  return path.join(config.dataDir, "simulators");
}
