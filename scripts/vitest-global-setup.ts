import { randomBytes } from "node:crypto";
import pg from "pg";
import type { TestProject } from "vitest/node";
import { migrate } from "../prisma/src/migrate.ts";

function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export default async function setup(project: TestProject) {
  const serverUrl = withDatabase(
    process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    "postgres",
  );
  const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
  const name = `perimeter_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${name}"`);
  await admin.end();
  const databaseUrl = withDatabase(serverUrl, name);
  await migrate(databaseUrl);
  project.provide("databaseUrl", databaseUrl);
  project.provide("postgresServerUrl", serverUrl);
  project.provide("redisUrl", redisUrl);

  return async () => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.end();
  };
}
