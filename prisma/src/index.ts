export { type CreateDbOptions, createDb, type Db } from "./client.ts";
export * from "./generated/prisma/client.ts";
export { type IdKind, idPrefixes, idTimestampMs, newId, randomBase32 } from "./ids.ts";
export {
  type MigrateResult,
  MigrationError,
  type MigrationFile,
  migrate,
  migrationsDir,
  readMigrations,
} from "./migrate.ts";
