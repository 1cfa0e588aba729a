import { loadVllmSimConfig } from "./env.ts";
import { startVllmSim } from "./start-vllm-sim.ts";

// Entry point: `npm start -w @perimeter/vllm-sim`, or the `vllm-sim` bin. Config errors exit 78.
const config = loadVllmSimConfig();

function log(msg: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: "info", service: "vllm-sim", msg, ...fields })}\n`,
  );
}

try {
  const sim = await startVllmSim(config);
  log("listening", { url: sim.url, model: config.model });

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log("shutting down", { signal });
    // Nothing long-lived to drain yet; the timer only guards against a close that never settles.
    setTimeout(() => process.exit(1), 5_000).unref();
    await sim.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
} catch (error) {
  process.stderr.write(`vllm-sim failed to start: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
}
