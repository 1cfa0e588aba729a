import { describe, expect, it } from "vitest";
import { createLogger } from "./create-logger.ts";

describe("createLogger", () => {
  it("writes one JSON object per line with the fields at the top level", () => {
    const lines: string[] = [];
    const log = createLogger("gateway", (line) => lines.push(line));
    log.warn("redis unavailable", { error: "ECONNREFUSED" });

    expect(lines).toHaveLength(1);
    expect(lines[0]?.endsWith("}\n")).toBe(true);
    const entry = JSON.parse(lines[0] ?? "");
    expect(entry).toEqual({
      time: expect.any(String),
      level: "warn",
      service: "gateway",
      msg: "redis unavailable",
      error: "ECONNREFUSED",
    });
    expect(new Date(entry.time).toISOString()).toBe(entry.time);
  });
});
