import { describe, expect, it } from "vitest";
import { parseWebEnv } from "./env";

const valid = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/perimeter",
  REDIS_URL: "redis://127.0.0.1:6379",
  PERIMETER_SECRET: "s".repeat(32),
};

describe("parseWebEnv", () => {
  it("reads a complete environment and defaults the gateway URL", () => {
    expect(parseWebEnv(valid)).toEqual({
      ok: true,
      config: {
        databaseUrl: valid.DATABASE_URL,
        redisUrl: valid.REDIS_URL,
        perimeterSecret: valid.PERIMETER_SECRET,
        gatewayPublicUrl: "http://localhost:4000",
      },
    });
  });

  it("keeps an explicit gateway URL without its trailing slash", () => {
    expect(parseWebEnv({ ...valid, GATEWAY_PUBLIC_URL: "https://gateway.corp.example/" })).toMatchObject({
      config: { gatewayPublicUrl: "https://gateway.corp.example" },
    });
  });

  it("names a malformed REDIS_URL on one line", () => {
    expect(parseWebEnv({ ...valid, REDIS_URL: "foo" })).toEqual({
      ok: false,
      message: 'REDIS_URL must be a redis:// or rediss:// URL (got "foo")',
    });
  });

  it("needs nothing at build time but everything at run time, and never echoes the secret", () => {
    expect(parseWebEnv({ PERIMETER_SECRET: "short", GATEWAY_PUBLIC_URL: "gateway:4000" })).toEqual({
      ok: false,
      message:
        "DATABASE_URL is required; REDIS_URL is required; PERIMETER_SECRET must be at least 32 characters " +
        '(got 5 characters); GATEWAY_PUBLIC_URL must be an http:// or https:// URL (got "gateway:4000")',
    });
  });
});
