// Summary of a V8 CPU profile (`node --cpu-prof`): where a process spent its own (self) time, by function
// and by area (a package, a gateway folder, Node's internals). Pure.

export interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    children?: number[];
  }[];
  /** Monotonic clock, in microseconds (CLOCK_MONOTONIC on Linux, as `process.hrtime`). */
  startTime: number;
  samples: number[];
  /** Microseconds before each sample; sample i lasts until sample i + 1 (as DevTools reads it). */
  timeDeltas: number[];
}

/** A stretch of the profile, in its own clock: only samples taken inside it count. */
export interface ProfileWindow {
  startMicros: number;
  endMicros: number;
}

export interface SelfTime {
  name: string;
  /** `path:line` relative to the repository, or the package's path, or empty for V8's own entries. */
  location: string;
  area: string;
  selfMs: number;
  /** Of the profile's busy (non-idle) time. */
  selfPct: number;
  /** The call paths most of that time came through (nearest caller first), with their share of it. */
  callers: { chain: string; pct: number }[];
}

export interface ProfileSummary {
  totalMs: number;
  idleMs: number;
  busyMs: number;
  functions: SelfTime[];
  areas: { area: string; selfMs: number; selfPct: number }[];
}

const callerDepth = 6;

/** Where a script belongs: an npm package, a folder of this repository, Node itself, or V8. */
export function areaOf(url: string, rootUrl: string): string {
  if (url === "") return "(V8 / native)";
  if (url.startsWith("node:")) return "node internals";
  const modules = url.lastIndexOf("/node_modules/");
  if (modules !== -1) {
    const [scope = "", name = ""] = url.slice(modules + "/node_modules/".length).split("/");
    return scope.startsWith("@") ? `${scope}/${name}` : scope;
  }
  if (url.startsWith(rootUrl)) {
    const parts = url.slice(rootUrl.length).split("/");
    // gateway/src/protocol/x.ts → gateway/src/protocol; packages/core/src/x.ts → packages/core
    if (parts[0] === "packages") return parts.slice(0, 2).join("/");
    return parts.slice(0, Math.min(parts.length - 1, 3)).join("/") || parts[0] || url;
  }
  return url;
}

/**
 * Self time per function (name, script and line) and per area, largest first, over the whole profile or
 * the samples inside `window` (the load, without start-up and shutdown). `rootUrl` is the repository's
 * `file://` URL with a trailing slash, so locations read `gateway/src/…:line`.
 */
export function summarizeProfile(
  profile: CpuProfile,
  rootUrl: string,
  options: { top?: number; window?: ProfileWindow } = {},
): ProfileSummary {
  const { top = 25, window } = options;
  const selfMicros = new Map<number, number>();
  let at = profile.startTime;
  for (let i = 0; i < profile.samples.length; i++) {
    at += profile.timeDeltas[i] ?? 0;
    if (window && (at < window.startMicros || at >= window.endMicros)) continue;
    const id = profile.samples[i] as number;
    selfMicros.set(id, (selfMicros.get(id) ?? 0) + (profile.timeDeltas[i + 1] ?? 0));
  }
  const parents = new Map<number, (typeof profile.nodes)[number]>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parents.set(child, node);
  const chainOf = (id: number) => {
    const names: string[] = [];
    for (let parent = parents.get(id); parent && names.length < callerDepth; parent = parents.get(parent.id)) {
      if (parent.callFrame.functionName !== "(root)") names.push(parent.callFrame.functionName || "(anonymous)");
    }
    return names.join(" ← ");
  };
  const byFunction = new Map<string, Omit<SelfTime, "selfPct" | "callers"> & { chains: Map<string, number> }>();
  const byArea = new Map<string, number>();
  let totalMicros = 0;
  let idleMicros = 0;
  for (const node of profile.nodes) {
    const micros = selfMicros.get(node.id) ?? 0;
    totalMicros += micros;
    const { functionName, url, lineNumber } = node.callFrame;
    if (functionName === "(idle)") {
      idleMicros += micros;
      continue;
    }
    if (micros === 0) continue;
    const name = functionName || "(anonymous)";
    const path = url.startsWith(rootUrl) ? url.slice(rootUrl.length) : url;
    // tsx hands V8 each TypeScript module transpiled onto one line: its line numbers say nothing.
    const location = url === "" ? "" : url.endsWith(".ts") ? path : `${path}:${lineNumber + 1}`;
    const area = url === "" && name.startsWith("(") ? name : areaOf(url, rootUrl);
    const key = `${name}\u0000${location}`;
    const entry = byFunction.get(key) ?? { name, location, area, selfMs: 0, chains: new Map() };
    entry.selfMs += micros / 1000;
    const chain = chainOf(node.id);
    entry.chains.set(chain, (entry.chains.get(chain) ?? 0) + micros / 1000);
    byFunction.set(key, entry);
    byArea.set(area, (byArea.get(area) ?? 0) + micros / 1000);
  }
  const busyMs = (totalMicros - idleMicros) / 1000;
  const pct = (ms: number) => (busyMs > 0 ? (ms / busyMs) * 100 : 0);
  return {
    totalMs: totalMicros / 1000,
    idleMs: idleMicros / 1000,
    busyMs,
    functions: [...byFunction.values()]
      .sort((a, b) => b.selfMs - a.selfMs)
      .slice(0, top)
      .map(({ chains, ...entry }) => ({
        ...entry,
        selfPct: pct(entry.selfMs),
        callers: [...chains.entries()]
          .sort((a, b) => b[1] - a[1])
          .slice(0, 2)
          .map(([chain, ms]) => ({ chain, pct: (ms / entry.selfMs) * 100 })),
      })),
    areas: [...byArea.entries()]
      .sort((a, b) => b[1] - a[1])
      .map(([area, selfMs]) => ({ area, selfMs, selfPct: pct(selfMs) })),
  };
}
