import pg from "pg";
import { ConfigError } from "./config-error.ts";
import { describeConnectError } from "./describe-connect-error.ts";

const connectTimeoutMs = 5_000;

/** Where a URL points, for messages: host and port only, never the password. */
function describeTarget(url: URL, defaultPort: number): string {
  return `${url.hostname || "localhost"}:${url.port || defaultPort}`;
}

/** Parses a Postgres URL, or throws a ConfigError naming `variable` (without echoing credentials). */
export function parsePostgresUrl(value: string, variable = "DATABASE_URL"): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new ConfigError(`${variable}: not a URL (expected postgresql://user:password@host:5432/database)`);
  }
  if (url.protocol !== "postgres:" && url.protocol !== "postgresql:") {
    throw new ConfigError(`${variable}: expected a postgres:// or postgresql:// URL, got ${url.protocol}//…`);
  }
  return url;
}

/**
 * Connects to the database at `value` and runs `SELECT 1` within 5 s. Any failure becomes a
 * one-line ConfigError naming `variable`, e.g. `DATABASE_URL: cannot connect to 127.0.0.1:5999
 * (ECONNREFUSED)`, so a typo is reported at boot rather than as a stack trace from the first query.
 */
export async function checkPostgresUrl(value: string, variable = "DATABASE_URL"): Promise<void> {
  const url = parsePostgresUrl(value, variable);
  const target = describeTarget(url, 5432);
  const client = new pg.Client({ connectionString: value, connectionTimeoutMillis: connectTimeoutMs });
  client.on("error", () => {});
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${connectTimeoutMs / 1000} s`)), connectTimeoutMs);
  });
  try {
    await Promise.race([client.connect().then(() => client.query("SELECT 1")), timeout]);
  } catch (error) {
    const reason = /timeout/i.test(describeConnectError(error))
      ? `timed out after ${connectTimeoutMs / 1000} s`
      : describeConnectError(error);
    throw new ConfigError(`${variable}: cannot connect to ${target} (${reason})`);
  } finally {
    clearTimeout(timer);
    await client.end().catch(() => {});
  }
}
