import { describe, expect, it } from "vitest";
import { budgetPeriod } from "./budget-period.ts";

const at = (iso: string) => Date.parse(iso);
const iso = (period: { startMs: number; endMs: number }) => [
  new Date(period.startMs).toISOString(),
  new Date(period.endMs).toISOString(),
];

describe("budgetPeriod", () => {
  it("gives UTC calendar periods", () => {
    const now = at("2026-12-02T15:30:00Z"); // a Wednesday
    expect(iso(budgetPeriod("day", now, "UTC"))).toEqual(["2026-12-02T00:00:00.000Z", "2026-12-03T00:00:00.000Z"]);
    expect(iso(budgetPeriod("week", now, "UTC"))).toEqual(["2026-11-30T00:00:00.000Z", "2026-12-07T00:00:00.000Z"]);
    expect(iso(budgetPeriod("week", now, "UTC", 7))).toEqual(["2026-11-29T00:00:00.000Z", "2026-12-06T00:00:00.000Z"]);
    expect(iso(budgetPeriod("month", now, "UTC"))).toEqual(["2026-12-01T00:00:00.000Z", "2027-01-01T00:00:00.000Z"]);
  });

  it("follows the organization's time zone, where the local day may still be yesterday", () => {
    const now = at("2026-12-02T03:00:00Z"); // 22:00 on Dec 1 in New York
    expect(iso(budgetPeriod("day", now, "America/New_York"))).toEqual([
      "2026-12-01T05:00:00.000Z",
      "2026-12-02T05:00:00.000Z",
    ]);
    expect(iso(budgetPeriod("month", at("2026-12-31T23:30:00Z"), "Asia/Tokyo"))).toEqual([
      "2026-12-31T15:00:00.000Z",
      "2027-01-31T15:00:00.000Z",
    ]);
  });

  it("makes days 23 or 25 hours long across daylight-saving changes", () => {
    const spring = budgetPeriod("day", at("2026-03-29T12:00:00Z"), "Europe/Paris");
    expect(iso(spring)).toEqual(["2026-03-28T23:00:00.000Z", "2026-03-29T22:00:00.000Z"]);
    expect(spring.endMs - spring.startMs).toBe(23 * 3_600_000);
    const autumn = budgetPeriod("day", at("2026-10-25T12:00:00Z"), "Europe/Paris");
    expect(autumn.endMs - autumn.startMs).toBe(25 * 3_600_000);
  });

  it("starts a day at its first instant where DST skips midnight", () => {
    // Santiago moves clocks from 00:00 to 01:00 on the first Sunday of September.
    const period = budgetPeriod("day", at("2026-09-06T12:00:00Z"), "America/Santiago");
    expect(iso(period)).toEqual(["2026-09-06T04:00:00.000Z", "2026-09-07T03:00:00.000Z"]);
  });

  it("always contains the instant it was asked about", () => {
    for (let hour = 0; hour < 24 * 40; hour += 7) {
      const now = at("2026-10-20T00:00:00Z") + hour * 3_600_000;
      for (const kind of ["day", "week", "month"] as const) {
        const period = budgetPeriod(kind, now, "Europe/Paris");
        expect(period.startMs).toBeLessThanOrEqual(now);
        expect(period.endMs).toBeGreaterThan(now);
      }
    }
  });
});
