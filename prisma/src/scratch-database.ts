import { randomBytes } from "node:crypto";
import { queryOnce } from "./query-once.ts";

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
  await queryOnce(adminUrl, `CREATE DATABASE "${name}"`);
  return {
    url: withDatabase(serverUrl, name),
    drop: async () => {
      await queryOnce(adminUrl, `DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    },
  };
}
