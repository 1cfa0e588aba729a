import { describe, expect, it } from "vitest";
import { idTimestampMs, newId, randomBase32 } from "./ids.ts";

describe("newId", () => {
  it("is prefixed, 26 base32 characters after the prefix", () => {
    expect(newId("team")).toMatch(/^team_[0-9a-hjkmnp-tv-z]{26}$/);
    expect(newId("apiKey")).toMatch(/^key_/);
    expect(newId("request")).toMatch(/^req_/);
    expect(newId("deployment")).toMatch(/^dep_/);
  });

  it("sorts by creation time", () => {
    const ids = [1_700_000_000_000, 1_700_000_000_001, 1_800_000_000_000].map((t) => newId("team", t));
    expect([...ids].sort()).toEqual(ids);
    expect(idTimestampMs(ids[2] as string)).toBe(1_800_000_000_000);
  });

  it("does not repeat", () => {
    const ids = new Set(Array.from({ length: 10_000 }, () => newId("request", 0)));
    expect(ids.size).toBe(10_000);
  });

  it("randomBase32 has the requested length, also across refills of its random pool", () => {
    expect(randomBase32(12)).toHaveLength(12);
    expect(randomBase32(10_000)).toMatch(/^[0-9a-hjkmnp-tv-z]{10000}$/);
  });

  it("randomBase32 uses every character about equally", () => {
    const counts = new Map<string, number>();
    for (const char of randomBase32(64_000)) counts.set(char, (counts.get(char) ?? 0) + 1);
    expect(counts.size).toBe(32);
    // 2,000 expected each; a standard deviation is about 44.
    for (const count of counts.values()) expect(Math.abs(count - 2_000)).toBeLessThan(400);
  });

  it("encodes the time exactly, including the largest 10-digit value", () => {
    expect(idTimestampMs(newId("team", 2 ** 50 - 1))).toBe(2 ** 50 - 1);
    expect(newId("team", 0).slice(5, 15)).toBe("0000000000");
  });
});
