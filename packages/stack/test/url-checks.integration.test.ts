import { describe, expect, inject, it } from "vitest";
import { ConfigError } from "../src/config-error.ts";
import { ensurePostgres } from "../src/ensure-postgres.ts";
import { ensureRedis } from "../src/ensure-redis.ts";

const log = () => {};
const dataDir = "/nonexistent/never-used";

async function configErrorOf(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ConfigError);
  const message = (error as Error).message;
  expect(message).not.toContain("\n");
  return message;
}

describe("DATABASE_URL", () => {
  const postgres = (DATABASE_URL: string) => ensurePostgres({ dataDir, log, env: { DATABASE_URL } });

  it("uses a reachable server as is", async () => {
    const server = await postgres(inject("databaseUrl"));
    expect(server).toMatchObject({ url: inject("databaseUrl"), embedded: false });
    await server.stop();
  });

  it("names the variable when the URL is malformed", async () => {
    expect(await configErrorOf(postgres("notaurl"))).toMatch(/^DATABASE_URL: not a URL/);
    expect(await configErrorOf(postgres("mysql://root@db/app"))).toMatch(/^DATABASE_URL: expected a postgres/);
  });

  it("names the variable, host and reason when nothing answers", async () => {
    expect(await configErrorOf(postgres("postgresql://postgres@127.0.0.1:1/x"))).toBe(
      "DATABASE_URL: cannot connect to 127.0.0.1:1 (ECONNREFUSED)",
    );
  });

  it("passes on the server's reason when it refuses", async () => {
    const missing = new URL(inject("postgresServerUrl"));
    missing.pathname = "/no_such_database_here";
    expect(await configErrorOf(postgres(missing.toString()))).toMatch(
      /^DATABASE_URL: cannot connect to .+ \(database "no_such_database_here" does not exist\)$/,
    );
  });
});

describe("REDIS_URL", () => {
  const redis = (REDIS_URL: string) => ensureRedis({ dataDir, log, env: { REDIS_URL } });

  it("uses a reachable server as is", async () => {
    const server = await redis(inject("redisUrl"));
    expect(server).toMatchObject({ url: inject("redisUrl"), embedded: false });
  });

  it("names the variable when the URL is malformed", async () => {
    expect(await configErrorOf(redis("notaurl"))).toMatch(/^REDIS_URL: not a URL/);
    expect(await configErrorOf(redis("http://127.0.0.1:6379"))).toMatch(/^REDIS_URL: expected a redis:\/\//);
  });

  it("names the variable, host and reason when nothing answers", async () => {
    expect(await configErrorOf(redis("redis://127.0.0.1:1"))).toBe(
      "REDIS_URL: cannot connect to 127.0.0.1:1 (ECONNREFUSED)",
    );
  });

  it("explains how to get redis-server when it is not on PATH", async () => {
    const message = await configErrorOf(ensureRedis({ dataDir, log, env: { PATH: "/nonexistent" } }));
    expect(message).toBe(
      "redis-server not found on PATH: install it (Debian: apt-get install redis-server) or set REDIS_URL",
    );
  });
});
