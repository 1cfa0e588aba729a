import { describe, expect, it } from "vitest";
import { planServices } from "./service-specs.ts";
import { parseStartConfig } from "./start-config.ts";

const endpoints = { databaseUrl: "postgresql://db/x", redisUrl: "redis://r:6379", perimeterSecret: "s".repeat(32) };

describe("planServices", () => {
  it("runs the simulator and points the gateway at it when VLLM_URL is unset", () => {
    const planned = planServices(parseStartConfig({ VLLM_SIM_PORT: "8100" }, "/repo"), endpoints, "tsx");
    expect(planned.map((service) => service.spec.name)).toEqual(["vllm-sim", "gateway", "worker", "web"]);
    const gateway = planned.find((service) => service.spec.name === "gateway");
    expect(gateway?.spec.env).toMatchObject({
      VLLM_URL: "http://127.0.0.1:8100",
      VLLM_MODEL: "umans-coder",
      GATEWAY_MODEL: "umans-coder-v0",
      DATABASE_URL: endpoints.databaseUrl,
      REDIS_URL: endpoints.redisUrl,
      PERIMETER_SECRET: endpoints.perimeterSecret,
      GATEWAY_PORT: "4000",
    });
    expect(planned.map((service) => service.healthUrl)).toEqual([
      "http://127.0.0.1:8100/health",
      "http://127.0.0.1:4000/healthz",
      "http://127.0.0.1:4100/healthz",
      "http://127.0.0.1:3000/api/health",
    ]);
  });

  it("serves the same model name from the simulator as the gateway asks for", () => {
    const planned = planServices(parseStartConfig({ VLLM_MODEL: "deepseek-v3.2" }, "/repo"), endpoints, "tsx");
    expect(planned[0]?.spec.env.VLLM_SIM_MODEL).toBe("deepseek-v3.2");
    expect(planned[1]?.spec.env.VLLM_MODEL).toBe("deepseek-v3.2");
  });

  it("uses a real vLLM instead of the simulator when VLLM_URL is set", () => {
    const config = parseStartConfig({ VLLM_URL: "http://gpu:8000", VLLM_MODEL: "umans-coder" }, "/repo");
    const planned = planServices(config, endpoints, "tsx");
    expect(planned.map((service) => service.spec.name)).toEqual(["gateway", "worker", "web"]);
    expect(planned[0]?.spec.env).toMatchObject({ VLLM_URL: "http://gpu:8000", VLLM_MODEL: "umans-coder" });
  });

  it("tells the dashboard the public gateway URL", () => {
    const config = parseStartConfig({ GATEWAY_PUBLIC_URL: "https://llm.example.com" }, "/repo");
    const web = planServices(config, endpoints, "tsx").find((service) => service.spec.name === "web");
    expect(web?.spec.env.GATEWAY_PUBLIC_URL).toBe("https://llm.example.com");
    expect(web?.spec.args.slice(-3)).toEqual(["start", "-p", "3000"]);
  });
});
