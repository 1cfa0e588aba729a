// The printed tables: one per load shape, then issue 5's verdicts. Markdown, so the same text reads in a
// terminal and pastes into a note. Pure.

import {
  addedP50,
  addedTtfb,
  cpuRatio,
  paired,
  rpsRatio,
  type SliceMeasure,
  summarizeTarget,
  type TargetName,
} from "./bench-stats.ts";
import type { ProfileSummary } from "./cpu-profile.ts";
import type { LoadShape } from "./load-shapes.ts";
import type { Verdict } from "./verdicts.ts";

/** `value` with `digits` decimals, or `-` when there is none. */
export function formatNumber(value: number | undefined, digits: number): string {
  return value === undefined || !Number.isFinite(value) ? "-" : value.toFixed(digits);
}

/** A Markdown table with its columns padded to a common width. */
function renderTable(headers: string[], rows: string[][]): string {
  const widths = headers.map((header, i) => Math.max(header.length, ...rows.map((row) => (row[i] ?? "").length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  return [line(headers), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)].join("\n");
}

const references: TargetName[] = ["direct", "bare-pipe", "bare-json", "bare-json-redis"];

/** The table of one shape: per target, medians over rounds, the spread, and paired ratios to each reference. */
export function renderShapeTable(shape: LoadShape, slices: readonly SliceMeasure[], targets: TargetName[]): string {
  const of = (target: TargetName) => slices.filter((slice) => slice.shape === shape.name && slice.target === target);
  const latency = shape.ttfb ? "TTFB" : "p50";
  const added = shape.ttfb ? addedTtfb : addedP50;
  const headers = [
    "target",
    "RPS",
    "RPS per round",
    "p50 ms",
    "p99 ms",
    ...(shape.ttfb ? ["TTFB p50 ms", "TTFB p99 ms"] : []),
    "errors",
    "CPU µs/req",
    "CPU ×bare-json-redis",
    "sim µs/req",
    "Redis µs/req",
    "RSS MB",
    ...references.filter((ref) => targets.includes(ref)).map((ref) => `RPS ×${ref}`),
    `+${latency} ms vs direct`,
    `+${latency} ms vs bare-json-redis`,
    "client CPU %",
    "steal / others % (max)",
  ];
  const rows = targets.map((target) => {
    const mine = of(target);
    const summary = summarizeTarget(target, mine);
    const versus = (reference: TargetName, combine: typeof rpsRatio, digits: number) =>
      formatNumber(paired(mine, of(reference), combine).median, digits);
    return [
      target,
      formatNumber(summary.rps, 0),
      summary.rpsPerRound.map((rps) => rps.toFixed(0)).join("/"),
      formatNumber(summary.p50Ms, 3),
      formatNumber(summary.p99Ms, 3),
      ...(shape.ttfb ? [formatNumber(summary.ttfbP50Ms, 3), formatNumber(summary.ttfbP99Ms, 3)] : []),
      String(summary.errors),
      formatNumber(summary.cpuUsPerRequest, 0),
      // For `direct` the CPU is the simulator's: no proxy cost to compare.
      targets.includes("bare-json-redis") && target !== "direct" ? versus("bare-json-redis", cpuRatio, 2) : "-",
      formatNumber(summary.upstreamCpuUsPerRequest, 0),
      formatNumber(summary.redisCpuUsPerRequest, 1),
      formatNumber(summary.rssMb, 0),
      ...references.filter((ref) => targets.includes(ref)).map((ref) => versus(ref, rpsRatio, 2)),
      targets.includes("direct") ? versus("direct", added, 3) : "-",
      targets.includes("bare-json-redis") ? versus("bare-json-redis", added, 3) : "-",
      formatNumber(summary.clientCpuPct, 0),
      `${formatNumber(summary.maxStealPct, 1)} / ${formatNumber(summary.maxOthersPct, 1)}`,
    ];
  });
  const problems = targets.flatMap((target) =>
    Object.entries(summarizeTarget(target, of(target)).problems).map(
      ([problem, count]) => `  ${target}: ${count} × ${problem}`,
    ),
  );
  return [
    `### ${shape.name}: ${shape.title}`,
    "",
    renderTable(headers, rows),
    ...(problems.length > 0 ? ["", "wrong answers:", ...problems] : []),
  ].join("\n");
}

/** Issue 5's verdict block. */
export function renderVerdicts(list: readonly Verdict[]): string {
  const rows = list.map((verdict) => {
    const digits = verdict.unit === "ratio" ? 2 : 3;
    const status = verdict.pass === undefined ? "not measured" : verdict.pass ? "PASS" : "FAIL";
    return [
      verdict.goal,
      `${formatNumber(verdict.measured, digits)}${verdict.unit === "ms" && verdict.measured !== undefined ? " ms" : ""}`,
      verdict.perRound.map((value) => value.toFixed(digits)).join(" / ") || "-",
      verdict.note ? `${status} (${verdict.note})` : status,
    ];
  });
  return [
    "### verdict: gateway vs bare-json-redis (issue 5)",
    "",
    renderTable(["target", "median", "per round", "result"], rows),
  ].join("\n");
}

/** The CPU profile block: top self-time functions, where the largest come from, and self time by area. */
export function renderProfile(title: string, summary: ProfileSummary, answers: number): string {
  const functions = renderTable(
    ["self ms", "self %", "function", "location", "area"],
    summary.functions.map((entry) => [
      formatNumber(entry.selfMs, 0),
      formatNumber(entry.selfPct, 1),
      entry.name,
      entry.location,
      entry.area,
    ]),
  );
  const callers = summary.functions
    .slice(0, 10)
    .map(
      (entry) =>
        `- ${entry.name} (${formatNumber(entry.selfPct, 1)} %): ${entry.callers
          .map((caller) => `${formatNumber(caller.pct, 0)} % from ${caller.chain || "(top level)"}`)
          .join("; ")}`,
    );
  const areas = renderTable(
    ["area", "self ms", "self %"],
    summary.areas.slice(0, 15).map((area) => [area.area, formatNumber(area.selfMs, 0), formatNumber(area.selfPct, 1)]),
  );
  const perAnswer = answers > 0 ? (summary.busyMs * 1000) / answers : undefined;
  return [
    `### ${title}`,
    "",
    `window ${formatNumber(summary.totalMs, 0)} ms, busy ${formatNumber(summary.busyMs, 0)} ms: ` +
      `${formatNumber(perAnswer, 0)} µs of gateway CPU per answer under the profiler`,
    "",
    functions,
    "",
    "where the largest come from:",
    ...callers,
    "",
    areas,
  ].join("\n");
}
