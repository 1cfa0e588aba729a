import { describe, expect, it } from "vitest";
import { areaOf, type CpuProfile, summarizeProfile } from "./cpu-profile.ts";

const root = "file:///repo/";

// (root) → handle (gateway) → stringify (V8) ; (root) → (idle) ; (root) → parse (undici)
const profile: CpuProfile = {
  startTime: 1_000,
  nodes: [
    { id: 1, callFrame: { functionName: "(root)", url: "", lineNumber: -1 }, children: [2, 4, 5] },
    {
      id: 2,
      callFrame: { functionName: "handle", url: `${root}gateway/src/routes/messages.ts`, lineNumber: 0 },
      children: [3],
    },
    { id: 3, callFrame: { functionName: "stringify", url: "", lineNumber: -1 } },
    { id: 4, callFrame: { functionName: "(idle)", url: "", lineNumber: -1 } },
    {
      id: 5,
      callFrame: { functionName: "parse", url: `${root}node_modules/undici/lib/parse.js`, lineNumber: 9 },
    },
  ],
  // Samples at 1100, 1200, 1300, 1400, 1500, 1600; each lasts until the next.
  samples: [2, 3, 3, 4, 5, 2],
  timeDeltas: [100, 100, 100, 100, 100, 100],
};

describe("summarizeProfile", () => {
  it("adds up self time per function and area, idle apart", () => {
    const summary = summarizeProfile(profile, root);
    expect(summary.totalMs).toBeCloseTo(0.5);
    expect(summary.idleMs).toBeCloseTo(0.1);
    expect(summary.busyMs).toBeCloseTo(0.4);
    expect(summary.functions.map((entry) => [entry.name, entry.selfMs, entry.location, entry.area])).toEqual([
      ["stringify", 0.2, "", "(V8 / native)"],
      ["handle", 0.1, "gateway/src/routes/messages.ts", "gateway/src/routes"],
      ["parse", 0.1, "node_modules/undici/lib/parse.js:10", "undici"],
    ]);
    expect(summary.functions[0]?.selfPct).toBeCloseTo(50);
    expect(summary.functions[0]?.callers).toEqual([{ chain: "handle", pct: 100 }]);
  });

  it("counts only the samples inside the window", () => {
    const summary = summarizeProfile(profile, root, { window: { startMicros: 1150, endMicros: 1350 } });
    expect(summary.functions.map((entry) => [entry.name, entry.selfMs])).toEqual([["stringify", 0.2]]);
  });
});

describe("areaOf", () => {
  it("names packages, repository folders and Node", () => {
    expect(areaOf(`${root}node_modules/@prisma/client/x.js`, root)).toBe("@prisma/client");
    expect(areaOf(`${root}node_modules/ioredis/built/Command.js`, root)).toBe("ioredis");
    expect(areaOf(`${root}packages/core/src/budget-period.ts`, root)).toBe("packages/core");
    expect(areaOf(`${root}gateway/src/server.ts`, root)).toBe("gateway/src");
    expect(areaOf("node:internal/crypto/random", root)).toBe("node internals");
  });
});
