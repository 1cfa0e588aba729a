import { describe, expect, it } from "vitest";
import { exportRequestFromForm } from "./export-form";

function form(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(values)) data.set(name, value);
  return data;
}

describe("export form", () => {
  it("turns UTC days into a half-open range that includes the last day", () => {
    expect(
      exportRequestFromForm(
        form({
          kind: "audit",
          format: "jsonl",
          fromDay: "2026-03-01",
          toDay: "2026-03-01",
          teamId: "team_a",
          model: "",
        }),
      ),
    ).toEqual({
      kind: "audit",
      format: "jsonl",
      filter: { from: "2026-03-01T00:00:00.000Z", to: "2026-03-02T00:00:00.000Z", teamId: "team_a" },
    });
  });

  it("prefers exact instants, and hands bad days on as text for validation to name", () => {
    expect(
      exportRequestFromForm(form({ kind: "usage", from: "2026-03-01T10:00:00.000Z", to: "x", toDay: "2026-03-09" })),
    ).toEqual({ kind: "usage", format: "csv", filter: { from: "2026-03-01T10:00:00.000Z", to: "x" } });
    expect(exportRequestFromForm(form({ kind: "usage", fromDay: "March" })).filter).toEqual({
      from: "March",
      to: undefined,
    });
    expect(exportRequestFromForm(form({ kind: "usage_rollups:hour", fromDay: "2026-03-01" }))).toMatchObject({
      kind: "usage_rollups",
      filter: { granularity: "hour" },
    });
  });
});
