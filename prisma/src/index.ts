export { type CreateDbOptions, createDb, type Db } from "./client.ts";
export * from "./generated/prisma/client.ts";
export { type IdKind, newId, randomBase32 } from "./ids.ts";
// The migrator is a separate entry point (`@perimeter/db/migrate`) so that services, and the web
// bundle in particular, never pull filesystem access to prisma/migrations into their builds.
