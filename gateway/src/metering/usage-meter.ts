import {
  defaultUsageStreamKeys,
  encodeUsageEvent,
  type UsageEventMessageInput,
  type UsageStreamKeys,
} from "@perimeter/core";
import type { Logger } from "@perimeter/runtime";
import type { Redis } from "ioredis";

export interface UsageMeterOptions {
  /** Events kept in memory while Redis cannot take them; beyond this the oldest are dropped (and counted). */
  maxBuffered: number;
  /** How often buffered events are retried. */
  flushIntervalMs: number;
  /**
   * How long an event may wait for others to share its call (default 10 ms). One call per request would
   * cost a Redis round trip per request; within this window they share one. A SIGKILL can lose what
   * waits; a shutdown sends it.
   */
  batchMs?: number;
  keys?: UsageStreamKeys;
}

/** Adds each payload as its own stream entry (`v`, `e`: core's encoding), in order, in one call. */
const addEventsScript = `
for i = 2, #ARGV do redis.call('XADD', KEYS[1], '*', 'v', ARGV[1], 'e', ARGV[i]) end
return #ARGV - 1
`;

/** The most events one call carries. */
const maxBatch = 500;

interface UsageScripts {
  perimeterAddUsage(stream: string, version: string, ...payloads: string[]): Promise<number>;
}

/**
 * Sends one usage event per request to the usage stream (one `XADD` each, core's encoding), never
 * Postgres on the request path. The events of a few milliseconds (`batchMs`) go in one call. While Redis is
 * unavailable, events wait in a bounded in-memory buffer and are flushed, in order and in batches, once it
 * answers again; `close()` makes a last attempt. Events are lost only when the buffer overflows or the
 * process dies holding them, and both are counted and logged. (A call that fails part-way is sent again
 * whole: the worker stores each request id once.)
 */
export class UsageMeter {
  private readonly buffer: UsageEventMessageInput[] = [];
  private pending: UsageEventMessageInput[] = [];
  private readonly scripts: UsageScripts;
  private readonly timer: NodeJS.Timeout;
  private readonly keys: UsageStreamKeys;
  private flushing = false;
  private droppedCount = 0;
  private batchTimer: NodeJS.Timeout | undefined;
  private readonly batchMs: number;

  constructor(
    redis: Redis,
    private readonly log: Logger,
    private readonly options: UsageMeterOptions,
  ) {
    this.keys = options.keys ?? defaultUsageStreamKeys;
    this.batchMs = options.batchMs ?? 10;
    redis.defineCommand("perimeterAddUsage", { numberOfKeys: 1, lua: addEventsScript });
    this.scripts = redis as Redis & UsageScripts;
    this.timer = setInterval(() => void this.flush(), options.flushIntervalMs);
    this.timer.unref();
  }

  /** Events waiting for Redis. */
  get buffered(): number {
    return this.buffer.length;
  }

  /** Events dropped because the buffer was full. */
  get dropped(): number {
    return this.droppedCount;
  }

  /** Records one event; returns at once. */
  record(event: UsageEventMessageInput): void {
    if (this.buffer.length > 0) {
      // Keep the stream in order: older events go first.
      this.hold(event);
      return;
    }
    this.pending.push(event);
    if (this.pending.length >= maxBatch) this.sendPending();
    else if (this.pending.length === 1) {
      this.batchTimer = setTimeout(() => this.sendPending(), this.batchMs);
      this.batchTimer.unref();
    }
  }

  /**
   * Sends the events waiting for their batch now, without waiting out `batchMs`: the limiter calls it as it
   * sends settlements, so the two share one write.
   */
  sendPending(): void {
    clearTimeout(this.batchTimer);
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    this.send(batch).catch(() => {
      for (const event of batch) this.hold(event);
    });
  }

  private async send(batch: readonly UsageEventMessageInput[]): Promise<void> {
    let version = "";
    const payloads = batch.map((event) => {
      const [, v, , payload] = encodeUsageEvent(event);
      version = v;
      return payload;
    });
    await this.scripts.perimeterAddUsage(this.keys.stream, version, ...payloads);
  }

  /** Sends what is buffered; resolves when done or when Redis refused again. */
  async flush(): Promise<void> {
    if (this.flushing || this.buffer.length === 0) return;
    this.flushing = true;
    try {
      while (this.buffer.length > 0) {
        const batch = this.buffer.slice(0, maxBatch);
        await this.send(batch);
        this.buffer.splice(0, batch.length);
      }
      this.log.info("usage events flushed after Redis came back");
    } catch {
      // Redis is still away; the next tick tries again.
    } finally {
      this.flushing = false;
    }
  }

  /** Stops the timer after a last flush. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    clearTimeout(this.batchTimer);
    const batch = this.pending;
    this.pending = [];
    for (const event of batch) this.hold(event);
    await this.flush();
    if (this.buffer.length > 0) {
      this.log.error("usage events lost at shutdown: Redis did not take them", { count: this.buffer.length });
    }
  }

  private hold(event: UsageEventMessageInput): void {
    if (this.buffer.length >= this.options.maxBuffered) {
      this.buffer.shift();
      this.droppedCount++;
      if (this.droppedCount === 1 || this.droppedCount % 1000 === 0) {
        this.log.error("usage buffer full: dropping the oldest events", { dropped: this.droppedCount });
      }
    }
    this.buffer.push(event);
  }
}
