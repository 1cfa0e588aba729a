import { describe, expect, it } from "vitest";
import { axisTicks, compactNumber, layoutStackedBars, topGroups } from "./stacked-bars";

const frame = { width: 400, height: 200, left: 40, right: 0, top: 0, bottom: 20 };

describe("stacked bars", () => {
  it("put gridlines at nice whole steps just past the tallest bar", () => {
    expect(axisTicks(0)).toEqual([0, 1]);
    expect(axisTicks(3)).toEqual([0, 1, 2, 3]);
    expect(axisTicks(7)).toEqual([0, 2, 4, 6, 8]);
    expect(axisTicks(50)).toEqual([0, 20, 40, 60]);
    expect(axisTicks(240)).toEqual([0, 100, 200, 300]);
    expect(axisTicks(7_300_000)).toEqual([0, 2_000_000, 4_000_000, 6_000_000, 8_000_000]);
    expect(compactNumber(1234)).toBe("1.2K");
  });

  it("stack each bucket's groups from the bottom, in the groups' order, to scale", () => {
    const layout = layoutStackedBars(
      [
        { start: "h0", values: { a: 30, b: 10 } },
        { start: "h1", values: {} },
        { start: "h2", values: { b: 50, c: 999 } },
      ],
      ["a", "b"],
      frame,
    );
    expect(layout.max).toBe(60);
    const [first, empty, third] = layout.bars;
    // Plot height 180 for 60: 3 per unit; a's 30 from the bottom, b's 10 above it.
    expect(first?.segments).toEqual([
      { group: "a", value: 30, y: 90, height: 90 },
      { group: "b", value: 10, y: 60, height: 30 },
    ]);
    expect(empty).toMatchObject({ total: 0, segments: [] });
    // A group that is not drawn does not count towards the bar.
    expect(third).toMatchObject({ total: 50, segments: [{ group: "b", y: 30, height: 150 }] });
    expect(first?.x).toBeLessThan(empty?.x ?? 0);
    expect(layout.yTicks.map((t) => [t.label, t.y])).toEqual([
      ["0", 180],
      ["20", 120],
      ["40", 60],
      ["60", 0],
    ]);
  });

  it("label at most a handful of buckets, evenly", () => {
    const buckets = Array.from({ length: 24 }, (_, i) => ({ start: `h${i}`, values: { a: i } }));
    expect(layoutStackedBars(buckets, ["a"], frame, 6).xLabelIndexes).toEqual([0, 4, 8, 12, 16, 20]);
  });

  it("keep the largest groups and fold the rest into one", () => {
    const folded = topGroups(
      [
        { start: "h0", values: { a: 5, b: 1, c: 1, d: 9 } },
        { start: "h1", values: { b: 2, c: 1 } },
      ],
      3,
      "other",
    );
    expect(folded.groups).toEqual(["d", "a", "other"]);
    expect(folded.buckets).toEqual([
      { start: "h0", values: { a: 5, other: 2, d: 9 } },
      { start: "h1", values: { other: 3 } },
    ]);
    expect(topGroups([{ start: "h0", values: { a: 1 } }], 3, "other").groups).toEqual(["a"]);
  });
});
