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
 * The processes `npm start` runs, in start order, with the environment each one parses: the
 * simulator (unless VLLM_URL points at a real vLLM), gateway, worker and dashboard. Pure, so
 * the wiring between them is unit-tested.
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
  const vllmUrl = config.vllmUrl ?? `http://127.0.0.1:${config.vllmSimPort}`;

  const services: PlannedService[] = [];
  if (!config.vllmUrl) {
    services.push({
      spec: tsxService("vllm-sim", "packages/vllm-sim", {
        VLLM_SIM_PORT: String(config.vllmSimPort),
        VLLM_SIM_HOST: "127.0.0.1",
        VLLM_SIM_MODEL: config.vllmModel,
      }),
      healthUrl: local(config.vllmSimPort, "/health"),
    });
  }
  services.push(
    {
      spec: tsxService("gateway", "gateway", {
        GATEWAY_PORT: String(config.gatewayPort),
        VLLM_URL: vllmUrl,
        VLLM_MODEL: config.vllmModel,
        GATEWAY_MODEL: config.gatewayModel,
      }),
      healthUrl: local(config.gatewayPort, "/healthz"),
    },
    {
      spec: tsxService("worker", "worker", { WORKER_PORT: String(config.workerPort) }),
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
        env: { ...shared, GATEWAY_PUBLIC_URL: config.gatewayPublicUrl, PORT: String(config.webPort) },
      },
      healthUrl: local(config.webPort, "/api/health"),
    },
  );
  return services;
}
