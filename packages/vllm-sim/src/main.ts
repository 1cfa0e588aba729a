import { createLogger, errorMessage, exitOnShutdownSignal } from "@perimeter/runtime";
import { loadVllmSimConfig } from "./env.ts";
import { startVllmSim } from "./start-vllm-sim.ts";

// Entry point: `npm start -w @perimeter/vllm-sim`, or the `vllm-sim` bin. Config errors exit 78.
const config = loadVllmSimConfig();
const log = createLogger("vllm-sim");

try {
  const sim = await startVllmSim(config);
  log.info("listening", { url: sim.url, model: config.model });
  exitOnShutdownSignal(log, () => sim.close());
} catch (error) {
  log.error("failed to start", { error: errorMessage(error) });
  process.exit(1);
}
