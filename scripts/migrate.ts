// `npm run db:migrate` (through bootstrap.mjs): apply pending migrations to DATABASE_URL, or to the
// embedded Postgres of `npm start` when it is unset, and list what was applied.
import path from "node:path";
import { migrate } from "@perimeter/db/migrate";
import { configErrorExitCode, errorMessage } from "@perimeter/runtime";
import { ConfigError, ensurePostgres, parseStartConfig } from "@perimeter/stack";

const rootDir = path.resolve(import.meta.dirname, "..");
const log = (line: string) => console.log(`[perimeter] ${line}`);

async function main(): Promise<number> {
  const config = parseStartConfig(process.env, rootDir);
  const postgres = await ensurePostgres({ dataDir: config.dataDir, log, env: { DATABASE_URL: config.databaseUrl } });
  try {
    const result = await migrate(postgres.url);
    for (const name of result.applied) log(`applied ${name}`);
    log(
      result.applied.length === 0
        ? `nothing to apply (${result.alreadyApplied.length} migrations already applied)`
        : `${result.applied.length} applied, ${result.alreadyApplied.length} were already applied`,
    );
    return 0;
  } finally {
    await postgres.stop();
  }
}

try {
  process.exit(await main());
} catch (error) {
  console.error(`perimeter: ${errorMessage(error)}`);
  process.exit(error instanceof ConfigError ? configErrorExitCode : 1);
}
