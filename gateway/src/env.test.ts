import { describe, expect, it } from "vitest";
import { parseGatewayEnv } from "./env.ts";

const valid = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/perimeter",
  REDIS_URL: "redis://127.0.0.1:6379",
  PERIMETER_SECRET: "s".repeat(32),
  VLLM_BASE_URL: "http://127.0.0.1:8000",
};

function failure(source: Record<string, string>): string {
  const result = parseGatewayEnv(source);
  if (result.ok) throw new Error("expected a config error");
  return result.message;
}

describe("parseGatewayEnv", () => {
  it("reads a complete environment and applies the listener defaults", () => {
    expect(parseGatewayEnv(valid)).toEqual({
      ok: true,
      config: {
        port: 4000,
        host: "0.0.0.0",
        databaseUrl: valid.DATABASE_URL,
        redisUrl: valid.REDIS_URL,
        perimeterSecret: valid.PERIMETER_SECRET,
        vllmBaseUrl: "http://127.0.0.1:8000",
      },
    });
  });

  it("takes an explicit port and host; empty strings count as unset", () => {
    expect(parseGatewayEnv({ ...valid, GATEWAY_PORT: "4310", GATEWAY_HOST: "127.0.0.1" })).toMatchObject({
      config: { port: 4310, host: "127.0.0.1" },
    });
    expect(parseGatewayEnv({ ...valid, GATEWAY_PORT: "" })).toMatchObject({ config: { port: 4000 } });
  });

  it("reduces VLLM_BASE_URL to the server root", () => {
    for (const url of ["http://vllm:8000/", "http://vllm:8000/v1", "http://vllm:8000/v1/"]) {
      expect(parseGatewayEnv({ ...valid, VLLM_BASE_URL: url })).toMatchObject({
        config: { vllmBaseUrl: "http://vllm:8000" },
      });
    }
  });

  it("names a malformed REDIS_URL and the value it got", () => {
    expect(failure({ ...valid, REDIS_URL: "foo" })).toBe('REDIS_URL must be a redis:// or rediss:// URL (got "foo")');
  });

  it("lists every missing variable on one line", () => {
    expect(failure({})).toBe(
      "DATABASE_URL is required; REDIS_URL is required; PERIMETER_SECRET is required; VLLM_BASE_URL is required",
    );
  });

  it("never echoes the secret or a password", () => {
    const message = failure({ ...valid, PERIMETER_SECRET: "hunter2", DATABASE_URL: "mysql://app:pa55@db/x" });
    expect(message).toBe(
      "DATABASE_URL must be a postgres:// or postgresql:// URL " +
        '(got "mysql://app:***@db/x"); PERIMETER_SECRET must be at least 32 characters (got 7 characters)',
    );
  });

  it("rejects ports out of range and non-http upstreams", () => {
    expect(failure({ ...valid, GATEWAY_PORT: "65536" })).toBe(
      'GATEWAY_PORT must be a port number between 0 and 65535 (got "65536")',
    );
    expect(failure({ ...valid, VLLM_BASE_URL: "vllm:8000" })).toBe(
      'VLLM_BASE_URL must be an http:// or https:// URL (got "vllm:8000")',
    );
  });
});
