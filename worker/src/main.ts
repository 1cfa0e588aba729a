import { closeServer, createLogger, errorMessage, exitOnShutdownSignal, listen } from "@perimeter/runtime";
import { createDriverRegistry } from "./deployments/driver-registry.ts";
import { loadDeploymentsConfig, loadWorkerConfig } from "./env.ts";
import { createHealthServer } from "./health-server.ts";
import { type Deployments, startDeployments } from "./queues/deployments.ts";
import { type Housekeeping, startHousekeeping } from "./queues/housekeeping.ts";
import { closeServices, createServices } from "./services.ts";
import { startUsagePipeline, type UsagePipeline } from "./usage/start-usage-pipeline.ts";

// Entry point (`npm start -w @perimeter/worker`): config → services → queues + health server.
const config = loadWorkerConfig();
const deploymentsConfig = loadDeploymentsConfig();
const log = createLogger("worker");
const services = createServices(config, log);
const healthServer = createHealthServer(services);
let housekeeping: Housekeeping | undefined;
let usage: UsagePipeline | undefined;
let deployments: Deployments | undefined;

/** Stops taking work and lets what runs finish or hand itself back (exports), all at once. */
async function stopWork(): Promise<void> {
  await Promise.allSettled([usage?.close(), housekeeping?.close(), deployments?.close()]);
}

// Queue workers stop first so no job starts against clients that are closing; probes go last.
exitOnShutdownSignal(
  log,
  async () => {
    await stopWork();
    await closeServer(healthServer);
    await closeServices(services);
  },
  config.shutdownTimeoutMs,
);

try {
  const url = await listen(healthServer, config.port, config.host);
  log.info("listening", { url });
  // Waits for Redis if it is not up yet; /readyz reports it meanwhile.
  housekeeping = await startHousekeeping(services, { auditCheckEveryMs: config.auditCheckEveryMs });
  usage = await startUsagePipeline(services, config);
  log.info("usage pipeline started", {
    consumer: usage.consumerName,
    stream: services.usageKeys.stream,
    queues: usage.queues.map((started) => started.queue.name),
    exportDir: config.exportDir,
  });
  if (deploymentsConfig.enabled) {
    const drivers = createDriverRegistry(deploymentsConfig);
    deployments = await startDeployments(services, (kind) => drivers.driverFor(kind), deploymentsConfig);
  }
  log.info("queues started", {
    queues: [housekeeping.queue.name, ...(deployments ? [deployments.queue.name] : [])],
  });
} catch (error) {
  // Each start closes what it opened before it rejects; what started before it is closed here.
  log.error("failed to start", { error: errorMessage(error) });
  await stopWork();
  await closeServer(healthServer);
  await closeServices(services);
  process.exit(1);
}
