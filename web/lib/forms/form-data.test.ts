import { describe, expect, it } from "vitest";
import { integer, list, localDateTime, text } from "./form-data";

function form(values: Record<string, string>): FormData {
  const data = new FormData();
  for (const [name, value] of Object.entries(values)) data.set(name, value);
  return data;
}

describe("form fields", () => {
  it("reads text, integers, lists and local date-times", () => {
    const data = form({
      name: "  ci  ",
      empty: "   ",
      rpm: "1,000",
      bad: "ten",
      models: "a, b\na",
      expires: "2026-12-31T18:00",
      expiresOffset: "-60",
    });
    expect(text(data, "name")).toBe("ci");
    expect(text(data, "empty")).toBeUndefined();
    expect(integer(data, "rpm")).toBe(1000);
    expect(integer(data, "empty", null)).toBeNull();
    // Kept as text so validation reports it on the field rather than dropping it.
    expect(integer(data, "bad")).toBe("ten");
    expect(list(data, "models")).toEqual(["a", "b"]);
    expect(localDateTime(data, "expires")).toBe("2026-12-31T17:00:00.000Z");
  });
});
