import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmod, mkdtemp, rm } from "node:fs/promises";
import path from "node:path";
import { verifyPassword } from "@perimeter/core";
import { queryOnce } from "@perimeter/db/query-once";
import { createScratchDatabase, type ScratchDatabase } from "@perimeter/db/scratch-database";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { findFreePort } from "../src/free-port.ts";
import { buildWeb } from "../src/web-build.ts";

// The `npm start` contract, end to end: scripts/start.ts against a scratch database and the test Redis,
// on free ports, started twice on the same data. The dashboard build is done once up front (turbo
// caches it) so that the starts themselves stay well within their timeouts.
const rootDir = path.resolve(import.meta.dirname, "../../..");
let scratch: ScratchDatabase;
let dataDir: string;
let ports: Record<"WEB_PORT" | "GATEWAY_PORT" | "WORKER_PORT", string>;

interface Run {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exit: Promise<number | null>;
}

function startPerimeter(overrides: Record<string, string | undefined>): Run {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PERIMETER_ADMIN_PASSWORD: undefined,
    PERIMETER_SECRET: undefined,
    PERIMETER_ADMIN_TOKEN: undefined,
    VLLM_URL: undefined,
    GATEWAY_PUBLIC_URL: undefined,
    ...overrides,
  };
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { cwd: rootDir, env });
  let stdout = "";
  let stderr = "";
  child.stdout?.on("data", (chunk) => {
    stdout += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return { child, stdout: () => stdout, stderr: () => stderr, exit };
}

async function waitForReady(run: Run, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!run.stdout().includes("Perimeter is ready")) {
    if (run.child.exitCode !== null)
      throw new Error(`start.ts exited ${run.child.exitCode}:\n${run.stdout()}\n${run.stderr()}`);
    if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms:\n${run.stdout()}\n${run.stderr()}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Every process below `pid`, found through parent links (services lead their own process groups). */
function descendants(pid: number): number[] {
  const rows = execFileSync("ps", ["-eo", "pid=,ppid="], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift();
    for (const [child, ppid] of rows) {
      if (ppid === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

async function healthStatuses(): Promise<number[]> {
  const urls = [
    `http://127.0.0.1:${ports.WEB_PORT}/api/health`,
    `http://127.0.0.1:${ports.GATEWAY_PORT}/healthz`,
    `http://127.0.0.1:${ports.WORKER_PORT}/healthz`,
  ];
  return Promise.all(urls.map(async (url) => (await fetch(url)).status));
}

/** Those of `pids` still running, as "pid args" lines; zombies wait only for init to reap them. */
function stillRunning(pids: number[]): string[] {
  if (pids.length === 0) return [];
  const listing = spawnSync("ps", ["-o", "pid=,stat=,args=", "-p", pids.join(",")], { encoding: "utf8" }).stdout;
  return listing
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !/^\d+\s+Z/.test(line));
}

async function stopAndCheckNothingLeft(run: Run): Promise<void> {
  const children = descendants(run.child.pid as number);
  // gateway, worker, web, and the simulator replica the worker started (its child until it stops).
  expect(children.length).toBeGreaterThanOrEqual(4);
  run.child.kill("SIGINT");
  expect(await run.exit).toBe(0);
  // start.ts has returned only after every group it started was empty; this allows for the kernel
  // to finish tearing down processes that had already been signalled.
  const deadline = Date.now() + 3_000;
  while (stillRunning(children).length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  expect(stillRunning(children)).toEqual([]);
}

async function query<T extends Record<string, unknown>>(sql: string): Promise<T[]> {
  return (await queryOnce<T>(scratch.url, sql)).rows;
}

beforeAll(async () => {
  scratch = await createScratchDatabase(inject("postgresServerUrl"), "perimeter_start");
  dataDir = await mkdtemp("/var/tmp/perimeter-start-");
  await chmod(dataDir, 0o755);
  const [web, gateway, worker] = await Promise.all([findFreePort(), findFreePort(), findFreePort()]);
  ports = { WEB_PORT: String(web), GATEWAY_PORT: String(gateway), WORKER_PORT: String(worker) };
  await buildWeb({ rootDir, env: process.env, log: () => {} });
}, 180_000);

afterAll(async () => {
  await scratch?.drop();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe("npm start", () => {
  it("starts everything, stops cleanly on Ctrl-C, and reuses its data on the next start", {
    timeout: 150_000,
  }, async () => {
    const env = { DATABASE_URL: scratch.url, REDIS_URL: inject("redisUrl"), PERIMETER_DATA_DIR: dataDir, ...ports };

    const first = startPerimeter(env);
    await waitForReady(first, 60_000);
    expect(await healthStatuses()).toEqual([200, 200, 200]);
    const password = first.stdout().match(/Password\s+(\S+)\s+\(generated/)?.[1];
    expect(password).toMatch(/^\S{20}$/);
    const starterKey = first.stdout().match(/export ANTHROPIC_AUTH_TOKEN=(sk-prm-\S+)/)?.[1];
    expect(starterKey).toBeDefined();
    // "Ready" means the model answers: the simulator deployment went Loading → Ready before the banner.
    expect(first.stdout()).toMatch(
      /deployment umans-coder-simulator: loading[\s\S]*deployment umans-coder-simulator: ready/,
    );
    const answer = await fetch(`http://127.0.0.1:${ports.GATEWAY_PORT}/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": starterKey as string },
      body: JSON.stringify({
        model: "claude-opus-4-8",
        max_tokens: 32,
        messages: [{ role: "user", content: "Say hi" }],
      }),
    });
    expect(answer.status).toBe(200);
    await stopAndCheckNothingLeft(first);

    const second = startPerimeter(env);
    await waitForReady(second, 60_000);
    expect(second.stdout()).toContain("already exists");
    expect(second.stdout()).not.toContain("(generated");
    expect(second.stdout()).toContain("export ANTHROPIC_AUTH_TOKEN=<your key from the dashboard>");
    expect(await healthStatuses()).toEqual([200, 200, 200]);
    expect(await query("SELECT count(*)::int AS count FROM organizations")).toEqual([{ count: 1 }]);
    // The second start found its deployment and created nothing new.
    expect(await query("SELECT count(*)::int AS count FROM deployments")).toEqual([{ count: 1 }]);
    const [admin] = await query<{ password_hash: string }>(
      "SELECT password_hash FROM users WHERE email = 'admin@perimeter.local'",
    );
    expect(await verifyPassword(password as string, admin?.password_hash as string)).toBe(true);
    await stopAndCheckNothingLeft(second);
  });

  it("still stops everything when its output pipe closes first (`npm start | tee log` and Ctrl-C)", {
    timeout: 90_000,
  }, async () => {
    const env = { DATABASE_URL: scratch.url, REDIS_URL: inject("redisUrl"), PERIMETER_DATA_DIR: dataDir, ...ports };
    const run = startPerimeter(env);
    await waitForReady(run, 60_000);
    // The terminal's Ctrl-C reaches `tee` too: from here on every write of ours meets EPIPE.
    run.child.stdout?.destroy();
    run.child.stderr?.destroy();
    await stopAndCheckNothingLeft(run);
  });

  it("rejects an unreachable DATABASE_URL with exit code 78 and one line", { timeout: 30_000 }, async () => {
    const run = startPerimeter({ DATABASE_URL: "postgresql://postgres@127.0.0.1:1/x", PERIMETER_DATA_DIR: dataDir });
    expect(await run.exit).toBe(78);
    const lines = run.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("DATABASE_URL");
  });

  it("rejects a malformed REDIS_URL with exit code 78 and one line", { timeout: 30_000 }, async () => {
    const run = startPerimeter({ DATABASE_URL: scratch.url, REDIS_URL: "notaurl", PERIMETER_DATA_DIR: dataDir });
    expect(await run.exit).toBe(78);
    const lines = run.stderr().trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("REDIS_URL");
  });
});
