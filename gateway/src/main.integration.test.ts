import path from "node:path";
import { spawnService } from "@perimeter/runtime/testing";
import { type RunningVllmSim, startVllmSim } from "@perimeter/vllm-sim";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { startTestRedisServer } from "./testing/redis-server.ts";

const workspaceRoot = path.resolve(import.meta.dirname, "..");

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
      VLLM_URL: sim.url,
    };
  });

  afterAll(async () => {
    await sim?.close();
  });

  it("stops with exit code 78 and one stderr line naming a malformed REDIS_URL", async () => {
    const proc = spawnService({ cwd: workspaceRoot, env: { ...env, REDIS_URL: "foo" } });
    const [code] = await proc.exit;
    expect(code).toBe(78);
    expect(proc.output()).toEqual({
      stdout: "",
      stderr: 'config error: REDIS_URL must be a redis:// or rediss:// URL (got "foo")\n',
    });
  });

  it("boots, reports ready, and exits 0 on SIGTERM", async () => {
    const proc = spawnService({ cwd: workspaceRoot, env });
    const url = await proc.listening();
    const res = await fetch(`${url}/readyz`);
    expect(res.status).toBe(200);

    proc.child.kill("SIGTERM");
    const [code] = await proc.exit;
    expect(code).toBe(0);
    expect(proc.output().stderr).toBe("");
    expect(proc.output().stdout).toContain('"msg":"stopped"');
  });

  it("listens only once Redis is connected, so no request meets admission before it can run", async () => {
    const redis = await startTestRedisServer();
    await redis.stop();
    const proc = spawnService({ cwd: workspaceRoot, env: { ...env, REDIS_URL: redis.url } });
    try {
      let listening = false;
      const url = proc.listening().then((value) => {
        listening = true;
        return value;
      });
      await new Promise((resolve) => setTimeout(resolve, 1_500));
      expect(listening).toBe(false);
      await redis.start();
      const res = await fetch(`${await url}/readyz`);
      expect(res.status).toBe(200);
    } finally {
      proc.child.kill("SIGTERM");
      await proc.exit;
      await redis.stop();
    }
  });
});
