import { createLogger, errorMessage } from "@perimeter/runtime";
import { loadBootstrapConfig } from "./env.ts";
import { runBootstrap } from "./run-bootstrap.ts";

// Entry point of the migrate image (`perimeter-migrate`), run as compose's one-shot `migrate` service
// and the chart's pre-install/pre-upgrade hook: exit 0 when the database is ready for this version.
const config = loadBootstrapConfig();
const log = createLogger("bootstrap");

try {
  await runBootstrap(config, (line) => log.info(line));
  process.exit(0);
} catch (error) {
  log.error("bootstrap failed", { error: errorMessage(error) });
  process.exit(1);
}
