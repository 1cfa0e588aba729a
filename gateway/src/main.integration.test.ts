import { spawn } from "node:child_process";
import { once } from "node:events";
import path from "node:path";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";

const workspaceRoot = path.resolve(import.meta.dirname, "..");

/** Runs `src/main.ts` the way `npm start` does (through tsx) with exactly the given environment. */
function runMain(env: Record<string, string>) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/main.ts"], {
    cwd: workspaceRoot,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;
  return {
    child,
    exit,
    output: () => ({ stdout, stderr }),
    /** Resolves with the URL from the `listening` log line. */
    listening: async (): Promise<string> => {
      const exited = exit.then(() => {
        throw new Error(`process exited before listening: ${stdout}${stderr}`);
      });
      while (true) {
        const url = stdout.match(/"msg":"listening","url":"([^"]+)"/)?.[1];
        if (url) return url;
        await Promise.race([once(child.stdout, "data"), exited]);
      }
    },
  };
}

describe("gateway process", () => {
  let sim: RunningVllmSim;
  let env: Record<string, string>;

  beforeAll(async () => {
    sim = await startVllmSim();
    env = {
      GATEWAY_PORT: "0",
      GATEWAY_HOST: "127.0.0.1",
      DATABASE_URL: inject("databaseUrl"),
      REDIS_URL: inject("redisUrl"),
      PERIMETER_SECRET: "x".repeat(40),
      VLLM_BASE_URL: sim.url,
    };
  });

  afterAll(async () => {
    await sim?.close();
  });

  it("stops with exit code 78 and one stderr line naming a malformed REDIS_URL", async () => {
    const proc = runMain({ ...env, REDIS_URL: "foo" });
    const [code] = await proc.exit;
    expect(code).toBe(78);
    expect(proc.output()).toEqual({
      stdout: "",
      stderr: 'config error: REDIS_URL must be a redis:// or rediss:// URL (got "foo")\n',
    });
  });

  it("boots, reports ready, and exits 0 on SIGTERM", async () => {
    const proc = runMain(env);
    const url = await proc.listening();
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);

    proc.child.kill("SIGTERM");
    const [code] = await proc.exit;
    expect(code).toBe(0);
    expect(proc.output().stderr).toBe("");
    expect(proc.output().stdout).toContain('"msg":"stopped"');
  });
});
