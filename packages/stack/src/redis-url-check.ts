import { Redis } from "ioredis";
import { ConfigError } from "./config-error.ts";
import { describeConnectError } from "./describe-connect-error.ts";

const pingTimeoutMs = 3_000;

/** Parses a Redis URL, or throws a ConfigError naming `variable` (without echoing credentials). */
export function parseRedisUrl(value: string, variable = "REDIS_URL"): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${variable}: not a URL (expected redis://host:6379 or rediss://host:6380)`);
  }
  if (url.protocol !== "redis:" && url.protocol !== "rediss:") {
    throw new ConfigError(`${variable}: expected a redis:// or rediss:// URL, got ${url.protocol}//…`);
  }
  return url;
}

/** Answers true once a PING to `url` succeeds; the reason it failed otherwise. */
export async function pingRedis(url: string, timeoutMs: number): Promise<true | string> {
  let lastError: unknown;
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: timeoutMs,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  // ioredis rejects connect() with a generic "Connection is closed"; the cause arrives as an event.
  client.on("error", (error) => {
    lastError = error;
  });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.ping()), timeout]);
    return true;
  } catch (error) {
    return describeConnectError(lastError ?? error);
  } finally {
    clearTimeout(timer);
    client.disconnect();
  }
}

/**
 * Checks that `value` is a redis:// or rediss:// URL and that the server answers PING within 3 s;
 * otherwise throws a one-line ConfigError naming `variable`, e.g. `REDIS_URL: cannot connect to
 * 127.0.0.1:6390 (ECONNREFUSED)`.
 */
export async function checkRedisUrl(value: string, variable = "REDIS_URL"): Promise<void> {
  const url = parseRedisUrl(value, variable);
  const result = await pingRedis(value, pingTimeoutMs);
  if (result !== true) {
    throw new ConfigError(
      `${variable}: cannot connect to ${url.hostname || "localhost"}:${url.port || 6379} (${result})`,
    );
  }
}
