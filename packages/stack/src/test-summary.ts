export interface TestCounts {
  passed: number;
  failed: number;
  skipped: number;
}

export const noTests: TestCounts = { passed: 0, failed: 0, skipped: 0 };

interface VitestJson {
  numPassedTests?: number;
  numFailedTests?: number;
  numPendingTests?: number;
  numTodoTests?: number;
  testResults?: { status?: string; assertionResults?: { status?: string }[] }[];
}

interface PlaywrightJson {
  stats?: { expected?: number; unexpected?: number; flaky?: number; skipped?: number };
  errors?: unknown[];
}

/**
 * Counts from Vitest's JSON report. A test file that failed before running any test (a syntax error,
 * a failing beforeAll) counts as one failure, so a broken file can never look green.
 */
export function countVitest(report: VitestJson): TestCounts {
  const brokenFiles = (report.testResults ?? []).filter(
    (file) => file.status === "failed" && !(file.assertionResults ?? []).some((test) => test.status === "failed"),
  ).length;
  return {
    passed: report.numPassedTests ?? 0,
    failed: (report.numFailedTests ?? 0) + brokenFiles,
    skipped: (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0),
  };
}

/** Counts from Playwright's JSON report; a test that passed on retry (flaky) counts as passed. */
export function countPlaywright(report: PlaywrightJson): TestCounts {
  const stats = report.stats ?? {};
  return {
    passed: (stats.expected ?? 0) + (stats.flaky ?? 0),
    failed: (stats.unexpected ?? 0) + (report.errors?.length ?? 0),
    skipped: stats.skipped ?? 0,
  };
}

/**
 * A runner's counts, trusting its exit code over its report: a runner that exited non-zero without
 * reporting a failure (it crashed, or its report is missing) adds one failure.
 */
export function settleRun(counts: TestCounts | undefined, exitCode: number | null): TestCounts {
  const settled = counts ?? noTests;
  if (exitCode !== 0 && settled.failed === 0) return { ...settled, failed: 1 };
  return settled;
}

export function addCounts(a: TestCounts, b: TestCounts): TestCounts {
  return { passed: a.passed + b.passed, failed: a.failed + b.failed, skipped: a.skipped + b.skipped };
}

/** The final line of `npm test`: `N passed, N failed`, plus `, N skipped` when some were. */
export function formatSummaryLine(counts: TestCounts): string {
  const line = `${counts.passed} passed, ${counts.failed} failed`;
  return counts.skipped > 0 ? `${line}, ${counts.skipped} skipped` : line;
}
