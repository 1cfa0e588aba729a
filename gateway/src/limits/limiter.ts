import { randomBase32 } from "@perimeter/db";
import type { Redis } from "ioredis";
import { type LimitMeasure, layoutOf, type PlanLayout, type PlannedLimit } from "./limit-plan.ts";
import { admitOneScript, admitScript, agingMs, settleScript } from "./scripts.ts";

/** The state of one limit after admission, for the `anthropic-ratelimit-*` headers. */
export interface LimitState {
  limit: PlannedLimit;
  remaining: number;
  /** When the limit is fully replenished (a window empties, a budget period ends), epoch ms; none for leases. */
  resetAtMs?: number;
}

export type AdmitResult =
  | { outcome: "admitted"; admission: Admission; states: LimitState[] }
  | { outcome: "denied"; limit: PlannedLimit; retryAfterMs: number | null; state: LimitState }
  | { outcome: "unavailable"; error: string };

/**
 * What settlement needs of an admission: its lease, its time (where its reservation sits in windows), and
 * the plan's stores as admission laid them out.
 */
export interface Admission {
  lease: string;
  atMs: number;
  stores: readonly LimitStore[];
}

/** What a finished request really used: uncached input, output, and their sum. */
export type ActualUse = Record<Exclude<LimitMeasure, "concurrent" | "requests">, number>;

const windowMs = 60_000;
/** A budget period's counter outlives the period by a day (a late settlement still finds it). */
const budgetGraceMs = 86_400_000;
/** The most requests one settlement call carries, so no script holds Redis long. */
const maxSettleBatch = 200;
/** The most requests one admission call carries. */
const maxAdmitBatch = 100;

interface LimitScripts {
  perimeterAdmitOne(numKeys: number, ...args: string[]): Promise<number[]>;
  perimeterAdmit(numKeys: number, ...args: string[]): Promise<number[]>;
  perimeterSettle(numKeys: number, ...args: string[]): Promise<number>;
}

export interface LimiterOptions {
  /** How long a concurrency lease lives without renewal: the bound on a dead gateway's held slots. */
  leaseTtlMs: number;
  /**
   * A connection to the same Redis without auto-pipelining, for admissions, written as the turn of the
   * event loop ends: each batch the turn made (auto-pipelining would hold what is sent then for a turn more).
   */
  direct?: Redis;
  /**
   * Called in the same turn as settlements are sent, so that other writes waiting for a turn of their own
   * (the usage meter's events) go out with them: on an auto-pipelined connection, one write for both.
   */
  alongSettlements?: () => void;
  now?: () => number;
}

/**
 * Admission control over Redis: one script call admits or refuses a request against all its limits at
 * once (`scripts.ts`). The requests of one turn of the event loop that share a plan's stores and limits
 * are admitted together, one call at a time (what arrives while one is out waits for its reply and goes
 * next), each in turn as if alone (a lone request goes through the script for one, which does less);
 * settlements go in batches too, one call per team and turn. Requests
 * in flight keep their concurrency leases alive by renewal, so a gateway that dies holds no slot longer
 * than `leaseTtlMs`.
 */
export class Limiter {
  private readonly redis: Redis & LimitScripts;
  private readonly direct: (Redis & LimitScripts) | undefined;
  private readonly inFlight = new Map<string, string[]>();
  private readonly renewTimer: NodeJS.Timeout;
  private readonly now: () => number;
  /** Settlements waiting for their batch's script call, by team hash tag. */
  private readonly batches = new Map<string, SettleBatch>();
  private flushScheduled = false;
  /** Admissions waiting for their batch's script call, by the stores and limits they share. */
  private readonly admitBatches = new Map<string, AdmitBatch>();
  /** The layouts with an admission call in flight: their next batch waits for its reply. */
  private readonly admitting = new Set<string>();
  private admitFlushScheduled = false;

  constructor(
    redis: Redis,
    private readonly options: LimiterOptions,
  ) {
    for (const client of options.direct ? [redis, options.direct] : [redis]) {
      client.defineCommand("perimeterAdmitOne", { lua: admitOneScript });
      client.defineCommand("perimeterAdmit", { lua: admitScript });
    }
    redis.defineCommand("perimeterSettle", { lua: settleScript });
    this.redis = redis as Redis & LimitScripts;
    this.direct = options.direct as (Redis & LimitScripts) | undefined;
    this.now = options.now ?? Date.now;
    this.renewTimer = setInterval(() => this.renew(), Math.max(100, options.leaseTtlMs / 3));
    this.renewTimer.unref();
  }

  /** Admits (and reserves) or refuses a request; `unavailable` when Redis could not answer. */
  async admit(plan: PlannedLimit[]): Promise<AdmitResult> {
    const { stores, layout } = storesOf(plan);
    // Its time is its batch's, set as the batch is sent.
    const admission: Admission = { lease: randomBase32(16), atMs: this.now(), stores };
    if (plan.length === 0) return { outcome: "admitted", admission, states: [] };
    let reply: number[];
    try {
      reply = await this.send(layout, admission);
    } catch (error) {
      return { outcome: "unavailable", error: (error as Error).message };
    }
    const now = admission.atMs;
    if (reply[0] === 0) {
      const store = stores[(reply[1] ?? 1) - 1];
      const limit = store?.members[(reply[2] ?? 1) - 1] as PlannedLimit;
      const retry = reply[3] ?? -1;
      const state: LimitState = { limit, remaining: Math.max(0, limit.limit - (reply[4] ?? 0)) };
      if (limit.kind !== "concurrency") state.resetAtMs = now + (reply[5] ?? 0);
      return { outcome: "denied", limit, retryAfterMs: retry < 0 ? null : retry, state };
    }
    const states: LimitState[] = [];
    const leased: string[] = [];
    stores.forEach((store, i) => {
      const at = 1 + i * 3;
      if (store.kind === "concurrency") leased.push(store.key);
      // Fully replenished: a window once this admission has left it, a budget when its period ends.
      const resetAtMs = store.kind === "window" ? now + windowMs : store.periodEndMs;
      for (const limit of store.members) {
        if (!limit) continue;
        const remaining = limit.limit - (reply[at + limit.slot] ?? 0);
        states.push(limit.kind === "concurrency" ? { limit, remaining } : { limit, remaining, resetAtMs });
      }
    });
    if (leased.length > 0) this.inFlight.set(admission.lease, leased);
    return { outcome: "admitted", admission, states };
  }

  /**
   * Replaces each reservation by what the request used and releases its lease. Settlements are sent in
   * batches, one script call per team and turn of the event loop (at most `maxSettleBatch` requests each);
   * the promise resolves once the request's batch is written. Failures are reported, not thrown at the
   * caller's request: an unsettled reservation stays counted (the safe side) and the lease expires by itself.
   */
  settle(admission: Admission, used: ActualUse): Promise<void> {
    this.inFlight.delete(admission.lease);
    const first = admission.stores[0];
    if (!first) return Promise.resolve();
    const tag = first.key.slice(first.key.indexOf("{"), first.key.indexOf("}") + 1);
    let batch = this.batches.get(tag);
    if (!batch) {
      batch = newSettleBatch();
      this.batches.set(tag, batch);
    }
    let touched = false;
    // An admission that already left its windows no longer counts there either way.
    const inWindows = admission.atMs > this.now() - windowMs;
    for (const store of admission.stores) {
      if (store.kind === "concurrency") {
        batch.args.push(`c,${indexOf(batch, store.key, false)},${admission.lease}`);
        touched = true;
        continue;
      }
      if (store.kind === "window" && !inWindows) continue;
      const [a, b, c] = store.members;
      const d0 = difference(a, used);
      const d1 = difference(b, used);
      const d2 = difference(c, used);
      if (d0 === 0 && d1 === 0 && d2 === 0) continue;
      touched = true;
      // The differences of one store (and, in a window, one admission time) are summed: one entry each.
      const k = indexOf(batch, store.key, store.kind === "window");
      const group = store.kind === "window" ? `${k},${admission.atMs}` : `${k}`;
      const sum = batch.sums.get(group);
      if (sum) {
        sum.delta[0] += d0;
        sum.delta[1] += d1;
        sum.delta[2] += d2;
      } else batch.sums.set(group, { delta: [d0, d1, d2], lease: store.kind === "window" ? admission.lease : "" });
    }
    if (!touched) return Promise.resolve();
    batch.requests++;
    if (batch.requests >= maxSettleBatch) void this.flush(tag);
    else if (!this.flushScheduled) {
      this.flushScheduled = true;
      setImmediate(() => this.flushAll());
    }
    return batch.written;
  }

  /** Stops renewing leases (they then expire on their own) and writes the settlements still pending. */
  async close(): Promise<void> {
    clearInterval(this.renewTimer);
    this.flushAdmissions();
    await this.flushAll();
  }

  /**
   * One admission's reply row, from its batch: the requests of one layout, written as the turn of the
   * event loop ends, after what the turn queued before them, or once the layout's call in flight has its
   * reply (a batch that reaches `maxAdmitBatch` goes at once). A request forwarded to vLLM early is queued
   * first (undici writes to a reused connection at the turn's end), and vLLM's part takes longer than the
   * admission's, so it leaves first.
   */
  private send(layout: StoreLayout, admission: Admission): Promise<number[]> {
    let batch = this.admitBatches.get(layout.signature);
    if (!batch) {
      batch = { layout, admissions: [], waiters: [] };
      this.admitBatches.set(layout.signature, batch);
    }
    const row = new Promise<number[]>((resolve, reject) => {
      (batch as AdmitBatch).waiters.push({ resolve, reject });
    });
    batch.admissions.push(admission);
    if (batch.waiters.length >= maxAdmitBatch) this.sendAdmissions(batch);
    else if (!this.admitFlushScheduled) {
      this.admitFlushScheduled = true;
      setImmediate(() => this.flushAdmissions());
    }
    return row;
  }

  private flushAdmissions(): void {
    this.admitFlushScheduled = false;
    for (const batch of this.admitBatches.values()) this.sendAdmissions(batch);
  }

  /**
   * Sends a batch (on the direct connection when there is one: written now, not at the next turn's end) at
   * one time, now; a batch of one through the script for one.
   */
  private sendAdmissions(batch: AdmitBatch): void {
    const { layout, admissions, waiters } = batch;
    // One call per layout at a time: what arrives meanwhile joins the next batch, which a busy gateway's
    // Redis then runs as one script instead of several small ones. (Requests of one layout contend for the
    // same keys; a script runs alone in Redis anyway.)
    if (this.admitting.has(layout.signature) && waiters.length < maxAdmitBatch) return;
    this.admitBatches.delete(layout.signature);
    this.admitting.add(layout.signature);
    const settled = () => {
      this.admitting.delete(layout.signature);
      const next = this.admitBatches.get(layout.signature);
      if (next) this.sendAdmissions(next);
    };
    const client = this.direct?.status === "ready" ? this.direct : this.redis;
    const now = this.now();
    const leaseUntil = now + this.options.leaseTtlMs;
    const at = String(now);
    const cutoff = String(now - windowMs);
    const leaseExpiry = String(leaseUntil);
    const setExpiry = String(leaseUntil + windowMs);
    const agedBy = String(now + agingMs);
    for (const admission of admissions) admission.atMs = now;
    const only = waiters.length === 1 ? waiters[0] : undefined;
    if (only) {
      const admission = admissions[0] as Admission;
      const args = [at, cutoff, admission.lease, leaseExpiry, setExpiry, agedBy];
      admission.stores.forEach((store, i) => {
        const spec = layout.specs[i] as StoreSpec;
        if (store.kind === "concurrency") {
          args.push(spec.head);
          return;
        }
        const amounts = amountsOf(store);
        args.push(`${spec.head},${amounts}`, store.kind === "window" ? `${amounts}|${admission.lease}` : spec.tail);
      });
      client
        .perimeterAdmitOne(layout.keys.length, ...layout.keys, ...args)
        .then(only.resolve, only.reject)
        .finally(settled);
      return;
    }
    const args = [String(waiters.length), at, cutoff, leaseExpiry, setExpiry, agedBy, String(layout.stores.length)];
    for (const spec of layout.specs) args.push(spec.batch);
    for (const admission of admissions) {
      args.push(admission.lease);
      for (const store of admission.stores) {
        if (store.kind !== "concurrency") args.push(amountsOf(store));
      }
    }
    client
      .perimeterAdmit(layout.keys.length, ...layout.keys, ...args)
      .then(
        (reply) => {
          waiters.forEach((waiter, i) => {
            waiter.resolve(reply.slice(i * layout.width, (i + 1) * layout.width));
          });
        },
        (error: Error) => {
          for (const waiter of waiters) waiter.reject(error);
        },
      )
      .finally(settled);
  }

  private async flushAll(): Promise<void> {
    this.flushScheduled = false;
    const sent = Promise.all([...this.batches.keys()].map((tag) => this.flush(tag)));
    this.options.alongSettlements?.();
    await sent;
  }

  private async flush(tag: string): Promise<void> {
    const batch = this.batches.get(tag);
    if (!batch) return;
    this.batches.delete(tag);
    for (const [group, { delta, lease }] of batch.sums) {
      if (delta[0] === 0 && delta[1] === 0 && delta[2] === 0) continue;
      const d = `${delta[0]},${delta[1]},${delta[2]}`;
      if (lease) batch.args.push(`w,${group},${d}`, `${d}|${lease}:settled`);
      else batch.args.push(`b,${group},${d}`);
    }
    if (batch.args.length === 0) return batch.done.resolve();
    try {
      await this.redis.perimeterSettle(batch.keys.length, ...batch.keys, ...batch.args);
      batch.done.resolve();
    } catch (error) {
      batch.done.reject(error as Error);
    }
  }

  private renew(): void {
    if (this.inFlight.size === 0) return;
    const until = this.now() + this.options.leaseTtlMs;
    const renewed = new Set<string>();
    for (const [lease, keys] of this.inFlight) {
      for (const key of keys) {
        // XX: a lease already released (or expired and reaped) is not brought back.
        this.redis.zadd(key, "XX", until, lease).catch(() => {});
        renewed.add(key);
      }
    }
    // The set itself must outlive its leases, or a long request's slot would vanish with it.
    for (const key of renewed) this.redis.pexpireat(key, until + windowMs).catch(() => {});
  }
}

/** Admissions of one plan layout waiting to be sent together. */
interface AdmitBatch {
  layout: StoreLayout;
  admissions: Admission[];
  waiters: { resolve: (row: number[]) => void; reject: (error: Error) => void }[];
}

/** The settlements of one team waiting to be written together. */
interface SettleBatch {
  keys: string[];
  /** 1-based index of each key in `keys`. */
  index: Map<string, number>;
  /** Lease releases. */
  args: string[];
  /**
   * The differences to add, summed by store (`<k>`) and in a window by admission time (`<k>,<time>`); a
   * window's with the lease of one of its requests, for its member's name (a budget's: none).
   */
  sums: Map<string, { delta: [number, number, number]; lease: string }>;
  requests: number;
  /** Settles once the batch is written (or failed): what every `settle` of the batch returns. */
  written: Promise<void>;
  done: { resolve: () => void; reject: (error: Error) => void };
}

function newSettleBatch(): SettleBatch {
  let done: SettleBatch["done"] = { resolve() {}, reject() {} };
  const written = new Promise<void>((resolve, reject) => {
    done = { resolve, reject };
  });
  // A failure is each caller's to handle; the batch's own promise must not count as unhandled.
  written.catch(() => {});
  return { keys: [], index: new Map(), args: [], sums: new Map(), requests: 0, written, done };
}

/** What a request used beyond (or below) its reservation for one slot's limit; 0 for counts of requests. */
function difference(limit: PlannedLimit | undefined, used: ActualUse): number {
  if (!limit || limit.measure === "requests" || limit.measure === "concurrent") return 0;
  return used[limit.measure] - limit.reserve;
}

/** What a request reserves in a store, as the scripts take it: `<slot 1>,<slot 2>,<slot 3>`. */
function amountsOf(store: LimitStore): string {
  return `${store.amounts[0]},${store.amounts[1]},${store.amounts[2]}`;
}

/** A store's index in a batch's KEYS; a window's log comes with its sum key right after it. */
function indexOf(batch: SettleBatch, key: string, window: boolean): number {
  let index = batch.index.get(key);
  if (index === undefined) {
    index = batch.keys.push(key);
    batch.index.set(key, index);
    if (window) batch.keys.push(`${key}:sum`);
  }
  return index;
}

/** One store of the scripts (`scripts.ts`): the limits of a plan that share a Redis key, by slot. */
export interface LimitStore {
  kind: PlannedLimit["kind"];
  key: string;
  members: (PlannedLimit | undefined)[];
  /** Per slot: what the request reserves (0 where there is no limit). */
  amounts: number[];
  periodEndMs: number;
}

/** What the admission script is told of a store besides the request's amounts (see `admitScript`). */
interface StoreSpec {
  /** `c,<limit>`, or `w,…`/`b,…` and the three limits. */
  head: string;
  /** A budget's `<period end>,<expiry>`. */
  tail: string;
  /** What the batch script is told of the store: `head`, and a budget's `tail` after it. */
  batch: string;
}

/** How a plan's limits fall into stores: the same for every plan of one layout, so worked out once. */
interface StoreLayout {
  /** The store of each limit, by its place in the plan. */
  storeOf: number[];
  /** Per store, with each slot's limit (-1: none). */
  stores: { kind: PlannedLimit["kind"]; key: string; limits: number[]; periodEndMs: number }[];
  keys: string[];
  specs: StoreSpec[];
  /** What admissions that may share a script call have in common: their keys and limits. */
  signature: string;
  /** The length of one request's row in the admission script's reply. */
  width: number;
}

const storeLayouts = new WeakMap<PlanLayout, StoreLayout>();

/** The stores of a plan in first-seen order, and the KEYS the scripts read (a window's sum key after its log). */
function layStores(plan: readonly PlannedLimit[]): StoreLayout {
  const byKey = new Map<string, number>();
  const layout: StoreLayout = { storeOf: [], stores: [], keys: [], specs: [], signature: "", width: 0 };
  for (const limit of plan) {
    let index = byKey.get(limit.key);
    if (index === undefined) {
      index =
        layout.stores.push({
          kind: limit.kind,
          key: limit.key,
          limits: [-1, -1, -1],
          periodEndMs: limit.period?.endMs ?? 0,
        }) - 1;
      byKey.set(limit.key, index);
      layout.keys.push(limit.key);
      if (limit.kind === "window") layout.keys.push(`${limit.key}:sum`);
    }
    layout.storeOf.push(index);
    (layout.stores[index] as StoreLayout["stores"][number]).limits[limit.slot] = limit.limit;
  }
  for (const store of layout.stores) {
    const tag = store.kind === "concurrency" ? "c" : store.kind === "window" ? "w" : "b";
    const limits = store.kind === "concurrency" ? [store.limits[0]] : store.limits;
    const head = `${tag},${limits.join(",")}`;
    const tail = `${store.periodEndMs},${store.periodEndMs + budgetGraceMs}`;
    layout.specs.push({ head, tail, batch: store.kind === "budget" ? `${head},${tail}` : head });
  }
  layout.signature = `${layout.keys.join(" ")} ${layout.specs.map((spec) => spec.head).join(" ")}`;
  layout.width = Math.max(6, 1 + 3 * layout.stores.length);
  return layout;
}

/** A plan's stores with what this request reserves in each, and what the scripts need to be told of them. */
function storesOf(plan: readonly PlannedLimit[]): { stores: LimitStore[]; layout: StoreLayout } {
  const planLayout = layoutOf(plan);
  let layout = planLayout && storeLayouts.get(planLayout);
  if (!layout) {
    layout = layStores(plan);
    if (planLayout) storeLayouts.set(planLayout, layout);
  }
  const stores: LimitStore[] = layout.stores.map((store) => ({
    kind: store.kind,
    key: store.key,
    periodEndMs: store.periodEndMs,
    members: [undefined, undefined, undefined],
    amounts: [0, 0, 0],
  }));
  plan.forEach((limit, i) => {
    const store = stores[layout.storeOf[i] as number] as LimitStore;
    store.members[limit.slot] = limit;
    store.amounts[limit.slot] = limit.reserve;
  });
  return { stores, layout };
}
