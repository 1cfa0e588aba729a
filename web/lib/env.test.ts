import { describe, expect, it } from "vitest";
import { parseWebEnv } from "./env";

const valid = {
  DATABASE_URL: "postgresql://postgres@127.0.0.1:5432/perimeter",
  REDIS_URL: "redis://127.0.0.1:6379",
  PERIMETER_SECRET: "s".repeat(32),
};

describe("parseWebEnv", () => {
  it("reads a complete environment and defaults the gateway URL and the export directory", () => {
    expect(parseWebEnv(valid, "/repo")).toEqual({
      ok: true,
      config: {
        databaseUrl: valid.DATABASE_URL,
        redisUrl: valid.REDIS_URL,
        perimeterSecret: valid.PERIMETER_SECRET,
        gatewayPublicUrl: "http://localhost:4000",
        gatewayInternalUrl: "http://localhost:4000",
        webPublicUrl: null,
        oidc: null,
        exportDir: "/repo/.data/exports",
      },
    });
  });

  it("finds exports where the worker writes them: PERIMETER_EXPORT_DIR, else under PERIMETER_DATA_DIR", () => {
    const dir = (env: Record<string, string>) => {
      const result = parseWebEnv({ ...valid, ...env }, "/repo");
      return result.ok ? result.config.exportDir : result.message;
    };
    expect(dir({ PERIMETER_EXPORT_DIR: "/srv/exports" })).toBe("/srv/exports");
    expect(dir({ PERIMETER_DATA_DIR: "/var/lib/perimeter" })).toBe("/var/lib/perimeter/exports");
    expect(dir({ PERIMETER_DATA_DIR: "state" })).toBe("/repo/state/exports");
  });

  it("keeps an explicit gateway URL without its trailing slash", () => {
    expect(parseWebEnv({ ...valid, GATEWAY_PUBLIC_URL: "https://gateway.corp.example/" })).toMatchObject({
      config: { gatewayPublicUrl: "https://gateway.corp.example" },
    });
  });

  it("reads a complete OIDC provider with its domain allow-list", () => {
    const result = parseWebEnv({
      ...valid,
      WEB_PUBLIC_URL: "https://perimeter.corp.example/",
      OIDC_ISSUER: "https://idp.corp.example/realms/eng",
      OIDC_CLIENT_ID: "perimeter",
      OIDC_CLIENT_SECRET: "s3cret",
      OIDC_ALLOWED_DOMAINS: "Corp.Example, @eng.corp.example",
    });
    expect(result).toMatchObject({
      ok: true,
      config: {
        webPublicUrl: "https://perimeter.corp.example",
        oidc: {
          issuer: "https://idp.corp.example/realms/eng",
          clientId: "perimeter",
          allowedDomains: ["corp.example", "eng.corp.example"],
          displayName: "Single sign-on",
        },
      },
    });
  });

  it("wants the whole OIDC set, and the public URL it redirects back to, once any of it is given", () => {
    expect(parseWebEnv({ ...valid, OIDC_ALLOWED_DOMAINS: "not a domain" })).toEqual({
      ok: false,
      message:
        'OIDC_ALLOWED_DOMAINS must be a comma-separated list of email domains such as example.com (got "not a domain")',
    });
    expect(parseWebEnv({ ...valid, OIDC_CLIENT_ID: "perimeter" })).toEqual({
      ok: false,
      message: "OIDC_ISSUER is required; OIDC_CLIENT_SECRET is required; WEB_PUBLIC_URL is required",
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
