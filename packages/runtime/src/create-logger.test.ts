import { spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { batchedStdout, createLogger } from "./create-logger.ts";

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

  it("writes an entry without fields, and escapes what needs escaping", () => {
    const lines: string[] = [];
    const log = createLogger('gate"way', (line) => lines.push(line));
    log.info('said "hi"\n');
    log.error("empty", {});
    log.info("nested", { outcome: { status: 200, usage: { input_tokens: 3 } }, missing: undefined });
    expect(lines.map((line) => JSON.parse(line))).toEqual([
      { time: expect.any(String), level: "info", service: 'gate"way', msg: 'said "hi"\n' },
      { time: expect.any(String), level: "error", service: 'gate"way', msg: "empty" },
      {
        time: expect.any(String),
        level: "info",
        service: 'gate"way',
        msg: "nested",
        outcome: { status: 200, usage: { input_tokens: 3 } },
      },
    ]);
    expect(lines.every((line) => line.endsWith("}\n") && !line.slice(0, -1).includes("\n"))).toBe(true);
  });
});

describe("batchedStdout", () => {
  it("writes the lines of one window in one write, in order, when it closes", async () => {
    const writes: string[] = [];
    const write = batchedStdout({ write: (text: string) => writes.push(text) }, 40);
    write("a\n");
    await new Promise((resolve) => setTimeout(resolve, 10));
    write("b\n");
    expect(writes).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(writes).toEqual(["a\nb\n"]);
    write("c\n");
    await new Promise((resolve) => setTimeout(resolve, 80));
    expect(writes).toEqual(["a\nb\n", "c\n"]);
  });

  it("writes at once past 64 KiB", () => {
    const writes: string[] = [];
    const write = batchedStdout({ write: (text: string) => writes.push(text) });
    const line = `${"x".repeat(1023)}\n`;
    for (let i = 0; i < 64; i++) write(line);
    expect(writes).toHaveLength(1);
    expect(writes[0]).toHaveLength(65_536);
  });
});

describe("batchedStdout on exit", () => {
  it("writes what is pending when the process dies of an uncaught error", () => {
    const script = [
      `import { createLogger } from ${JSON.stringify(new URL("./create-logger.ts", import.meta.url).pathname)};`,
      `const log = createLogger("test");`,
      `log.info("first"); log.error("last words");`,
      `throw new Error("boom");`,
    ].join("\n");
    const result = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
      encoding: "utf8",
      cwd: new URL(".", import.meta.url).pathname,
    });
    expect(result.status).toBe(1);
    expect(
      result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line).msg),
    ).toEqual(["first", "last words"]);
  });
});
