import { describe, expect, it } from "vitest";
import { parseUsageQuery, usageSearch } from "./usage-query";

const now = new Date("2026-03-10T12:34:00Z");

describe("usage query", () => {
  it("defaults to the last 24 hours in hourly buckets, ungrouped", () => {
    expect(parseUsageQuery({}, now)).toMatchObject({
      range: "24h",
      from: new Date("2026-03-09T12:34:00Z"),
      to: now,
      bucket: "1h",
      groupBy: null,
      dimension: null,
      errors: {},
    });
  });

  it("takes a preset range, a group and filters; longer ranges default to days", () => {
    expect(parseUsageQuery({ range: "30d", groupBy: "key", teamId: " team_a ", model: "" }, now)).toMatchObject({
      from: new Date("2026-02-08T12:34:00Z"),
      bucket: "1d",
      groupBy: "key",
      dimension: "api_key_id",
      teamId: "team_a",
      model: undefined,
    });
  });

  it("reads custom UTC days with the last day included", () => {
    const query = parseUsageQuery({ range: "custom", from: "2026-03-01", to: "2026-03-02", bucket: "1h" }, now);
    expect(query).toMatchObject({
      from: new Date("2026-03-01T00:00:00Z"),
      to: new Date("2026-03-03T00:00:00Z"),
      bucket: "1h",
      errors: {},
    });
    // The link back reproduces the same query.
    expect(parseUsageQuery(Object.fromEntries(new URLSearchParams(usageSearch(query))), now)).toEqual(query);
  });

  it("names what it could not use and falls back", () => {
    const backwards = parseUsageQuery({ range: "custom", from: "2026-03-05", to: "2026-03-01" }, now);
    expect(backwards).toMatchObject({ range: "24h", errors: { to: "must not be before the start" } });
    const tooManyHours = parseUsageQuery({ range: "90d", bucket: "1h", groupBy: "region", range2: "x" }, now);
    expect(tooManyHours).toMatchObject({ bucket: "1d", groupBy: null });
    expect(Object.keys(tooManyHours.errors).sort()).toEqual(["bucket", "groupBy"]);
    expect(parseUsageQuery({ range: "1y" }, now).errors).toEqual({ range: "unknown range; showing the last 24 hours" });
  });
});
