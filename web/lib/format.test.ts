import { describe, expect, it } from "vitest";
import { formatBucket, formatMs } from "./format";

describe("formats", () => {
  it("write usage buckets in UTC: short under an axis, whole in a tooltip", () => {
    expect(formatBucket("2026-03-03T14:00:00.000Z", "1h", true)).toBe("14:00");
    expect(formatBucket("2026-03-03T00:00:00.000Z", "1h", true)).toBe("3 Mar");
    expect(formatBucket("2026-03-03T14:00:00.000Z", "1h", false)).toBe("3 Mar 2026, 14:00 UTC");
    expect(formatBucket("2026-03-03T00:00:00.000Z", "1d", true)).toBe("3 Mar");
    expect(formatBucket("2026-03-03T00:00:00.000Z", "1d", false)).toBe("Tue, 3 Mar 2026 (UTC)");
  });

  it("write latencies in ms below a second, in seconds above", () => {
    expect([formatMs(null), formatMs(840.4), formatMs(1234)]).toEqual(["—", "840 ms", "1.2 s"]);
  });
});
