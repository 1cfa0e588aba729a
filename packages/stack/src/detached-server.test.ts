import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { spawnDetachedServer } from "./detached-server.ts";

const dir = await mkdtemp(path.join(os.tmpdir(), "perimeter-detached-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe("spawnDetachedServer", () => {
  it("reports a binary that cannot be launched as exited instead of crashing", async () => {
    const server = spawnDetachedServer({
      command: path.join(dir, "no-such-server"),
      args: [],
      logFile: path.join(dir, "server.log"),
      stopSignal: "SIGTERM",
      stopGraceMs: 1_000,
    });
    expect(await server.waitUntilReady(async () => false, 2_000, 50)).toBe("exited");
    await server.stop();
  });

  it("waits for the probe and stops the server with its signal", async () => {
    const server = spawnDetachedServer({
      command: "sleep",
      args: ["30"],
      logFile: path.join(dir, "sleep.log"),
      stopSignal: "SIGTERM",
      stopGraceMs: 1_000,
    });
    let calls = 0;
    expect(await server.waitUntilReady(async () => ++calls >= 3, 5_000, 20)).toBe("ready");
    await server.stop();
    expect(await server.waitUntilReady(async () => false, 1_000, 20)).toBe("exited");
  });
});
