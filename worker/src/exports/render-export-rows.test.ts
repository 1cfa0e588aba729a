import { describe, expect, it } from "vitest";
import { renderCsvRow, renderJsonlRow } from "./render-export-rows.ts";

describe("renderCsvRow", () => {
  it("writes plain cells bare and nulls empty, CRLF-terminated", () => {
    expect(renderCsvRow(["req_1", 200, 12n, true, null, undefined, new Date("2026-03-01T10:00:00Z")])).toBe(
      "req_1,200,12,true,,,2026-03-01T10:00:00.000Z\r\n",
    );
  });

  it("quotes cells with commas, quotes or line breaks, doubling quotes (RFC 4180)", () => {
    expect(renderCsvRow(['say "hi"', "a,b", "two\nlines", "cr\r"])).toBe('"say ""hi""","a,b","two\nlines","cr\r"\r\n');
  });

  it("defuses text a spreadsheet would run as a formula, but not numbers", () => {
    expect(renderCsvRow(['=HYPERLINK("x")', "+1", "-cmd", "@sum", -5])).toBe(
      `"'=HYPERLINK(""x"")",'+1,'-cmd,'@sum,-5\r\n`,
    );
  });

  it("writes JSON and array columns as JSON text", () => {
    expect(renderCsvRow([{ name: "team", n: 1 }, [0n, 3n]])).toBe('"{""name"":""team"",""n"":1}","[0,3]"\r\n');
  });
});

describe("renderJsonlRow", () => {
  it("keeps column order and types, times as ISO strings, huge bigints as strings", () => {
    expect(
      renderJsonlRow(
        ["id", "at", "ok", "count", "huge", "after", "missing"],
        ["req_1", new Date("2026-03-01T10:00:00Z"), false, 7n, 2n ** 64n, { a: 1 }, null],
      ),
    ).toBe(
      '{"id":"req_1","at":"2026-03-01T10:00:00.000Z","ok":false,"count":7,"huge":"18446744073709551616","after":{"a":1},"missing":null}\n',
    );
  });

  it("leaves formula-like text alone, since JSON consumers do not evaluate it", () => {
    expect(renderJsonlRow(["ua"], ["=cmd"])).toBe('{"ua":"=cmd"}\n');
  });
});
