// The load generator's work: closed-loop virtual users over one undici Pool, one request in flight per
// connection, every answer checked. Runs in its own process (`load-generator.ts`) so its CPU is never the
// target's; the measuring is the same for every target.

import { setTimeout as delay } from "node:timers/promises";
import { type Dispatcher, Pool } from "undici";
import { type AnswerExpectation, answerProblem } from "./answer-check.ts";

export interface LoadJob {
  origin: string;
  path: string;
  headers: Record<string, string>;
  body: string;
  connections: number;
  /** Load before the measured window: connections open, caches warm, JIT done. */
  warmupMs: number;
  durationMs: number;
  expect: AnswerExpectation;
}

export interface LoadResult {
  /** Length of the measured window. */
  windowMs: number;
  /** Correct answers that completed inside the window. */
  completed: number;
  /** Request start → last body byte, of each of those, in completion order. */
  latenciesMs: number[];
  /** Request start → first body byte, of each of those. */
  ttfbMs: number[];
  /** Wrong answers and failed requests over the whole slice, warm-up included. */
  errors: number;
  /** How many of each problem (`status 502`, `ECONNRESET`, …). */
  problems: Record<string, number>;
}

export interface LoadHooks {
  /** Called when the measured window opens and closes, so the caller can sample CPU counters. */
  windowStart(): void;
  windowEnd(): void;
}

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  startedAt: number;
  firstByteAt: number;
  endedAt: number;
}

/** Sends one request and resolves with the whole answer; rejects on a transport failure. */
function send(pool: Pool, options: Dispatcher.DispatchOptions): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const startedAt = performance.now();
    let firstByteAt = 0;
    let status = 0;
    let headers: Answer["headers"] = {};
    const chunks: Buffer[] = [];
    pool.dispatch(options, {
      onRequestStart() {},
      onResponseStart(_controller, statusCode, responseHeaders) {
        status = statusCode;
        headers = responseHeaders;
      },
      onResponseData(_controller, chunk) {
        if (firstByteAt === 0) firstByteAt = performance.now();
        chunks.push(chunk);
      },
      onResponseEnd() {
        const endedAt = performance.now();
        const body = Buffer.concat(chunks).toString("utf8");
        resolve({ status, headers, body, startedAt, firstByteAt: firstByteAt || endedAt, endedAt });
      },
      onResponseError(_controller, error) {
        reject(error);
      },
    });
  });
}

function newPool(job: LoadJob): Pool {
  return new Pool(job.origin, {
    connections: job.connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 15_000,
    bodyTimeout: 15_000,
  });
}

function dispatchOptions(job: LoadJob): Dispatcher.DispatchOptions {
  return {
    method: "POST",
    path: job.path,
    headers: { ...job.headers, "content-type": "application/json" },
    body: Buffer.from(job.body),
  };
}

export interface ProbeAnswer {
  status: number;
  headers: Answer["headers"];
  body: string;
  /** What is wrong with the answer, if anything. */
  problem?: string;
}

/** One request of `job` on a fresh connection, its answer whole. */
export async function probe(job: LoadJob): Promise<ProbeAnswer> {
  const pool = newPool({ ...job, connections: 1 });
  try {
    const answer = await send(pool, dispatchOptions(job));
    const problem = answerProblem(answer.status, answer.body, job.expect);
    return { status: answer.status, headers: answer.headers, body: answer.body, ...(problem ? { problem } : {}) };
  } catch (error) {
    const problem = (error as { code?: string }).code ?? (error as Error).message;
    return { status: 0, headers: {}, body: "", problem };
  } finally {
    await pool.close();
  }
}

/**
 * Runs `job` for its warm-up and window: `connections` virtual users each send a request, read the whole
 * answer, check it, and send the next, until the window closes; answers still in flight then are left
 * out. Throughput and latencies count correct answers completed inside the window only.
 */
export async function runLoad(job: LoadJob, hooks: LoadHooks): Promise<LoadResult> {
  const pool = newPool(job);
  const options = dispatchOptions(job);
  const windowStart = performance.now() + job.warmupMs;
  const windowEnd = windowStart + job.durationMs;
  // Each hook runs once: from its timer, or at the end when the timer had not fired yet.
  let opened = false;
  let closed = false;
  const open = () => {
    if (!opened) hooks.windowStart();
    opened = true;
  };
  const close = () => {
    open();
    if (!closed) hooks.windowEnd();
    closed = true;
  };
  const startTimer = setTimeout(open, job.warmupMs);
  const endTimer = setTimeout(close, job.warmupMs + job.durationMs);
  const result: LoadResult = {
    windowMs: job.durationMs,
    completed: 0,
    latenciesMs: [],
    ttfbMs: [],
    errors: 0,
    problems: {},
  };
  const fail = (problem: string) => {
    result.errors++;
    result.problems[problem] = (result.problems[problem] ?? 0) + 1;
  };

  const user = async () => {
    while (performance.now() < windowEnd) {
      let answer: Answer;
      try {
        answer = await send(pool, options);
      } catch (error) {
        fail((error as { code?: string }).code ?? (error as Error).message);
        // A target that refuses connections must not turn the loop into a busy spin.
        await delay(10);
        continue;
      }
      const problem = answerProblem(answer.status, answer.body, job.expect);
      if (problem) {
        fail(problem);
        continue;
      }
      if (answer.endedAt >= windowStart && answer.endedAt < windowEnd) {
        result.completed++;
        result.latenciesMs.push(answer.endedAt - answer.startedAt);
        result.ttfbMs.push(answer.firstByteAt - answer.startedAt);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: job.connections }, user));
  } finally {
    clearTimeout(startTimer);
    clearTimeout(endTimer);
    close();
    await pool.close();
  }
  return result;
}
