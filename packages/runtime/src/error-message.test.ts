import { describe, expect, it } from "vitest";
import { errorMessage } from "./error-message.ts";

describe("errorMessage", () => {
  it("follows the cause chain", () => {
    const error = new TypeError("fetch failed", { cause: new Error("connect ECONNREFUSED 127.0.0.1:8000") });
    expect(errorMessage(error)).toBe("fetch failed: connect ECONNREFUSED 127.0.0.1:8000");
  });

  it("takes the first error of an AggregateError, and the name of an error without a message", () => {
    expect(errorMessage(new AggregateError([new Error("ECONNREFUSED ::1"), new Error("other")], ""))).toBe(
      "ECONNREFUSED ::1",
    );
    expect(errorMessage(new RangeError())).toBe("RangeError");
  });

  it("stringifies anything else", () => {
    expect(errorMessage("plain")).toBe("plain");
    expect(errorMessage(undefined)).toBe("undefined");
  });
});
