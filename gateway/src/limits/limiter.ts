import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { LimitMeasure, PlannedLimit } from "./limit-plan.ts";
import { admitScript, settleScript } from "./scripts.ts";

/** The state of one limit after admission, for the `anthropic-ratelimit-*` headers. */
export interface LimitState {
  limit: PlannedLimit;
  remaining: number;
  /** When the limit frees up (oldest admission leaves the window, budget period ends), epoch ms; none for leases. */
  resetAtMs?: number;
}

export type AdmitResult =
  | { outcome: "admitted"; lease: string; states: LimitState[] }
  | { outcome: "denied"; limit: PlannedLimit; retryAfterMs: number | null; state: LimitState }
  | { outcome: "unavailable"; error: string };

/** What a finished request really used: uncached input, output, and their sum. */
export type ActualUse = Record<Exclude<LimitMeasure, "concurrent" | "requests">, number>;

interface LimitScripts {
  perimeterAdmit(numKeys: number, ...args: (string | number)[]): Promise<number[]>;
  perimeterSettle(numKeys: number, ...args: (string | number)[]): Promise<number>;
}

export interface LimiterOptions {
  /** How long a concurrency lease lives without renewal: the bound on a dead gateway's held slots. */
  leaseTtlMs: number;
  now?: () => number;
}

/**
 * Admission control over Redis: one script call admits or refuses a request against all its limits at
 * once (`scripts.ts`); one call settles it. Requests in flight keep their concurrency leases alive by renewal, so a
 * gateway that dies holds no slot longer than `leaseTtlMs`.
 */
export class Limiter {
  private readonly redis: Redis & LimitScripts;
  private readonly inFlight = new Map<string, string[]>();
  private readonly renewTimer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(
    redis: Redis,
    private readonly options: LimiterOptions,
  ) {
    redis.defineCommand("perimeterAdmit", { lua: admitScript });
    redis.defineCommand("perimeterSettle", { lua: settleScript });
    this.redis = redis as Redis & LimitScripts;
    this.now = options.now ?? Date.now;
    this.renewTimer = setInterval(() => this.renew(), Math.max(100, options.leaseTtlMs / 3));
    this.renewTimer.unref();
  }

  /** Admits (and reserves) or refuses a request; `unavailable` when Redis could not answer. */
  async admit(plan: PlannedLimit[]): Promise<AdmitResult> {
    const lease = randomBytes(9).toString("base64url");
    if (plan.length === 0) return { outcome: "admitted", lease, states: [] };
    const now = this.now();
    const args: (string | number)[] = [now, lease, now + this.options.leaseTtlMs];
    for (const limit of plan) args.push(limit.kind, limit.limit, limit.reserve, limit.period?.endMs ?? 0);
    let reply: number[];
    try {
      reply = await this.redis.perimeterAdmit(plan.length * 2, ...keysOf(plan), ...args);
    } catch (error) {
      return { outcome: "unavailable", error: (error as Error).message };
    }
    if (reply[0] === 0) {
      const limit = plan[(reply[1] ?? 1) - 1] as PlannedLimit;
      const retry = reply[2] ?? -1;
      return {
        outcome: "denied",
        limit,
        retryAfterMs: retry < 0 ? null : retry,
        state: { limit, remaining: Math.max(0, reply[3] ?? 0), ...resetOf(limit, now, retry) },
      };
    }
    const states = plan.map((limit, i): LimitState => {
      const remaining = reply[1 + i * 2] ?? 0;
      const resetMs = reply[2 + i * 2] ?? 0;
      return { limit, remaining, ...(limit.kind === "concurrency" ? {} : { resetAtMs: now + resetMs }) };
    });
    const leased = plan.filter((limit) => limit.kind === "concurrency").map((limit) => limit.key);
    if (leased.length > 0) this.inFlight.set(lease, leased);
    return { outcome: "admitted", lease, states };
  }

  /**
   * Replaces each reservation by what the request used and releases its lease. Failures are reported,
   * not thrown: an unsettled reservation stays counted (the safe side) and the lease expires by itself.
   */
  async settle(plan: PlannedLimit[], lease: string, used: ActualUse): Promise<void> {
    this.inFlight.delete(lease);
    if (plan.length === 0) return;
    const args: (string | number)[] = [this.now(), lease];
    for (const limit of plan) {
      const really =
        limit.measure === "concurrent" || limit.measure === "requests" ? limit.reserve : used[limit.measure];
      args.push(limit.kind, limit.reserve, really);
    }
    await this.redis.perimeterSettle(plan.length * 2, ...keysOf(plan), ...args);
  }

  /** Stops renewing leases (they then expire on their own). */
  close(): void {
    clearInterval(this.renewTimer);
  }

  private renew(): void {
    if (this.inFlight.size === 0) return;
    const until = this.now() + this.options.leaseTtlMs;
    for (const [lease, keys] of this.inFlight) {
      // XX: a lease already released (or expired and reaped) is not brought back.
      for (const key of keys) this.redis.zadd(key, "XX", until, lease).catch(() => {});
    }
  }
}

function resetOf(limit: PlannedLimit, now: number, retryMs: number): { resetAtMs?: number } {
  if (limit.kind === "budget" && limit.period) return { resetAtMs: limit.period.endMs };
  if (limit.kind === "window" && retryMs >= 0) return { resetAtMs: now + retryMs };
  return {};
}

/** Each limit's two keys, in the order the scripts read them. */
function keysOf(plan: readonly PlannedLimit[]): string[] {
  return plan.flatMap((limit) => [limit.key, limit.sumKey]);
}
