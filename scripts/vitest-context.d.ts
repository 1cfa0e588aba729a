// Values the Vitest global setup hands to every test through `inject()`.
import "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** A scratch database on the test server, migrated to the latest schema, dropped after the run. */
    databaseUrl: string;
    /** Server URL (database `postgres`) for tests that create databases of their own. */
    postgresServerUrl: string;
    redisUrl: string;
  }
}
