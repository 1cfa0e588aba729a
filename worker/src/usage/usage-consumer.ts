import { hostname } from "node:os";
import {
  decodeUsageEvent,
  type UsageDeadLetter,
  type UsageEventMessage,
  type UsageStreamKeys,
  usageConsumerGroup,
} from "@perimeter/core";
import type { Db } from "@perimeter/db";
import { errorMessage, type Logger } from "@perimeter/runtime";
import type { Redis } from "ioredis";
import type { WorkerMetrics } from "../metrics.ts";
import { insertUsageEvents } from "./insert-usage-events.ts";
import { isDataError } from "./postgres-error-code.ts";

export interface UsageConsumerOptions {
  keys: UsageStreamKeys;
  /** Entries read (and inserted in one statement) at a time. */
  batchSize: number;
  /** How long one XREADGROUP waits for new entries; also bounds how long `close()` waits for it. */
  blockMs: number;
  /** Pending entries idle this long belong to a consumer that died; they are claimed and ingested. */
  claimIdleMs: number;
}

export interface UsageConsumerDeps {
  db: Db;
  /** Duplicated for the consumer's blocking reads, which would otherwise stall every other command. */
  redis: Redis;
  log: Logger;
  metrics: WorkerMetrics;
}

export interface UsageConsumer {
  readonly consumerName: string;
  /** Resolves once the group exists and the first read is under way. */
  readonly started: Promise<void>;
  /** Finishes the batch in hand (insert and acknowledge), then stops reading and closes its connection. */
  close(): Promise<void>;
}

type StreamEntry = [id: string, fields: string[] | null];

/** Consumers with nothing pending that have been silent this long are removed from the group. */
const staleConsumerIdleMs = 3_600_000;
const maxBackoffMs = 5_000;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Starts the usage ingestion loop: reads the stream through the `usage-ingest` consumer group in
 * batches, inserts valid events idempotently (unique `request_id`), then in one MULTI dead-letters
 * the entries that cannot be ingested, acknowledges the batch and deletes it from the stream, so the
 * stream only ever holds what is not yet in Postgres. Nothing is acknowledged before its rows are
 * committed: a consumer killed mid-batch leaves its entries pending, and any consumer claims them
 * (XAUTOCLAIM) once they have been idle for `claimIdleMs`; re-inserting them is a no-op. A poison
 * entry never blocks the rest: it goes to the dead-letter list with its reason. When Postgres or
 * Redis is away the batch in hand is retried with backoff, never dropped.
 */
export function startUsageConsumer(deps: UsageConsumerDeps, options: UsageConsumerOptions): UsageConsumer {
  const { db, log, metrics } = deps;
  const { keys } = options;
  // Unique per process start, so a restarted worker never inherits a dead consumer's pending entries
  // by name; XAUTOCLAIM hands those over instead.
  const consumerName = `${hostname()}-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const redis = deps.redis.duplicate({ connectionName: "perimeter-worker-usage", maxRetriesPerRequest: null });
  let stopping = false;
  let markStarted: () => void = () => {};
  const started = new Promise<void>((resolve) => {
    markStarted = resolve;
  });

  async function ensureGroup(): Promise<void> {
    try {
      // From id 0, so entries the gateway wrote before the group existed are ingested too.
      await redis.xgroup("CREATE", keys.stream, usageConsumerGroup, "0", "MKSTREAM");
    } catch (error) {
      if (!errorMessage(error).includes("BUSYGROUP")) throw error;
    }
  }

  /** Retries `step` with backoff until it succeeds; false if the consumer is stopping first. */
  async function untilDone(what: string, step: () => Promise<void>): Promise<boolean> {
    for (let attempt = 0; ; attempt++) {
      try {
        await step();
        return true;
      } catch (error) {
        metrics.usageBatchFailures.inc();
        log.warn("usage batch failed, retrying", { step: what, attempt, error: errorMessage(error) });
        if (stopping) return false;
        await sleep(Math.min(maxBackoffMs, 100 * 2 ** attempt));
        if (stopping) return false;
      }
    }
  }

  /**
   * Inserts `batch`; when Postgres refuses the data itself, halves the batch until the offending
   * events are alone and returns those as dead letters, so one bad row never holds back the rest.
   */
  async function insertIsolatingBadRows(
    batch: { entryId: string; fields: string[]; event: UsageEventMessage }[],
  ): Promise<{ inserted: number; dead: UsageDeadLetter[] }> {
    try {
      return {
        inserted: await insertUsageEvents(
          db,
          batch.map((item) => item.event),
        ),
        dead: [],
      };
    } catch (error) {
      if (!isDataError(error)) throw error;
      if (batch.length === 1) {
        const [only] = batch as [(typeof batch)[number]];
        return {
          inserted: 0,
          dead: [{ ...deadLetterOf(only.entryId, only.fields), code: "INSERT_FAILED", error: errorMessage(error) }],
        };
      }
      const half = Math.ceil(batch.length / 2);
      const first = await insertIsolatingBadRows(batch.slice(0, half));
      const second = await insertIsolatingBadRows(batch.slice(half));
      return { inserted: first.inserted + second.inserted, dead: [...first.dead, ...second.dead] };
    }
  }

  async function ingest(entries: StreamEntry[]): Promise<void> {
    const valid: { entryId: string; fields: string[]; event: UsageEventMessage }[] = [];
    const dead: UsageDeadLetter[] = [];
    for (const [entryId, fields] of entries) {
      // A null body is an entry deleted after it was delivered: nothing left to ingest, only to ack.
      if (fields === null) continue;
      const decoded = decodeUsageEvent(fields);
      if (decoded.ok) valid.push({ entryId, fields, event: decoded.event });
      else dead.push({ ...deadLetterOf(entryId, fields), code: decoded.code, error: decoded.message });
    }

    let inserted = 0;
    const committed = await untilDone("insert", async () => {
      const result = await insertIsolatingBadRows(valid);
      inserted = result.inserted;
      dead.push(...result.dead);
    });
    if (!committed) return;

    const ids = entries.map(([id]) => id);
    const acked = await untilDone("ack", async () => {
      const multi = redis.multi();
      if (dead.length > 0) multi.rpush(keys.deadLetter, ...dead.map((letter) => JSON.stringify(letter)));
      multi.xack(keys.stream, usageConsumerGroup, ...ids);
      multi.xdel(keys.stream, ...ids);
      const results = await multi.exec();
      const failed = results?.find(([error]) => error);
      if (!results || failed) throw failed?.[0] ?? new Error("MULTI was discarded");
    });
    if (!acked) return;

    metrics.usageEventsIngested.inc(inserted);
    metrics.usageDuplicatesSkipped.inc(valid.length - inserted - dead.filter((d) => d.code === "INSERT_FAILED").length);
    for (const letter of dead) {
      metrics.usageDeadLettered.inc({ code: letter.code });
      log.warn("usage entry dead-lettered", { entryId: letter.entryId, code: letter.code, error: letter.error });
    }
  }

  /** Takes over entries left pending by consumers that stopped, and forgets consumers long gone. */
  async function claimAbandoned(): Promise<void> {
    let cursor = "0-0";
    do {
      const [next, claimed] = (await redis.xautoclaim(
        keys.stream,
        usageConsumerGroup,
        consumerName,
        options.claimIdleMs,
        cursor,
        "COUNT",
        options.batchSize,
      )) as [string, StreamEntry[], string[]];
      cursor = next;
      if (claimed.length > 0) {
        metrics.usageEntriesClaimed.inc(claimed.length);
        log.info("claimed abandoned usage entries", { count: claimed.length });
        await ingest(claimed);
      }
    } while (cursor !== "0-0" && !stopping);

    const consumers = (await redis.xinfo("CONSUMERS", keys.stream, usageConsumerGroup)) as unknown[][];
    for (const info of consumers) {
      const fields = fieldMap(info);
      if (fields.name !== consumerName && Number(fields.pending) === 0 && Number(fields.idle) > staleConsumerIdleMs) {
        await redis.xgroup("DELCONSUMER", keys.stream, usageConsumerGroup, String(fields.name));
      }
    }
  }

  async function readNew(): Promise<StreamEntry[]> {
    const reply = (await redis.xreadgroup(
      "GROUP",
      usageConsumerGroup,
      consumerName,
      "COUNT",
      options.batchSize,
      "BLOCK",
      options.blockMs,
      "STREAMS",
      keys.stream,
      ">",
    )) as [string, StreamEntry[]][] | null;
    return reply?.[0]?.[1] ?? [];
  }

  async function run(): Promise<void> {
    let nextClaimAt = 0;
    let attempt = 0;
    let groupReady = false;
    while (!stopping) {
      try {
        if (!groupReady) {
          await ensureGroup();
          groupReady = true;
        }
        if (Date.now() >= nextClaimAt) {
          await claimAbandoned();
          nextClaimAt = Date.now() + Math.max(1_000, options.claimIdleMs / 2);
        }
        markStarted();
        const entries = await readNew();
        if (entries.length > 0) await ingest(entries);
        attempt = 0;
      } catch (error) {
        // The stream or group vanished (a Redis without persistence restarted): create them again.
        if (errorMessage(error).includes("NOGROUP")) groupReady = false;
        log.warn("usage consumer error", { error: errorMessage(error) });
        await sleep(Math.min(maxBackoffMs, 100 * 2 ** attempt++));
      }
    }
  }

  const loop = run();
  return {
    consumerName,
    started,
    async close() {
      stopping = true;
      await loop;
      markStarted();
      if (redis.status === "ready") await redis.quit();
      else redis.disconnect();
    },
  };
}

/**
 * Adds the usage stream's gauges to `/metrics`: backlog (entries not yet ingested), pending (delivered,
 * not acknowledged), dead letters, and ingestion lag (age of the oldest entry not yet ingested).
 */
export function watchUsageStream(deps: Pick<UsageConsumerDeps, "redis" | "metrics">, keys: UsageStreamKeys): void {
  const { redis, metrics } = deps;
  metrics.addProbe("usage-stream", async () => {
    const [backlog, pending, deadLetters, oldest, time] = await Promise.all([
      redis.xlen(keys.stream),
      redis.xpending(keys.stream, usageConsumerGroup).catch(() => [0]) as Promise<[number, ...unknown[]]>,
      redis.llen(keys.deadLetter),
      redis.xrange(keys.stream, "-", "+", "COUNT", 1),
      redis.time(),
    ]);
    metrics.usageStreamBacklog.set(backlog);
    metrics.usageStreamPending.set(Number(pending[0]) || 0);
    metrics.usageDeadLetters.set(deadLetters);
    // Acknowledged entries are deleted, so the first entry left is the oldest not yet ingested, and its
    // id starts with the Redis clock's milliseconds when it was added.
    const nowMs = Number(time[0]) * 1000 + Math.floor(Number(time[1]) / 1000);
    const oldestMs = oldest[0] ? Number(oldest[0][0].split("-")[0]) : nowMs;
    metrics.usageIngestionLagSeconds.set(Math.max(0, nowMs - oldestMs) / 1000);
  });
}

function deadLetterOf(
  entryId: string,
  fields: string[],
): Pick<UsageDeadLetter, "entryId" | "fields" | "deadLetteredAt"> {
  return { entryId, fields, deadLetteredAt: new Date().toISOString() };
}

/** XINFO replies are flat `[name, value, …]` lists. */
function fieldMap(flat: unknown[]): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  for (let i = 0; i + 1 < flat.length; i += 2) fields[String(flat[i])] = flat[i + 1];
  return fields;
}
