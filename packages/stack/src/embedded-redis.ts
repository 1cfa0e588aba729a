import { accessSync, constants } from "node:fs";
import { mkdir, unlink, writeFile } from "node:fs/promises";
import path from "node:path";
import { ConfigError } from "./config-error.ts";
import { spawnDetachedServer } from "./detached-server.ts";
import { findFreePort } from "./free-port.ts";
import { lastLogLines } from "./log-tail.ts";
import { reclaimStaleServer } from "./process-liveness.ts";
import type { ProvisionedServer, ProvisionOptions } from "./provisioned-server.ts";
import { pingRedis } from "./redis-url-check.ts";

const preferredPort = 6380;
const startTimeoutMs = 60_000;

/** Absolute path of `redis-server` from PATH, or a ConfigError telling how to get one. */
function findRedisServer(searchPath: string): string {
  for (const dir of searchPath.split(path.delimiter).filter(Boolean)) {
    const candidate = path.join(dir, "redis-server");
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  throw new ConfigError(
    "redis-server not found on PATH: install it (Debian: apt-get install redis-server) or set REDIS_URL",
  );
}

/**
 * Runs `redis-server` from PATH on 127.0.0.1 (port 6380 when free) with its append-only file in
 * `<dataDir>/redis`, so the usage stream and queues survive restarts, and resolves once it answers
 * PING. Its log goes to `<dataDir>/redis.log`. A server left behind by a killed run is shut down first.
 */
export async function startEmbeddedRedis({ dataDir, log, env }: ProvisionOptions): Promise<ProvisionedServer> {
  const binary = findRedisServer(env.PATH ?? "");
  const dir = path.resolve(dataDir, "redis");
  await mkdir(dir, { recursive: true });
  const pidFile = path.join(dir, "redis-server.pid");
  await reclaimStaleServer({
    pidFile,
    commandIncludes: "redis-server",
    what: "embedded Redis",
    stopSignal: "SIGTERM",
    log,
  });

  const port = await findFreePort(preferredPort);
  const logFile = path.join(dataDir, "redis.log");
  const server = spawnDetachedServer({
    command: binary,
    args: [
      "--port",
      String(port),
      "--bind",
      "127.0.0.1",
      "--dir",
      dir,
      "--appendonly",
      "yes",
      "--save",
      "",
      "--daemonize",
      "no",
    ],
    logFile,
    // SIGTERM makes Redis flush the append-only file and exit, exactly like SHUTDOWN.
    stopSignal: "SIGTERM",
    stopGraceMs: 10_000,
  });
  if (server.pid !== undefined) await writeFile(pidFile, `${server.pid}\n`);
  const stop = async () => {
    await server.stop();
    await unlink(pidFile).catch(() => {});
  };

  const url = `redis://127.0.0.1:${port}`;
  const outcome = await server.waitUntilReady(async () => (await pingRedis(url, 1_000)) === true, startTimeoutMs, 100);
  if (outcome === "exited") {
    await stop();
    const reason = (await lastLogLines(logFile, 5)).at(-1) ?? "no output";
    throw new Error(`redis-server exited during startup: ${reason} (see ${logFile})`);
  }
  if (outcome === "timed-out") {
    await stop();
    throw new Error(`redis-server did not answer PING within 60 s (see ${logFile})`);
  }
  log(`embedded Redis on 127.0.0.1:${port} (pid ${server.pid})`);
  return { url, embedded: true, stop };
}
