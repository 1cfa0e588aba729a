import { deriveKeyPepper, type ExportQueue, exportQueueName } from "@perimeter/core";
import { createDb, type Db } from "@perimeter/db";
import { createLogger, type Logger, logConnectionLoss } from "@perimeter/runtime";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { readWebConfig, type WebConfig } from "./env";

/** The web app's infrastructure, built on first use and shared by every route and page. */
export interface WebServices {
  log: Logger;
  db: Db;
  redis: Redis;
  /** HMAC key for API-key hashes, derived from PERIMETER_SECRET. */
  keyPepper: Uint8Array;
  /** The worker's `exports` queue (BullMQ prefix `perimeter`, as every worker queue), for export requests. */
  exportQueue: ExportQueue;
  /** PERIMETER_EXPORT_DIR: the files the worker's exports wrote, served to admins and auditors. */
  exportDir: string;
}

/** The BullMQ prefix of the worker's queues (`worker/src/services.ts`). */
const queuePrefix = "perimeter";

interface Root {
  config?: WebConfig;
  services?: WebServices;
}

// The composition root is kept on globalThis: Next loads instrumentation, pages and route handlers as
// separate module graphs (and re-evaluates modules on every edit in dev), and each must reuse the
// same connection pools instead of opening new ones.
const rootKey = Symbol.for("perimeter.web.root");

function root(): Root {
  const holder = globalThis as typeof globalThis & { [rootKey]?: Root };
  holder[rootKey] ??= {};
  return holder[rootKey];
}

/** The parsed configuration, read from the environment on first call. Throws `ConfigError`. */
export function getConfig(): WebConfig {
  const state = root();
  state.config ??= readWebConfig();
  return state.config;
}

/** Postgres and Redis clients, created on first call; connections open lazily on first use. */
export function getServices(): WebServices {
  const state = root();
  if (!state.services) {
    const config = getConfig();
    const log = createLogger("web");
    // Commands fail fast instead of queueing forever while Redis is away, so no page hangs on it.
    const redis = new Redis(config.redisUrl, {
      connectionName: "perimeter-web",
      lazyConnect: true,
      maxRetriesPerRequest: 1,
    });
    logConnectionLoss(redis, "redis", log);
    // A producer only: it never blocks, so it shares the fail-fast client (a job Redis cannot take
    // now is enqueued by the worker's sweep within a minute). Its errors are the client's, logged above.
    const exportQueue = new Queue(exportQueueName, { connection: redis, prefix: queuePrefix });
    exportQueue.on("error", () => {});
    state.services = {
      log,
      db: createDb(config.databaseUrl),
      redis,
      keyPepper: deriveKeyPepper(config.perimeterSecret),
      exportQueue,
      exportDir: config.exportDir,
    };
  }
  return state.services;
}
