import { randomBytes } from "node:crypto";
import pg from "pg";

export interface ScratchDatabase {
  url: string;
  /** Drops the database, disconnecting anyone still using it. */
  drop(): Promise<void>;
}

/** `url` with its database replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/**
 * Creates an empty database named `<prefix>_<random>` on the server at `serverUrl`, so tests and
 * test stacks running side by side never share tables. The caller drops it when done.
 */
export async function createScratchDatabase(serverUrl: string, prefix: string): Promise<ScratchDatabase> {
  const name = `${prefix.toLowerCase().replace(/[^a-z0-9_]/g, "_")}_${randomBytes(6).toString("hex")}`;
  const adminUrl = withDatabase(serverUrl, "postgres");
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE "${name}"`);
  return { url: withDatabase(serverUrl, name), drop: () => run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}
