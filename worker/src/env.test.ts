import { describe, expect, it } from "vitest";
import { parseWorkerEnv } from "./env.ts";

const valid = { DATABASE_URL: "postgres://postgres@db:5432/perimeter", REDIS_URL: "rediss://cache:6380" };

describe("parseWorkerEnv", () => {
  it("reads a complete environment and applies the listener defaults", () => {
    expect(parseWorkerEnv(valid)).toEqual({
      ok: true,
      config: { port: 4100, host: "0.0.0.0", databaseUrl: valid.DATABASE_URL, redisUrl: valid.REDIS_URL },
    });
    expect(parseWorkerEnv({ ...valid, WORKER_PORT: "4200" })).toMatchObject({ config: { port: 4200 } });
  });

  it("names a malformed REDIS_URL and the value it got", () => {
    expect(parseWorkerEnv({ ...valid, REDIS_URL: "foo" })).toEqual({
      ok: false,
      message: 'REDIS_URL must be a redis:// or rediss:// URL (got "foo")',
    });
  });

  it("lists every missing variable and hides passwords", () => {
    expect(parseWorkerEnv({ DATABASE_URL: "http://u:secret@db/x" })).toEqual({
      ok: false,
      message:
        'DATABASE_URL must be a postgres:// or postgresql:// URL (got "http://u:***@db/x"); REDIS_URL is required',
    });
  });
});
