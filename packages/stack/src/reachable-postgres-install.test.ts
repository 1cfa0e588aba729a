import { describe, expect, it } from "vitest";
import { cachedInstallDir, sharedFileMode } from "./reachable-postgres-install.ts";

describe("cachedInstallDir", () => {
  it("keeps one copy per package version and rejects versions that are not plain", () => {
    expect(cachedInstallDir("/cache", "18.4.0-beta.17")).toBe("/cache/18.4.0-beta.17/native");
    expect(() => cachedInstallDir("/cache", "../../etc")).toThrow(/unexpected/);
  });
});

describe("sharedFileMode", () => {
  it("keeps a file's mode and lets everyone read it, and run it if its owner can", () => {
    expect(sharedFileMode(0o100755)).toBe(0o755);
    expect(sharedFileMode(0o100700)).toBe(0o755);
    expect(sharedFileMode(0o100600)).toBe(0o644);
    expect(sharedFileMode(0o100644)).toBe(0o644);
  });
});
