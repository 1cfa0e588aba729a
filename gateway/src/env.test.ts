import { describe, expect, it } from "vitest";
import { parseGatewayEnv } from "./env.ts";

const valid = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/perimeter",
  REDIS_URL: "redis://127.0.0.1:6379",
  PERIMETER_SECRET: "s".repeat(32),
  VLLM_URL: "http://127.0.0.1:8000",
};

function failure(source: Record<string, string>): string {
  const result = parseGatewayEnv(source);
  if (result.ok) throw new Error("expected a config error");
  return result.message;
}

describe("parseGatewayEnv", () => {
  it("reads a complete environment and applies every default", () => {
    expect(parseGatewayEnv(valid)).toEqual({
      ok: true,
      config: {
        port: 4000,
        host: "0.0.0.0",
        databaseUrl: valid.DATABASE_URL,
        redisUrl: valid.REDIS_URL,
        perimeterSecret: valid.PERIMETER_SECRET,
        upstream: {
          url: "http://127.0.0.1:8000",
          servedModel: "umans-coder",
          fallbackMaxModelLen: 163_840,
          timeoutMs: 600_000,
        },
        models: { publicName: "umans-coder-v0", aliases: ["claude-*"] },
        limits: { onRedisFailure: "open", leaseTtlMs: 30_000, keyCacheTtlMs: 30_000, usageBuffer: 100_000 },
        protocol: { stripBillingHeader: true, systemMessages: "reminder", serverTools: "reject", keepAliveMs: 10_000 },
        vision: { timeoutMs: 60_000, concurrency: 4, cacheTtlSec: 604_800, maxTokens: 1024 },
      },
    });
  });

  it("takes explicit values; empty strings count as unset", () => {
    const result = parseGatewayEnv({
      ...valid,
      GATEWAY_PORT: "4310",
      GATEWAY_HOST: "127.0.0.1",
      VLLM_MODEL: "deepseek-v3.2",
      VLLM_API_KEY: "vllm-secret",
      VLLM_MAX_MODEL_LEN: "131072",
      VLLM_TIMEOUT_MS: "",
      GATEWAY_MODEL: "coder",
      GATEWAY_MODEL_ALIASES: "claude-*, sonnet ,opus",
      GATEWAY_STRIP_BILLING_HEADER: "0",
      GATEWAY_SYSTEM_MESSAGES: "fold",
      GATEWAY_SERVER_TOOLS: "strip",
      GATEWAY_KEEPALIVE_MS: "5000",
      GATEWAY_VISION_TIMEOUT_MS: "5000",
      GATEWAY_VISION_CONCURRENCY: "2",
      GATEWAY_VISION_CACHE_TTL_SEC: "0",
      GATEWAY_VISION_MAX_TOKENS: "256",
    });
    expect(result).toMatchObject({
      config: {
        port: 4310,
        host: "127.0.0.1",
        upstream: {
          servedModel: "deepseek-v3.2",
          apiKey: "vllm-secret",
          fallbackMaxModelLen: 131_072,
          timeoutMs: 600_000,
        },
        models: { publicName: "coder", aliases: ["claude-*", "sonnet", "opus"] },
        protocol: { stripBillingHeader: false, systemMessages: "fold", serverTools: "strip", keepAliveMs: 5000 },
        vision: { timeoutMs: 5000, concurrency: 2, cacheTtlSec: 0, maxTokens: 256 },
      },
    });
  });

  it("reduces VLLM_URL to the server root", () => {
    for (const url of ["http://vllm:8000/", "http://vllm:8000/v1", "http://vllm:8000/v1/"]) {
      expect(parseGatewayEnv({ ...valid, VLLM_URL: url })).toMatchObject({
        config: { upstream: { url: "http://vllm:8000" } },
      });
    }
  });

  it("names a malformed REDIS_URL and the value it got", () => {
    expect(failure({ ...valid, REDIS_URL: "foo" })).toBe('REDIS_URL must be a redis:// or rediss:// URL (got "foo")');
  });

  it("lists every missing variable on one line (VLLM_URL is optional: deployments may serve every model)", () => {
    expect(failure({})).toBe("DATABASE_URL is required; REDIS_URL is required; PERIMETER_SECRET is required");
  });

  it("never echoes a secret or a password", () => {
    const message = failure({
      ...valid,
      PERIMETER_SECRET: "hunter2",
      VLLM_API_KEY: "",
      DATABASE_URL: "mysql://app:pa55@db/x",
    });
    expect(message).toBe(
      "DATABASE_URL must be a postgres:// or postgresql:// URL " +
        '(got "mysql://app:***@db/x"); PERIMETER_SECRET must be at least 32 characters (got 7 characters)',
    );
  });

  it("rejects bad ports, upstreams, policies, flags, keep-alives and alias patterns", () => {
    expect(failure({ ...valid, GATEWAY_PORT: "65536" })).toBe(
      'GATEWAY_PORT must be a port number between 0 and 65535 (got "65536")',
    );
    expect(failure({ ...valid, VLLM_URL: "vllm:8000" })).toBe(
      'VLLM_URL must be an http:// or https:// URL (got "vllm:8000")',
    );
    expect(failure({ ...valid, GATEWAY_SYSTEM_MESSAGES: "drop" })).toBe(
      'GATEWAY_SYSTEM_MESSAGES must be reminder or fold (got "drop")',
    );
    expect(failure({ ...valid, GATEWAY_STRIP_BILLING_HEADER: "yes" })).toBe(
      'GATEWAY_STRIP_BILLING_HEADER must be 1, 0, true or false (got "yes")',
    );
    expect(failure({ ...valid, GATEWAY_KEEPALIVE_MS: "20000" })).toBe(
      'GATEWAY_KEEPALIVE_MS must be a whole number between 10 and 15000 (got "20000")',
    );
    expect(failure({ ...valid, GATEWAY_MODEL_ALIASES: "cl*ude" })).toBe(
      'GATEWAY_MODEL_ALIASES may use * only at the end of a name (got "cl*ude")',
    );
  });
});
