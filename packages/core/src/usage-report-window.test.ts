import { describe, expect, it } from "vitest";
import { planUsageReportWindow } from "./usage-report-window.ts";

const at = (iso: string) => new Date(iso);

describe("planUsageReportWindow", () => {
  it("snaps the start to its UTC day and returns the default seven days", () => {
    const window = planUsageReportWindow({
      startingAt: at("2026-03-01T17:45:00Z"),
      endingAt: at("2026-03-20T00:00:00Z"),
      bucketWidth: "1d",
    });
    expect(window).toMatchObject({ ok: true, from: at("2026-03-01T00:00:00Z"), to: at("2026-03-08T00:00:00Z") });
    if (!window.ok) return;
    expect(window.buckets.map((bucket) => bucket.toISOString().slice(0, 10))).toEqual([
      "2026-03-01",
      "2026-03-02",
      "2026-03-03",
      "2026-03-04",
      "2026-03-05",
      "2026-03-06",
      "2026-03-07",
    ]);
    expect(window.nextPage).toMatch(/^page_/);
  });

  it("pages through a range and ends with a partial bucket that starts before ending_at", () => {
    const base = {
      startingAt: at("2026-03-01T00:30:00Z"),
      endingAt: at("2026-03-01T05:10:00Z"),
      bucketWidth: "1h" as const,
      limit: 2,
    };
    const pages: string[][] = [];
    let page: string | undefined;
    for (let guard = 0; guard < 10; guard++) {
      const window = planUsageReportWindow({ ...base, page });
      if (!window.ok) throw new Error(window.code);
      pages.push(window.buckets.map((bucket) => bucket.toISOString().slice(11, 16)));
      if (!window.nextPage) break;
      page = window.nextPage;
    }
    expect(pages).toEqual([
      ["00:00", "01:00"],
      ["02:00", "03:00"],
      ["04:00", "05:00"],
    ]);
  });

  it("refuses a page token from another range and an empty range", () => {
    const range = {
      startingAt: at("2026-03-01T00:00:00Z"),
      endingAt: at("2026-03-02T00:00:00Z"),
      bucketWidth: "1h" as const,
    };
    const elsewhere = planUsageReportWindow({
      ...range,
      startingAt: at("2026-04-01T00:00:00Z"),
      endingAt: at("2026-04-03T00:00:00Z"),
    });
    if (!elsewhere.ok) throw new Error(elsewhere.code);
    expect(planUsageReportWindow({ ...range, page: elsewhere.nextPage ?? "" })).toEqual({
      ok: false,
      code: "INVALID_PAGE",
    });
    expect(planUsageReportWindow({ ...range, page: "page_garbage" })).toEqual({ ok: false, code: "INVALID_PAGE" });
    expect(planUsageReportWindow({ ...range, endingAt: range.startingAt })).toEqual({
      ok: false,
      code: "INVALID_RANGE",
    });
  });
});
