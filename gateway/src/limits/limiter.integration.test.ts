import type { LimitPolicyView } from "@perimeter/core";
import { usageStreamKeys } from "@perimeter/core";
import { randomBase32 } from "@perimeter/db";
import { silentLogger } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { UsageMeter } from "../metering/usage-meter.ts";
import { testPolicy, testPrincipal } from "../testing/test-principal.ts";
import { planLimits, type RequestEstimate } from "./limit-plan.ts";
import { type AdmitResult, Limiter } from "./limiter.ts";

// The admission and settlement scripts against a real Redis, on a clock the test moves.

let redis: Redis;
const namespace = `limiter-test-${randomBase32(6)}`;
// 10:00 UTC tomorrow: the clock's times must lie ahead of Redis's own, which removes at once a key whose
// absolute expiry (a lease set's, a budget period's) is already past.
const start = (() => {
  const tomorrow = new Date(Date.now() + 86_400_000);
  return Date.UTC(tomorrow.getUTCFullYear(), tomorrow.getUTCMonth(), tomorrow.getUTCDate(), 10);
})();

beforeAll(() => {
  redis = new Redis(inject("redisUrl"));
});

afterAll(async () => {
  const keys = await redis.keys(`${namespace}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

/** A limiter on its own clock and a team with `team` limits; `at(ms)` moves the clock. */
function setup(team: Partial<LimitPolicyView>, key: Partial<LimitPolicyView> | null = null) {
  let now = start;
  const limiter = new Limiter(redis, { leaseTtlMs: 30_000, now: () => now });
  const principal = testPrincipal({
    teamId: `team_${randomBase32(8)}`,
    policies: { key: key ? testPolicy(key) : null, member: null, team: testPolicy(team) },
  });
  return {
    limiter,
    at(ms: number) {
      now = start + ms;
    },
    plan: (estimate: RequestEstimate) => planLimits(principal, estimate, now, namespace),
    async admit(estimate: RequestEstimate = { inputTokens: 10, outputTokens: 10 }) {
      const plan = planLimits(principal, estimate, now, namespace);
      return { plan, result: await limiter.admit(plan) };
    },
  };
}

function admitted(result: AdmitResult) {
  if (result.outcome !== "admitted") throw new Error(`expected an admission, got ${JSON.stringify(result)}`);
  return result;
}

function remaining(result: AdmitResult, name: string) {
  return admitted(result).states.find((state) => state.limit.name === name)?.remaining;
}

describe("Limiter windows", () => {
  it("admit at most the limit within any 60 s, and a refusal waits exactly for the oldest to age out", async () => {
    const t = setup({ requestsPerMinute: 3 });
    for (const ms of [0, 10_000, 20_000]) {
      t.at(ms);
      expect((await t.admit()).result.outcome).toBe("admitted");
    }
    t.at(30_000);
    const refused = (await t.admit()).result;
    expect(refused).toMatchObject({
      outcome: "denied",
      retryAfterMs: 30_000,
      limit: { name: "team.requests_per_minute" },
    });
    t.at(59_999);
    expect((await t.admit()).result.outcome).toBe("denied");
    t.at(60_000);
    const again = (await t.admit()).result;
    expect(remaining(again, "team.requests_per_minute")).toBe(0);
    // The reset header's time: when the window is wholly free again, once this admission has left it.
    expect(admitted(again).states[0]?.resetAtMs).toBe(start + 120_000);
  });

  it("settlement replaces a token reservation by what was used, and the refund is admissible at once", async () => {
    const t = setup({ inputTokensPerMinute: 1_000, outputTokensPerMinute: 500 });
    const first = await t.admit({ inputTokens: 800, outputTokens: 400 });
    expect(remaining(first.result, "team.input_tokens_per_minute")).toBe(200);
    expect(remaining(first.result, "team.output_tokens_per_minute")).toBe(100);
    t.at(5_000);
    const second = await t.admit({ inputTokens: 800, outputTokens: 10 });
    expect(second.result).toMatchObject({
      outcome: "denied",
      limit: { name: "team.input_tokens_per_minute" },
      retryAfterMs: 55_000,
      state: { remaining: 200 },
    });
    await t.limiter.settle(admitted(first.result).admission, { input: 100, output: 50, total: 150 });
    const third = await t.admit({ inputTokens: 800, outputTokens: 10 });
    expect(remaining(third.result, "team.input_tokens_per_minute")).toBe(100);
    expect(remaining(third.result, "team.output_tokens_per_minute")).toBe(440);
    // The settled request keeps its admission time: it leaves the window at 60 s (800 of the third
    // remain), the third at 65 s (100 of the fourth remain).
    t.at(60_000);
    const fourth = await t.admit({ inputTokens: 100, outputTokens: 1 });
    expect(remaining(fourth.result, "team.input_tokens_per_minute")).toBe(100);
    t.at(65_000);
    const fifth = await t.admit({ inputTokens: 1, outputTokens: 1 });
    expect(remaining(fifth.result, "team.input_tokens_per_minute")).toBe(899);
  });

  it("a settlement that comes after its admission aged out changes nothing", async () => {
    const t = setup({ inputTokensPerMinute: 1_000 });
    const first = await t.admit({ inputTokens: 600, outputTokens: 1 });
    t.at(61_000);
    const second = await t.admit({ inputTokens: 300, outputTokens: 1 });
    await t.limiter.settle(admitted(first.result).admission, { input: 900, output: 1, total: 901 });
    const third = await t.admit({ inputTokens: 1, outputTokens: 1 });
    expect(remaining(second.result, "team.input_tokens_per_minute")).toBe(700);
    expect(remaining(third.result, "team.input_tokens_per_minute")).toBe(699);
  });

  it("recounts a window from its log when its sums are gone", async () => {
    const t = setup({ requestsPerMinute: 10, inputTokensPerMinute: 1_000 });
    await t.admit({ inputTokens: 100, outputTokens: 1 });
    await t.admit({ inputTokens: 200, outputTokens: 1 });
    const [plan] = t.plan({ inputTokens: 1, outputTokens: 1 });
    await redis.del(`${plan?.key}:sum`);
    const next = (await t.admit({ inputTokens: 300, outputTokens: 1 })).result;
    expect(remaining(next, "team.requests_per_minute")).toBe(7);
    expect(remaining(next, "team.input_tokens_per_minute")).toBe(400);
  });

  it("sums that still count aged admissions never refuse: a refusal first takes out what aged", async () => {
    const t = setup({ requestsPerMinute: 2 });
    for (const ms of [0, 500]) {
      t.at(ms);
      expect((await t.admit()).result.outcome).toBe("admitted");
    }
    // Both at the exact limit once the one before has just aged out, however recently sums were aged.
    for (const ms of [60_200, 60_600]) {
      t.at(ms);
      expect(remaining((await t.admit()).result, "team.requests_per_minute")).toBe(0);
    }
    t.at(60_700);
    expect((await t.admit()).result).toMatchObject({ outcome: "denied", retryAfterMs: 59_500 });
  });

  it("a window's log and sums expire together, also when they were rebuilt for a refusal", async () => {
    const t = setup({ requestsPerMinute: 1 });
    await t.admit();
    const [limit] = t.plan({ inputTokens: 1, outputTokens: 1 });
    const key = limit?.key as string;
    const [logTtl, sumTtl] = await Promise.all([redis.pttl(key), redis.pttl(`${key}:sum`)]);
    expect(logTtl).toBeGreaterThan(100_000);
    expect(Math.abs(logTtl - sumTtl)).toBeLessThan(1_000);
    await redis.del(`${key}:sum`);
    expect((await t.admit()).result.outcome).toBe("denied");
    expect(await redis.pttl(`${key}:sum`)).toBeGreaterThan(100_000);
  });

  it("checks every scope before taking anything: a refusal by the team leaves the key's window untouched", async () => {
    const t = setup({ requestsPerMinute: 1 }, { requestsPerMinute: 5 });
    expect(remaining((await t.admit()).result, "key.requests_per_minute")).toBe(4);
    expect((await t.admit()).result).toMatchObject({ outcome: "denied", limit: { name: "team.requests_per_minute" } });
    t.at(60_000);
    expect(remaining((await t.admit()).result, "key.requests_per_minute")).toBe(4);
  });
});

describe("Limiter settlement batches", () => {
  it("settles many requests of several teams in one turn, each exactly", async () => {
    const limiter = new Limiter(redis, { leaseTtlMs: 30_000, now: () => start });
    const teams = [0, 1].map(() =>
      testPrincipal({
        teamId: `team_${randomBase32(8)}`,
        policies: {
          key: null,
          member: null,
          team: testPolicy({ inputTokensPerMinute: 10_000, maxConcurrentRequests: 50, totalTokensPerDay: 100_000 }),
        },
      }),
    );
    const estimate = { inputTokens: 300, outputTokens: 200 };
    const admitted = [];
    for (const principal of teams) {
      for (let n = 0; n < 20; n++) {
        const plan = planLimits(principal, estimate, start, namespace);
        const result = await limiter.admit(plan);
        if (result.outcome !== "admitted") throw new Error("not admitted");
        admitted.push({ plan, admission: result.admission });
      }
    }
    // All forty in one turn of the event loop: one write per team.
    await Promise.all(
      admitted.map(({ admission }) => limiter.settle(admission, { input: 100, output: 50, total: 150 })),
    );
    for (const principal of teams) {
      const plan = planLimits(principal, { inputTokens: 1, outputTokens: 1 }, start, namespace);
      const next = await limiter.admit(plan);
      expect(remaining(next, "team.input_tokens_per_minute")).toBe(10_000 - 20 * 100 - 1);
      expect(remaining(next, "team.total_tokens_per_day")).toBe(100_000 - 20 * 150 - 2);
      // Every lease was released: only this request's is held.
      expect(remaining(next, "team.max_concurrent_requests")).toBe(49);
    }
    await limiter.close();
  });
  it("a turn's admissions take one window member, their refunds one more, and both age out on schedule", async () => {
    const t = setup({ requestsPerMinute: 100, inputTokensPerMinute: 1_000 });
    const results = await Promise.all(Array.from({ length: 10 }, () => t.admit({ inputTokens: 80, outputTokens: 1 })));
    const [first] = results;
    if (!first) throw new Error("no admissions");
    const log = first.plan.find((limit) => limit.name === "team.input_tokens_per_minute")?.key ?? "";
    const lease = admitted(first.result).admission.lease;
    // One member for the ten, named by the first one's lease.
    expect(await redis.zrange(log, 0, -1)).toEqual([`10,800,0|${lease}`]);
    await Promise.all(
      results.map(({ result }) => t.limiter.settle(admitted(result).admission, { input: 30, output: 1, total: 31 })),
    );
    // And one for what their settlements gave back, at their admission's time.
    expect(await redis.zrange(log, 0, -1, "WITHSCORES")).toEqual([
      `0,-500,0|${lease}:settled`,
      String(start),
      `10,800,0|${lease}`,
      String(start),
    ]);
    t.at(10_000);
    expect(
      remaining((await t.admit({ inputTokens: 700, outputTokens: 1 })).result, "team.input_tokens_per_minute"),
    ).toBe(0);
    t.at(30_000);
    // The ten (300 tokens, once settled) leave at 60 s, when 100 more fit.
    expect((await t.admit({ inputTokens: 100, outputTokens: 1 })).result).toMatchObject({
      outcome: "denied",
      retryAfterMs: 30_000,
    });
    t.at(60_001);
    expect(
      remaining((await t.admit({ inputTokens: 300, outputTokens: 1 })).result, "team.input_tokens_per_minute"),
    ).toBe(0);
    await t.limiter.close();
  });

  it("sends what waits to go along with settlements in the same write as they go", async () => {
    const batched = new Redis(inject("redisUrl"), { enableAutoPipelining: true });
    const keys = usageStreamKeys(`${namespace}:${randomBase32(6)}`);
    // Events wait 10 s for a batch of their own: only the settlement can take one out sooner.
    const meter = new UsageMeter(batched, silentLogger, {
      maxBuffered: 10,
      flushIntervalMs: 10_000,
      batchMs: 10_000,
      keys,
    });
    const queued: number[] = [];
    const limiter = new Limiter(batched, {
      leaseTtlMs: 30_000,
      alongSettlements: () => {
        queued.push(batched.autoPipelineQueueSize);
        meter.sendPending();
        queued.push(batched.autoPipelineQueueSize);
      },
    });
    const principal = testPrincipal({
      teamId: `team_${randomBase32(8)}`,
      policies: { key: null, member: null, team: testPolicy({ maxConcurrentRequests: 5 }) },
    });
    try {
      const result = await limiter.admit(
        planLimits(principal, { inputTokens: 1, outputTokens: 1 }, Date.now(), namespace),
      );
      meter.record({
        requestId: "req_along",
        orgId: "org_test",
        model: "m",
        status: 200,
        startedAt: new Date(),
        eventTime: new Date(),
      });
      await limiter.settle(admitted(result).admission, { input: 1, output: 1, total: 2 });
      // The settlement was queued for the turn's write, and the event joined it there.
      expect(queued).toEqual([1, 2]);
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await batched.xlen(keys.stream)).toBe(1);
    } finally {
      await limiter.close();
      await meter.close();
      await batched.del(keys.stream);
      batched.disconnect();
    }
  });
});

describe("Limiter admission batches", () => {
  const teamLimits = {
    requestsPerMinute: 7,
    inputTokensPerMinute: 1_000,
    maxConcurrentRequests: 6,
    totalTokensPerDay: 1_850,
  };
  const keyLimits = { outputTokensPerMinute: 900 };
  // Each refused by a different limit at its turn, and the smaller ones after still fit.
  const estimates: RequestEstimate[] = [
    { inputTokens: 300, outputTokens: 100 },
    { inputTokens: 500, outputTokens: 100 },
    { inputTokens: 300, outputTokens: 100 }, // input tokens per minute
    { inputTokens: 100, outputTokens: 800 }, // key output tokens per minute
    { inputTokens: 100, outputTokens: 600 },
    { inputTokens: 50, outputTokens: 50 },
    { inputTokens: 1, outputTokens: 900 }, // never fits the key's output window
    { inputTokens: 20, outputTokens: 20 },
    { inputTokens: 10, outputTokens: 10 }, // the team's daily budget
    { inputTokens: 5, outputTokens: 5 },
    { inputTokens: 1, outputTokens: 1 }, // concurrency: six are held
  ];

  function tenant() {
    return testPrincipal({
      teamId: `team_${randomBase32(8)}`,
      policies: { key: testPolicy(keyLimits), member: null, team: testPolicy(teamLimits) },
    });
  }

  /** What a caller sees of a result: outcome, the refusing limit and its wait, every limit's state. */
  function seen(result: AdmitResult) {
    if (result.outcome === "unavailable") return result;
    if (result.outcome === "denied")
      return { ...result, limit: result.limit.name, state: { ...result.state, limit: 0 } };
    return result.states.map((state) => [state.limit.name, state.remaining, state.resetAtMs]);
  }

  async function stored(principal: ReturnType<typeof tenant>) {
    const plan = planLimits(principal, { inputTokens: 1, outputTokens: 1 }, start, namespace);
    const state: unknown[] = [];
    for (const key of new Set(plan.map((limit) => limit.key))) {
      const kind = await redis.type(key);
      if (kind === "zset" && key.includes(":window:")) {
        // A batch writes one member for all it reserved: what a log holds is the sum of its members.
        const members = await redis.zrange(key, 0, -1);
        const held = [0, 0, 0];
        for (const member of members) {
          for (const [slot, amount] of (member.split("|")[0] as string).split(",").entries())
            held[slot] = (held[slot] as number) + Number(amount);
        }
        state.push(held, await redis.hgetall(`${key}:sum`));
      } else state.push(kind === "zset" ? await redis.zcard(key) : await redis.hgetall(key));
    }
    return state;
  }

  /** A limiter on a connection of its own that lists its admission calls; the lone script answers `delayMs` late. */
  function watched(delayMs = 0) {
    const own = new Redis(inject("redisUrl"));
    const limiter = new Limiter(own, { leaseTtlMs: 30_000, now: () => start });
    type Send = (...args: unknown[]) => Promise<unknown>;
    const client = own as unknown as { perimeterAdmitOne: Send; perimeterAdmit: Send };
    const calls: string[] = [];
    const sendOne = client.perimeterAdmitOne.bind(own);
    const send = client.perimeterAdmit.bind(own);
    client.perimeterAdmitOne = async (...args) => {
      calls.push("one");
      if (delayMs > 0) await new Promise((resolve) => setTimeout(resolve, delayMs));
      return sendOne(...args);
    };
    client.perimeterAdmit = (...args) => {
      calls.push(`batch of ${args[1 + (args[0] as number)]}`);
      return send(...args);
    };
    return { own, limiter, calls };
  }

  it("admits a turn's requests in one script call, each in order exactly as if alone", async () => {
    const alone = tenant();
    const sequential = new Limiter(redis, { leaseTtlMs: 30_000, now: () => start });
    const one: AdmitResult[] = [];
    for (const estimate of estimates) one.push(await sequential.admit(planLimits(alone, estimate, start, namespace)));

    const { own, limiter: batched, calls } = watched();
    const together = tenant();
    try {
      const all = await Promise.all(
        estimates.map((estimate) => batched.admit(planLimits(together, estimate, start, namespace))),
      );
      expect(all.map(seen)).toEqual(one.map(seen));
      expect(one.map((result) => (result.outcome === "denied" ? result.limit.name : result.outcome))).toEqual([
        "admitted",
        "admitted",
        "team.input_tokens_per_minute",
        "key.output_tokens_per_minute",
        "admitted",
        "admitted",
        "key.output_tokens_per_minute",
        "admitted",
        "team.total_tokens_per_day",
        "admitted",
        "team.max_concurrent_requests",
      ]);
      // All eleven together, at the end of the turn. (Each of the sequential run's was a batch of one, sent
      // through the script for one, so this also holds the two scripts to the same decisions.)
      expect(calls).toEqual(["batch of 11"]);
      expect(await stored(together)).toEqual(await stored(alone));
    } finally {
      await sequential.close();
      await batched.close();
      own.disconnect();
    }
  });

  it("a lone admission is written as the turn ends, after what the turn queued before it", async () => {
    const own = new Redis(inject("redisUrl"));
    const limiter = new Limiter(own, { leaseTtlMs: 30_000, now: () => start });
    const client = own as unknown as { perimeterAdmitOne: (...args: unknown[]) => Promise<unknown> };
    const sendOne = client.perimeterAdmitOne.bind(own);
    const order: string[] = [];
    client.perimeterAdmitOne = (...args) => {
      order.push("admission");
      return sendOne(...args);
    };
    try {
      // As an early forward's write to a reused upstream connection is queued (undici).
      setImmediate(() => order.push("queued before"));
      const result = limiter.admit(planLimits(tenant(), { inputTokens: 1, outputTokens: 1 }, start, namespace));
      order.push("same turn");
      expect((await result).outcome).toBe("admitted");
      expect(order).toEqual(["same turn", "queued before", "admission"]);
    } finally {
      await limiter.close();
      own.disconnect();
    }
  });

  it("what arrives while a layout's call is in flight waits for its reply and goes as one batch", async () => {
    // The first call's reply takes 50 ms.
    const { own, limiter, calls } = watched(50);
    const principal = tenant();
    const plan = () => planLimits(principal, { inputTokens: 1, outputTokens: 1 }, start, namespace);
    try {
      const all = [limiter.admit(plan())];
      // Three more, each in a turn of its own, while the first is out.
      for (let n = 0; n < 3; n++) {
        await new Promise((resolve) => setImmediate(resolve));
        all.push(limiter.admit(plan()));
      }
      const results = await Promise.all(all);
      expect(calls).toEqual(["one", "batch of 3"]);
      expect(results.map((result) => remaining(result, "team.requests_per_minute"))).toEqual([6, 5, 4, 3]);
    } finally {
      await limiter.close();
      own.disconnect();
    }
  });

  it("a batch that Redis cannot run leaves each of its requests unavailable", async () => {
    const own = new Redis(inject("redisUrl"));
    const limiter = new Limiter(own, { leaseTtlMs: 30_000, now: () => start });
    const principal = tenant();
    const plan = () => planLimits(principal, { inputTokens: 1, outputTokens: 1 }, start, namespace);
    try {
      const first = limiter.admit(plan());
      own.disconnect();
      const rest = await Promise.all([limiter.admit(plan()), limiter.admit(plan())]);
      await first.catch(() => {});
      expect(rest.map((result) => result.outcome)).toEqual(["unavailable", "unavailable"]);
    } finally {
      await limiter.close().catch(() => {});
    }
  });
});

describe("Limiter connections", () => {
  it("admits alone and in batches through the direct connection, exactly either way", async () => {
    const name = `limiter-direct-${randomBase32(6)}`;
    const direct = new Redis(inject("redisUrl"), { connectionName: name });
    const batched = new Redis(inject("redisUrl"), { enableAutoPipelining: true });
    const limiter = new Limiter(batched, { leaseTtlMs: 30_000, direct });
    const principal = testPrincipal({
      teamId: `team_${randomBase32(8)}`,
      policies: { key: null, member: null, team: testPolicy({ requestsPerMinute: 40 }) },
    });
    const admit = () =>
      limiter.admit(planLimits(principal, { inputTokens: 1, outputTokens: 1 }, Date.now(), namespace));
    try {
      await direct.ping();
      const alone = [];
      for (let n = 0; n < 20; n++) alone.push(await admit());
      const clients = (await redis.client("LIST")) as string;
      expect(clients.split("\n").find((line) => line.includes(`name=${name}`))).toContain("cmd=evalsha");
      const together = await Promise.all(Array.from({ length: 30 }, admit));
      const outcomes = [...alone, ...together].map((result) => result.outcome);
      expect(outcomes.filter((outcome) => outcome === "admitted")).toHaveLength(40);
      expect(outcomes.filter((outcome) => outcome === "denied")).toHaveLength(10);
    } finally {
      await limiter.close();
      direct.disconnect();
      batched.disconnect();
    }
  });
});

describe("Limiter budgets and leases", () => {
  it("a budget counts reservations, refunds on settlement, and refuses until the period ends", async () => {
    const t = setup({ totalTokensPerDay: 1_000, outputTokensPerDay: 900 });
    const first = await t.admit({ inputTokens: 100, outputTokens: 800 });
    expect(remaining(first.result, "team.total_tokens_per_day")).toBe(100);
    expect(remaining(first.result, "team.output_tokens_per_day")).toBe(100);
    // The period's counter expires a day after the period ends (14 h from 10:00 UTC), set as it is created
    // and left alone by later admissions.
    const counter = first.plan.find((limit) => limit.kind === "budget")?.key as string;
    const expiry = start + 14 * 3_600_000 + 86_400_000;
    expect(await redis.pexpiretime(counter)).toBe(expiry);
    const refused = (await t.admit({ inputTokens: 100, outputTokens: 100 })).result;
    expect(refused).toMatchObject({
      outcome: "denied",
      limit: { name: "team.total_tokens_per_day" },
      retryAfterMs: 14 * 3_600_000,
    });
    await t.limiter.settle(admitted(first.result).admission, { input: 100, output: 50, total: 150 });
    const second = (await t.admit({ inputTokens: 100, outputTokens: 100 })).result;
    expect(remaining(second, "team.total_tokens_per_day")).toBe(650);
    expect(remaining(second, "team.output_tokens_per_day")).toBe(750);
    expect(await redis.pexpiretime(counter)).toBe(expiry);
    // More than the whole budget can never fit: no retry time.
    expect((await t.admit({ inputTokens: 2_000, outputTokens: 1 })).result).toMatchObject({
      outcome: "denied",
      retryAfterMs: null,
    });
    t.at(14 * 3_600_000);
    expect(remaining((await t.admit({ inputTokens: 1, outputTokens: 1 })).result, "team.total_tokens_per_day")).toBe(
      998,
    );
  });

  it("a lease holds a concurrency slot until settlement", async () => {
    const t = setup({ maxConcurrentRequests: 1 });
    const first = await t.admit();
    expect((await t.admit()).result).toMatchObject({ outcome: "denied", retryAfterMs: 1_000 });
    await t.limiter.settle(admitted(first.result).admission, { input: 1, output: 1, total: 2 });
    expect(remaining((await t.admit()).result, "team.max_concurrent_requests")).toBe(0);
    await t.limiter.close();
  });

  it("renewal keeps a long request's lease, and the set that holds it, alive", async () => {
    const limiter = new Limiter(redis, { leaseTtlMs: 300 });
    const principal = testPrincipal({
      teamId: `team_${randomBase32(8)}`,
      policies: { key: null, member: null, team: testPolicy({ maxConcurrentRequests: 1 }) },
    });
    const plan = planLimits(principal, { inputTokens: 1, outputTokens: 1 }, Date.now(), namespace);
    const first = await limiter.admit(plan);
    const key = plan[0]?.key as string;
    const initialTtl = await redis.pttl(key);
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    // Renewed every 100 ms: the lease is still held, its set's expiry moved on.
    expect((await limiter.admit(plan)).outcome).toBe("denied");
    expect(await redis.pttl(key)).toBeGreaterThan(initialTtl - 500);
    await limiter.settle(admitted(first).admission, { input: 1, output: 1, total: 2 });
    expect((await limiter.admit(plan)).outcome).toBe("admitted");
    await limiter.close();
  });

  it("a lease nobody renews expires", async () => {
    const t = setup({ maxConcurrentRequests: 1 });
    await t.admit();
    await t.limiter.close();
    t.at(29_999);
    expect((await t.admit()).result.outcome).toBe("denied");
    t.at(30_001);
    expect((await t.admit()).result.outcome).toBe("admitted");
  });
});
