import { readFile } from "node:fs/promises";
import { configErrorExitCode, createLogger, errorMessage, exitOnShutdownSignal } from "@perimeter/runtime";
import { loadVllmSimConfig } from "./env.ts";
import { parseSimScript, SimScriptError } from "./sim-state.ts";
import { startVllmSim } from "./start-vllm-sim.ts";

// Entry point: `npm start -w @perimeter/vllm-sim`, or the `vllm-sim` bin. Config errors exit 78.
const config = loadVllmSimConfig();
const log = createLogger("vllm-sim");

/** Reads and checks `--script`; a missing or bad file is a config error like a bad flag. */
async function loadScript(path: string | undefined) {
  if (path === undefined) return undefined;
  try {
    return parseSimScript(JSON.parse(await readFile(path, "utf8")));
  } catch (error) {
    const reason = error instanceof SimScriptError ? error.message : errorMessage(error);
    process.stderr.write(`config error: --script ${JSON.stringify(path)}: ${reason}\n`);
    process.exit(configErrorExitCode);
  }
}

const script = await loadScript(config.scriptPath);
try {
  if (config.startupMs > 0) log.info("loading model", { model: config.model, startupMs: config.startupMs });
  const sim = await startVllmSim({
    model: config.model,
    modelPath: config.modelPath,
    maxModelLen: config.maxModelLen,
    port: config.port,
    host: config.host,
    latency: config.latency,
    startupMs: config.startupMs,
    maxNumSeqs: config.maxNumSeqs,
    reasoningField: config.reasoningField,
    apiKey: config.apiKey,
    vision: config.vision,
    script,
  });
  if (config.startupMs > 0) log.info("model loaded", { model: config.model });
  log.info("listening", {
    url: sim.url,
    model: config.model,
    maxModelLen: config.maxModelLen,
    latency: config.latency,
  });
  exitOnShutdownSignal(log, () => sim.close());
} catch (error) {
  log.error("failed to start", { error: errorMessage(error) });
  process.exit(1);
}
