import { describe, expect, it } from "vitest";
import { addCounts, countPlaywright, countVitest, formatSummaryLine, settleRun } from "./test-summary.ts";

describe("test summary", () => {
  it("counts a Vitest report, including a file that failed before any test ran", () => {
    const counts = countVitest({
      numPassedTests: 10,
      numFailedTests: 1,
      numPendingTests: 2,
      numTodoTests: 1,
      testResults: [
        { status: "failed", assertionResults: [{ status: "failed" }] },
        { status: "failed", assertionResults: [] },
        { status: "passed", assertionResults: [{ status: "passed" }] },
      ],
    });
    expect(counts).toEqual({ passed: 10, failed: 2, skipped: 3 });
  });

  it("counts a Playwright report, flaky tests as passed", () => {
    expect(countPlaywright({ stats: { expected: 4, unexpected: 1, flaky: 1, skipped: 2 } })).toEqual({
      passed: 5,
      failed: 1,
      skipped: 2,
    });
  });

  it("counts a crashed runner as a failure even without a report", () => {
    expect(settleRun(undefined, 1)).toEqual({ passed: 0, failed: 1, skipped: 0 });
    expect(settleRun(undefined, null)).toEqual({ passed: 0, failed: 1, skipped: 0 });
    expect(settleRun({ passed: 3, failed: 0, skipped: 0 }, 0)).toEqual({ passed: 3, failed: 0, skipped: 0 });
    expect(settleRun({ passed: 3, failed: 2, skipped: 0 }, 1)).toEqual({ passed: 3, failed: 2, skipped: 0 });
  });

  it("prints skipped only when there are some", () => {
    expect(formatSummaryLine({ passed: 12, failed: 0, skipped: 0 })).toBe("12 passed, 0 failed");
    const total = addCounts({ passed: 12, failed: 1, skipped: 0 }, { passed: 3, failed: 0, skipped: 2 });
    expect(formatSummaryLine(total)).toBe("15 passed, 1 failed, 2 skipped");
  });
});
