import path from "node:path";
import { describe, expect, it } from "vitest";
import { ConfigError } from "./config-error.ts";
import { parseStartConfig } from "./start-config.ts";

const root = "/srv/perimeter";

function errorOf(env: Record<string, string>): string {
  try {
    parseStartConfig(env, root);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
}

describe("parseStartConfig", () => {
  it("applies the documented defaults", () => {
    const config = parseStartConfig({}, root);
    expect(config).toMatchObject({
      dataDir: path.join(root, ".data"),
      webPort: 3000,
      gatewayPort: 4000,
      workerPort: 4100,
      vllmUrl: undefined,
      vllmModel: "umans-coder",
      gatewayModel: "umans-coder-v0",
      gatewayPublicUrl: "http://localhost:4000",
      adminEmail: "admin@perimeter.local",
      orgName: "Perimeter",
    });
  });

  it("treats empty strings as unset", () => {
    expect(parseStartConfig({ WEB_PORT: "", DATABASE_URL: "" }, root)).toMatchObject({
      webPort: 3000,
      databaseUrl: undefined,
    });
  });

  it("names the variable of a bad port in one line", () => {
    expect(errorOf({ GATEWAY_PORT: "80a" })).toBe('GATEWAY_PORT must be a port number between 1 and 65535 (got "80a")');
  });

  it("rejects malformed database and Redis URLs before anything starts", () => {
    expect(errorOf({ DATABASE_URL: "mysql://x@y/z" })).toMatch(/^DATABASE_URL: /);
    expect(errorOf({ REDIS_URL: "notaurl" })).toMatch(/^REDIS_URL: not a URL/);
  });

  it("never echoes a secret back", () => {
    const message = errorOf({ PERIMETER_SECRET: "too-short-secret" });
    expect(message).toBe("PERIMETER_SECRET must be at least 32 characters (got 16 characters)");
  });

  it("derives the public gateway URL from GATEWAY_PORT", () => {
    expect(parseStartConfig({ GATEWAY_PORT: "4500" }, root).gatewayPublicUrl).toBe("http://localhost:4500");
  });
});
