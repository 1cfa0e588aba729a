import { describe, expect, it } from "vitest";
import { planServices } from "./service-specs.ts";
import { parseStartConfig } from "./start-config.ts";

const endpoints = { databaseUrl: "postgresql://db/x", redisUrl: "redis://r:6379", perimeterSecret: "s".repeat(32) };

describe("planServices", () => {
  it("runs gateway, worker and dashboard; without VLLM_URL the gateway has no fixed upstream", () => {
    const planned = planServices(parseStartConfig({ PERIMETER_DATA_DIR: "/data" }, "/repo"), endpoints, "tsx");
    expect(planned.map((service) => service.spec.name)).toEqual(["gateway", "worker", "web"]);
    const [gateway, worker, web] = planned;
    expect(gateway?.spec.env).toMatchObject({
      DATABASE_URL: endpoints.databaseUrl,
      REDIS_URL: endpoints.redisUrl,
      PERIMETER_SECRET: endpoints.perimeterSecret,
      GATEWAY_PORT: "4000",
      VLLM_MODEL: "umans-coder",
      GATEWAY_MODEL: "umans-coder-v0",
    });
    expect(gateway?.spec.env.VLLM_URL).toBeUndefined();
    // The worker runs the simulator replicas and writes exports where the dashboard reads them.
    expect(worker?.spec.env).toMatchObject({
      DEPLOY_SIMULATOR_RUN_DIR: "/data/simulators",
      PERIMETER_EXPORT_DIR: "/data/exports",
    });
    expect(web?.spec.env.PERIMETER_EXPORT_DIR).toBe("/data/exports");
    expect(planned.map((service) => service.healthUrl)).toEqual([
      "http://127.0.0.1:4000/healthz",
      "http://127.0.0.1:4100/healthz",
      "http://127.0.0.1:3000/api/health",
    ]);
  });

  it("gives the gateway a real vLLM as its fixed upstream when VLLM_URL is set", () => {
    const config = parseStartConfig({ VLLM_URL: "http://gpu:8000", VLLM_MODEL: "deepseek-v3.2" }, "/repo");
    const [gateway] = planServices(config, endpoints, "tsx");
    expect(gateway?.spec.env).toMatchObject({ VLLM_URL: "http://gpu:8000", VLLM_MODEL: "deepseek-v3.2" });
  });

  it("tells the dashboard the public gateway URL", () => {
    const config = parseStartConfig({ GATEWAY_PUBLIC_URL: "https://llm.example.com" }, "/repo");
    const web = planServices(config, endpoints, "tsx").find((service) => service.spec.name === "web");
    expect(web?.spec.env.GATEWAY_PUBLIC_URL).toBe("https://llm.example.com");
    expect(web?.spec.args.slice(-3)).toEqual(["start", "-p", "3000"]);
  });
});
