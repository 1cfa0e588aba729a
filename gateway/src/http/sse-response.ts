import { once } from "node:events";
import type http from "node:http";
import type { StreamEvent } from "../protocol/anthropic.ts";
import { encodeEvent, keepAliveComment } from "../protocol/sse-encoder.ts";

const pingFrame = encodeEvent({ type: "ping" });

/** The progress of a stream whose keep-alives are always SSE comments (it has no `message_start`). */
export const neverStarted = { started: false } as const;

/**
 * A server-sent-events answer. Headers are held back until the first event or the first keep-alive, so a
 * failure before anything was streamed can still be answered as a plain JSON error, which clients retry
 * (T-19). Every `keepAliveMs` without a write, a keep-alive goes out: a `ping` event once `message_start`
 * is out, an SSE comment before (SSE-09). Writes wait for the client to drain, so a slow client slows the
 * upstream down instead of filling memory.
 */
export class SseResponse {
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly res: http.ServerResponse,
    /** `progress.started`: whether the stream's first event (`message_start`) is out, read at each keep-alive. */
    private readonly options: { keepAliveMs: number; progress: { readonly started: boolean } },
  ) {
    this.timer = setTimeout(() => this.keepAlive(), options.keepAliveMs);
    res.once("close", () => {
      this.closed = true;
      clearTimeout(this.timer);
    });
  }

  /** True once the 200 and the SSE headers are sent: from then on, errors are `error` events. */
  get committed(): boolean {
    return this.res.headersSent;
  }

  /** Sends events in one write, after the headers if they are not out yet. */
  async send(events: StreamEvent[]): Promise<void> {
    if (events.length === 0 || this.closed) return;
    let text = "";
    for (const event of events) text += encodeEvent(event);
    await this.write(text);
  }

  /** Sends already-encoded SSE frames (the OpenAI-API routes' own events) in one write. */
  async sendText(text: string): Promise<void> {
    if (text === "" || this.closed) return;
    await this.write(text);
  }

  /** Ends the body (once; later calls do nothing); the keep-alives stop. */
  end(): void {
    clearTimeout(this.timer);
    if (!this.closed && !this.res.writableEnded) {
      this.commit();
      this.res.end();
    }
  }

  /** Stops the keep-alives without touching the response (the caller answers another way). */
  dispose(): void {
    clearTimeout(this.timer);
  }

  private commit(): void {
    if (this.res.headersSent) return;
    this.res.writeHead(200, {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-cache",
      connection: "keep-alive",
      // Tells nginx-style proxies in front of the gateway not to buffer the stream (SSE-10).
      "x-accel-buffering": "no",
    });
  }

  private async write(text: string): Promise<void> {
    this.commit();
    this.timer.refresh();
    if (this.res.write(text) || this.closed) return;
    await Promise.race([once(this.res, "drain"), once(this.res, "close")]);
  }

  private keepAlive(): void {
    if (this.closed) return;
    void this.write(this.options.progress.started ? pingFrame : keepAliveComment);
  }
}
