import path from "node:path";
import { describe, expect, it } from "vitest";
import { parseWorkerEnv } from "./env.ts";

const repositoryRoot = path.resolve(import.meta.dirname, "../..");
const valid = { DATABASE_URL: "postgres://postgres@db:5432/perimeter", REDIS_URL: "rediss://cache:6380" };

describe("parseWorkerEnv", () => {
  it("reads a complete environment and applies the listener defaults", () => {
    expect(parseWorkerEnv(valid)).toEqual({
      ok: true,
      config: {
        port: 4100,
        host: "0.0.0.0",
        databaseUrl: valid.DATABASE_URL,
        redisUrl: valid.REDIS_URL,
        usage: { batchSize: 1000, claimIdleMs: 60_000, rollupEveryMs: 15_000, rollupSafetyMarginMs: 30_000 },
        exportDir: path.join(repositoryRoot, ".data", "exports"),
        auditCheckEveryMs: 3_600_000,
        shutdownTimeoutMs: 25_000,
      },
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

  it("puts exports under the data directory unless PERIMETER_EXPORT_DIR says where", () => {
    expect(parseWorkerEnv({ ...valid, PERIMETER_DATA_DIR: "/srv/perimeter" })).toMatchObject({
      config: { exportDir: "/srv/perimeter/exports" },
    });
    expect(parseWorkerEnv({ ...valid, PERIMETER_EXPORT_DIR: "/mnt/exports" })).toMatchObject({
      config: { exportDir: "/mnt/exports" },
    });
  });

  it("names a usage setting outside its range", () => {
    expect(parseWorkerEnv({ ...valid, USAGE_BATCH_SIZE: "0", USAGE_CLAIM_IDLE_MS: "soon" })).toEqual({
      ok: false,
      message:
        'USAGE_BATCH_SIZE must be a whole number between 1 and 10000 (got "0"); USAGE_CLAIM_IDLE_MS must be a whole number between 100 and 86400000 (got "soon")',
    });
  });
});
