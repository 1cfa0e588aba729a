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
  keys?: UsageStreamKeys;
}

/**
 * Sends one usage event per request to the usage stream (`XADD`, core's encoding), never Postgres on the
 * request path. While Redis is unavailable, events wait in a bounded in-memory buffer and are flushed, in
 * order and in batches, once it answers again; `close()` makes a last attempt. Events are lost only when
 * the buffer overflows or the process dies holding them, and both are counted and logged.
 */
export class UsageMeter {
  private readonly buffer: UsageEventMessageInput[] = [];
  private readonly timer: NodeJS.Timeout;
  private readonly keys: UsageStreamKeys;
  private flushing = false;
  private droppedCount = 0;

  constructor(
    private readonly redis: Redis,
    private readonly log: Logger,
    private readonly options: UsageMeterOptions,
  ) {
    this.keys = options.keys ?? defaultUsageStreamKeys;
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
    this.redis.xadd(this.keys.stream, "*", ...encodeUsageEvent(event)).catch(() => this.hold(event));
  }

  /** Sends what is buffered; resolves when done or when Redis refused again. */
  async flush(): Promise<void> {
    if (this.flushing || this.buffer.length === 0) return;
    this.flushing = true;
    try {
      while (this.buffer.length > 0) {
        const batch = this.buffer.slice(0, 500);
        const pipeline = this.redis.pipeline();
        for (const event of batch) pipeline.xadd(this.keys.stream, "*", ...encodeUsageEvent(event));
        const results = await pipeline.exec();
        const sent = results?.findIndex(([error]) => error) ?? -1;
        const count = sent === -1 ? batch.length : sent;
        this.buffer.splice(0, count);
        if (count < batch.length) return;
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
