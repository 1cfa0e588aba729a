import { describe, expect, it } from "vitest";
import type { TeamPrincipal } from "../pipeline/authenticate.ts";
import { testPolicy, testPrincipal } from "../testing/test-principal.ts";
import { layoutOf, planLimits } from "./limit-plan.ts";

const principal = (policies: Partial<TeamPrincipal["policies"]>, memberId: string | null = "mem_1") =>
  testPrincipal({ memberId, policies: { key: null, member: null, team: null, ...policies } });
const now = Date.parse("2026-12-02T10:00:00Z");

describe("planLimits", () => {
  it("plans nothing without policies", () => {
    expect(planLimits(principal({}), { inputTokens: 10, outputTokens: 10 }, now)).toEqual([]);
  });

  it("names each limit by scope, keeps every key under the team's hash tag, and reserves the estimate", () => {
    const plan = planLimits(
      principal({
        key: testPolicy({ requestsPerMinute: 10 }),
        member: testPolicy({ maxConcurrentRequests: 2 }),
        team: testPolicy({ inputTokensPerMinute: 5000, outputTokensPerMinute: 100, totalTokensPerDay: 1_000_000 }),
      }),
      { inputTokens: 1200, outputTokens: 32_000 },
      now,
    );
    expect(plan.map((limit) => [limit.name, limit.kind, limit.measure, limit.limit, limit.reserve])).toEqual([
      ["key.requests_per_minute", "window", "requests", 10, 1],
      ["member.max_concurrent_requests", "concurrency", "concurrent", 2, 1],
      ["team.input_tokens_per_minute", "window", "input", 5000, 1200],
      // A minute's allowance is the most a request can take, so it can still pass on an empty window.
      ["team.output_tokens_per_minute", "window", "output", 100, 100],
      ["team.total_tokens_per_day", "budget", "total", 1_000_000, 33_200],
    ]);
    for (const limit of plan) expect(limit.key.startsWith("perimeter:{team_1}:")).toBe(true);
    // A scope's windows share one log, each limit in its own slot.
    const [, , input, output] = plan;
    expect(input?.key).toBe(output?.key);
    expect([input?.slot, output?.slot]).toEqual([1, 2]);
    expect(plan.at(-1)?.period).toEqual({
      kind: "day",
      startMs: Date.parse("2026-12-02T00:00:00Z"),
      endMs: Date.parse("2026-12-03T00:00:00Z"),
    });
  });

  it("puts each budget period in a key of its own, so a new period starts from zero", () => {
    const limits = principal({ team: testPolicy({ outputTokensPerWeek: 10, outputTokensPerMonth: 10 }) });
    const [week, month] = planLimits(limits, { inputTokens: 1, outputTokens: 1 }, now);
    const [nextWeek, nextMonth] = planLimits(limits, { inputTokens: 1, outputTokens: 1 }, now + 7 * 86_400_000);
    expect(week?.key).not.toBe(nextWeek?.key);
    expect(month?.key).toBe(nextMonth?.key);
  });

  it("lays a principal's limits out once per budget period, and gives each request its own reservations", () => {
    const limits = principal({ team: testPolicy({ inputTokensPerMinute: 500, totalTokensPerDay: 10_000 }) });
    const small = planLimits(limits, { inputTokens: 10, outputTokens: 5 }, now);
    const large = planLimits(limits, { inputTokens: 900, outputTokens: 50 }, now + 3_600_000);
    expect(layoutOf(small)).toBeDefined();
    expect(layoutOf(large)).toBe(layoutOf(small));
    expect(small.map((limit) => limit.reserve)).toEqual([10, 15]);
    expect(large.map((limit) => limit.reserve)).toEqual([500, 950]);
    // The next day is another period: another layout, another counter.
    const tomorrow = planLimits(limits, { inputTokens: 10, outputTokens: 5 }, now + 86_400_000);
    expect(layoutOf(tomorrow)).not.toBe(layoutOf(small));
    expect(tomorrow[1]?.key).not.toBe(small[1]?.key);
    // Going back (a clock set back) is not served from the newer layout either.
    expect(planLimits(limits, { inputTokens: 1, outputTokens: 1 }, now)[1]?.key).toBe(small[1]?.key);
    // A reloaded principal is a new object and gets its own layout.
    const reloaded = principal({ team: testPolicy({ inputTokensPerMinute: 500, totalTokensPerDay: 10_000 }) });
    expect(layoutOf(planLimits(reloaded, { inputTokens: 1, outputTokens: 1 }, now))).not.toBe(layoutOf(small));
  });

  it("skips the member level for a key without an owner's membership", () => {
    const plan = planLimits(
      principal({ member: testPolicy({ requestsPerMinute: 1 }) }, null),
      { inputTokens: 1, outputTokens: 1 },
      now,
    );
    expect(plan).toEqual([]);
  });
});
