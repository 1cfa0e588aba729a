import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { defaultUsageStreamKeys, encodeUsageEvent, exportQueueName, usageConsumerGroup } from "@perimeter/core";
import { createDb, type Db } from "@perimeter/db";
import type { ScratchDatabase } from "@perimeter/db/scratch-database";
import { type SpawnedService, spawnService } from "@perimeter/runtime/testing";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { housekeepingQueueName } from "../queues/housekeeping.ts";
import { usageRollupsQueueName } from "../queues/usage-rollups.ts";
import { defaultQueuePrefix } from "../services.ts";
import {
  createMigratedScratchDatabase,
  directAggregate,
  fakeUsageEvent,
  histogramsFromRaw,
  rollupHistograms,
  rollups,
  testOrgId,
} from "../test-usage-events.ts";
import { usageRollupWatermark } from "./roll-up-usage.ts";

const workspaceRoot = path.resolve(import.meta.dirname, "../..");
const total = 100_000;
const hourMs = 3_600_000;

/**
 * The spawned workers use the production stream keys and queue prefix, so they get a Redis database
 * of their own (index 12) and a scratch Postgres database; both are emptied afterwards.
 */
function isolatedRedisUrl(): string {
  const url = new URL(inject("redisUrl"));
  url.pathname = "/12";
  return url.toString();
}

async function waitFor<T>(what: string, probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 90_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what} (last: ${String(value)})`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("usage ingestion across a killed worker process", () => {
  let scratch: ScratchDatabase;
  let db: Db;
  let redis: Redis;
  let exportDir: string;
  const running: SpawnedService[] = [];

  const startWorker = () => {
    const proc = spawnService({
      cwd: workspaceRoot,
      env: {
        WORKER_PORT: "0",
        WORKER_HOST: "127.0.0.1",
        DATABASE_URL: scratch.url,
        REDIS_URL: isolatedRedisUrl(),
        USAGE_CLAIM_IDLE_MS: "1000",
        USAGE_ROLLUP_EVERY_MS: "500",
        USAGE_ROLLUP_SAFETY_MARGIN_MS: "1000",
        PERIMETER_EXPORT_DIR: exportDir,
        // This test is about usage; the deployment reconciler stays off.
        DEPLOY_ENABLED: "false",
      },
    });
    running.push(proc);
    return proc;
  };

  beforeAll(async () => {
    scratch = await createMigratedScratchDatabase();
    db = createDb(scratch.url, { maxConnections: 2 });
    redis = new Redis(isolatedRedisUrl(), { maxRetriesPerRequest: null });
    exportDir = await mkdtemp(path.join(tmpdir(), "perimeter-kill-test-"));
    await redis.del(defaultUsageStreamKeys.stream, defaultUsageStreamKeys.deadLetter);
  });

  afterAll(async () => {
    for (const proc of running) if (proc.child.exitCode === null) proc.child.kill("SIGKILL");
    for (const name of [housekeepingQueueName, usageRollupsQueueName, exportQueueName]) {
      const queue = new Queue(name, { connection: redis, prefix: defaultQueuePrefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    await redis.del(defaultUsageStreamKeys.stream, defaultUsageStreamKeys.deadLetter);
    await redis.quit();
    await db.$disconnect();
    await scratch.drop();
    await rm(exportDir, { recursive: true, force: true });
  }, 60_000);

  it("stores exactly 100k rows after a SIGKILL half-way, and the scheduled rollups equal the raw rows", async () => {
    const orgId = testOrgId();
    const teams = ["team_a", "team_b", "team_c"];
    const models = ["umans-coder-v0", "claude-sonnet-4-5"];
    const now = Date.now();
    const events = Array.from({ length: total }, (_, i) =>
      fakeUsageEvent(orgId, {
        teamId: teams[i % 3],
        apiKeyId: `key_${i % 7}`,
        userId: `usr_${i % 11}`,
        model: models[i % 2],
        status: i % 13 === 0 ? 429 : 200,
        limitDecision: i % 13 === 0 ? "team.requests_per_minute" : "admitted",
        outputTokens: i % 1000,
        latencyMs: (i * 7919) % 400_000,
        eventTime: new Date(now - (i % 48) * hourMs - (i % 997)),
      }),
    );
    // Gateway retries re-send some events with the same request id; they must not count twice.
    const retried = events.slice(0, 2_000);
    for (let start = 0; start < events.length; start += 5_000) {
      const pipeline = redis.pipeline();
      for (const event of events.slice(start, start + 5_000)) {
        pipeline.xadd(defaultUsageStreamKeys.stream, "*", ...encodeUsageEvent(event));
      }
      if (start === 50_000) {
        for (const event of retried) pipeline.xadd(defaultUsageStreamKeys.stream, "*", ...encodeUsageEvent(event));
      }
      await pipeline.exec();
    }
    const rows = () => db.usageEvent.count({ where: { orgId } });

    const first = startWorker();
    await first.listening();
    await waitFor("half of the rows", rows, (count) => count >= total / 2);
    first.child.kill("SIGKILL");
    await first.exit;
    const atKill = await rows();
    const [pendingAtKill] = (await redis.xpending(defaultUsageStreamKeys.stream, usageConsumerGroup)) as [number];
    expect(atKill).toBeLessThan(total);

    const second = startWorker();
    await waitFor("every row", rows, (count) => count >= total);
    await waitFor(
      "the stream to drain",
      () => redis.xlen(defaultUsageStreamKeys.stream),
      (length) => length === 0,
    );
    expect(await rows()).toBe(total);
    expect(await db.usageEvent.count()).toBe(total);
    if (pendingAtKill > 0) expect(second.output().stdout).toContain('"msg":"claimed abandoned usage entries"');
    expect(await redis.llen(defaultUsageStreamKeys.deadLetter)).toBe(0);

    // The scheduler keeps rolling up; wait until its watermark has passed the last ingested row.
    const lastIngested = await db.usageEvent.aggregate({ _max: { ingestedAt: true }, where: { orgId } });
    await waitFor(
      "the rollup watermark",
      async () =>
        (await db.jobWatermark.findUnique({ where: { name: usageRollupWatermark } }))?.watermark.getTime() ?? 0,
      (watermark) => watermark >= (lastIngested._max.ingestedAt?.getTime() ?? Number.POSITIVE_INFINITY),
    );
    expect(await rollups(db, orgId, "hour")).toEqual(await directAggregate(db, orgId, "hour"));
    expect(await rollups(db, orgId, "day")).toEqual(await directAggregate(db, orgId, "day"));
    expect(await rollupHistograms(db, orgId, "day")).toEqual(await histogramsFromRaw(db, orgId, "day"));

    second.child.kill("SIGTERM");
    const [code] = await second.exit;
    expect(code).toBe(0);
  }, 110_000);
});
