// Ingestion throughput: BENCH_EVENTS usage events (default 200,000) XADDed to a stream of their own,
// then drained by one in-process consumer into a scratch database. Prints events/s.
//   npm run bench:ingest -w @perimeter/worker        (BENCH_EVENTS=1000000 for a longer run)
import { randomBytes } from "node:crypto";
import { encodeUsageEvent, usageEventMessageSchema, usageStreamKeys } from "@perimeter/core";
import { createDb, newId } from "@perimeter/db";
import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase } from "@perimeter/db/scratch-database";
import { silentLogger } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { createWorkerMetrics } from "../src/metrics.ts";
import { startUsageConsumer } from "../src/usage/usage-consumer.ts";
import { loadBenchConfig } from "./bench-env.ts";

const config = loadBenchConfig("BENCH_EVENTS", 200_000);
const total = config.BENCH_EVENTS as number;
const scratch = await createScratchDatabase(config.DATABASE_URL, "perimeter_bench_ingest");
const redis = new Redis(config.REDIS_URL);
const keys = usageStreamKeys(`perimeter-bench-${randomBytes(4).toString("hex")}`);
try {
  await migrate(scratch.url);
  const db = createDb(scratch.url, { maxConnections: 4 });
  const orgId = newId("org");
  const now = Date.now();

  const produceStarted = performance.now();
  for (let start = 0; start < total; start += 10_000) {
    const pipeline = redis.pipeline();
    for (let i = start; i < Math.min(total, start + 10_000); i++) {
      const eventTime = new Date(now - (i % 86_400) * 1000);
      const event = usageEventMessageSchema.parse({
        requestId: newId("request"),
        orgId,
        apiKeyId: `key_${i % 50}`,
        teamId: `team_${i % 10}`,
        userId: `usr_${i % 200}`,
        sessionId: `session-${i % 1000}`,
        agentId: "claude-code",
        model: "umans-coder-v0",
        servedModel: "deepseek-v3.2",
        stream: true,
        status: 200,
        inputTokens: 1200,
        cacheReadInputTokens: 40_000,
        outputTokens: 350,
        reasoningTokens: 80,
        latencyMs: 4200,
        timeToFirstTokenMs: 380,
        stopReason: "end_turn",
        limitDecision: "admitted",
        userAgent: "claude-cli/2.0.14 (external, cli)",
        startedAt: new Date(eventTime.getTime() - 4200),
        eventTime,
      });
      pipeline.xadd(keys.stream, "*", ...encodeUsageEvent(event));
    }
    await pipeline.exec();
  }
  const produceSeconds = (performance.now() - produceStarted) / 1000;

  const metrics = createWorkerMetrics(silentLogger);
  const ingestStarted = performance.now();
  const consumer = startUsageConsumer(
    { db, redis, log: silentLogger, metrics },
    { keys, batchSize: 1000, blockMs: 100, claimIdleMs: 60_000 },
  );
  let lastReport = performance.now();
  for (;;) {
    const backlog = await redis.xlen(keys.stream);
    if (backlog === 0) break;
    if (performance.now() - lastReport > 5_000) {
      lastReport = performance.now();
      console.log(`  … ${total - backlog} of ${total} ingested`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const ingestSeconds = (performance.now() - ingestStarted) / 1000;
  await consumer.close();
  const rows = await db.usageEvent.count();
  await db.$disconnect();
  if (rows !== total) throw new Error(`expected ${total} rows, found ${rows}`);

  console.log(
    `produced ${total} events in ${produceSeconds.toFixed(2)} s (${Math.round(total / produceSeconds)} XADD/s, pipelined)`,
  );
  console.log(
    `ingested ${rows} events in ${ingestSeconds.toFixed(2)} s: ${Math.round(rows / ingestSeconds)} events/s (batch 1000, one consumer)`,
  );
} finally {
  await redis.del(keys.stream, keys.deadLetter);
  await redis.quit();
  await scratch.drop();
}
