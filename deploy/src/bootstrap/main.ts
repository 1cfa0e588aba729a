import { createLogger, errorMessage } from "@perimeter/runtime";
import { loadBootstrapConfig } from "./env.ts";
import { runBootstrap } from "./run-bootstrap.ts";
import { waitForDatabase } from "./wait-for-schema.ts";

// Entry point of the migrate image, run as compose's one-shot `migrate` service and the chart's
// bootstrap hook: exit 0 once the database is ready for this version. With `--wait-for-schema` (the
// chart's init containers) it changes nothing and exits 0 once every migration of this image is applied.
const waitOnly = process.argv.includes("--wait-for-schema");
const config = loadBootstrapConfig();
const log = createLogger("bootstrap");
const info = (line: string) => log.info(line);
// A database started alongside (compose, the chart's bundled Postgres) can take a while to accept connections.
const wait = { timeoutMs: config.waitTimeoutMs, intervalMs: 2_000, log: info };

try {
  if (waitOnly) {
    const ready = await waitForDatabase(config.databaseUrl, { ...wait, until: "migrated" });
    if (!ready) log.error("gave up waiting for the schema", { timeoutMs: config.waitTimeoutMs });
    process.exit(ready ? 0 : 1);
  }
  if (!(await waitForDatabase(config.databaseUrl, { ...wait, until: "reachable" }))) {
    log.error("gave up waiting for the database", { timeoutMs: config.waitTimeoutMs });
    process.exit(1);
  }
  await runBootstrap(config, info);
  process.exit(0);
} catch (error) {
  log.error("bootstrap failed", { error: errorMessage(error) });
  process.exit(1);
}
