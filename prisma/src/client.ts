import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "./generated/prisma/client.ts";

export type Db = PrismaClient;

export interface CreateDbOptions {
  /** Connections in this process's pool; the gateway and worker size it to their concurrency. */
  maxConnections?: number;
}

/**
 * Builds a Prisma client over node-postgres. Prisma 7 with a driver adapter runs no native engine,
 * so this works in air-gapped installs. Callers own the client and must `$disconnect()` it.
 */
export function createDb(databaseUrl: string, options: CreateDbOptions = {}): Db {
  const adapter = new PrismaPg({ connectionString: databaseUrl, max: options.maxConnections ?? 10 });
  return new PrismaClient({ adapter });
}
