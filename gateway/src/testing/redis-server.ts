import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { closedPort } from "@perimeter/runtime/testing";
import { Redis } from "ioredis";

export interface TestRedisServer {
  url: string;
  /** Stops the server (SIGKILL: nothing is saved) and resolves once it is gone. */
  stop(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
}

/**
 * A `redis-server` of a test's own, on a free port, that the test can stop and start again to see what
 * the gateway does while Redis is away. Nothing is persisted.
 */
export async function startTestRedisServer(): Promise<TestRedisServer> {
  const port = await closedPort();
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn("redis-server", ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"], {
      stdio: "ignore",
    });
    const probe = new Redis(port, "127.0.0.1", {
      lazyConnect: true,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null,
    });
    probe.on("error", () => {});
    for (let attempt = 0; attempt < 100; attempt++) {
      try {
        await probe.connect();
        await probe.ping();
        probe.disconnect();
        return;
      } catch {
        probe.disconnect();
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }
    throw new Error(`redis-server did not start on port ${port}`);
  };
  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    start,
    stop: async () => {
      if (!child || child.exitCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGKILL");
      await exited;
    },
  };
}
