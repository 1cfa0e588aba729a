import { migrate } from "@perimeter/db/migrate";
import { createScratchDatabase, withDatabase } from "@perimeter/db/scratch-database";
import { checkPostgresUrl, checkRedisUrl } from "@perimeter/stack";
import type { TestProject } from "vitest/node";

// `npm test` passes the servers it provisioned; a bare `npx vitest` falls back to the local defaults.
// Turbo never caches tests (turbo.json), so these variables need no declaring there.
export default async function setup(project: TestProject) {
  const { DATABASE_URL, REDIS_URL } = process.env;
  const serverUrl = withDatabase(DATABASE_URL || "postgresql://postgres@127.0.0.1:5432/postgres", "postgres");
  const redisUrl = REDIS_URL || "redis://127.0.0.1:6379";
  // One clear line ("DATABASE_URL: cannot connect to … (ECONNREFUSED)") instead of every test failing.
  await checkPostgresUrl(serverUrl, "DATABASE_URL");
  await checkRedisUrl(redisUrl, "REDIS_URL");
  const scratch = await createScratchDatabase(serverUrl, "perimeter_test");
  await migrate(scratch.url);
  project.provide("databaseUrl", scratch.url);
  project.provide("postgresServerUrl", serverUrl);
  project.provide("redisUrl", redisUrl);

  return () => scratch.drop();
}
