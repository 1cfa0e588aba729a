import { closeServer, createLogger, errorMessage, exitOnShutdownSignal, listen } from "@perimeter/runtime";
import { createDriverRegistry } from "./deployments/driver-registry.ts";
import { loadDeploymentsConfig, loadWorkerConfig } from "./env.ts";
import { createHealthServer } from "./health-server.ts";
import { type Deployments, startDeployments } from "./queues/deployments.ts";
import { startExports } from "./queues/exports.ts";
import { type Housekeeping, startHousekeeping } from "./queues/housekeeping.ts";
import type { StartedQueue } from "./queues/start-queue.ts";
import { startUsageRollups } from "./queues/usage-rollups.ts";
import { closeServices, createServices } from "./services.ts";
import { startUsageConsumer, type UsageConsumer, watchUsageStream } from "./usage/usage-consumer.ts";

// Entry point (`npm start -w @perimeter/worker`): config → services → queues + health server.
const config = loadWorkerConfig();
const deploymentsConfig = loadDeploymentsConfig();
const log = createLogger("worker");
const services = createServices(config, log);
const healthServer = createHealthServer(services);
let housekeeping: Housekeeping | undefined;
let usageConsumer: UsageConsumer | undefined;
let usageRollups: StartedQueue | undefined;
let exports: StartedQueue | undefined;
let deployments: Deployments | undefined;

/** Stops taking work and lets what runs finish or hand itself back (exports), all at once. */
async function stopWork(): Promise<void> {
  await Promise.allSettled([
    usageConsumer?.close(),
    usageRollups?.close(),
    exports?.close(),
    housekeeping?.close(),
    deployments?.close(),
  ]);
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
  usageConsumer = startUsageConsumer(services, {
    keys: services.usageKeys,
    batchSize: config.usage.batchSize,
    blockMs: 1_000,
    claimIdleMs: config.usage.claimIdleMs,
  });
  watchUsageStream(services, services.usageKeys);
  log.info("usage consumer started", { consumer: usageConsumer.consumerName, stream: services.usageKeys.stream });
  // Waits for Redis if it is not up yet; /readyz reports it meanwhile.
  housekeeping = await startHousekeeping(services, { auditCheckEveryMs: config.auditCheckEveryMs });
  usageRollups = await startUsageRollups(services, {
    everyMs: config.usage.rollupEveryMs,
    safetyMarginMs: config.usage.rollupSafetyMarginMs,
  });
  exports = await startExports(services, { exportDir: config.exportDir });
  if (deploymentsConfig.enabled) {
    const drivers = createDriverRegistry(deploymentsConfig);
    deployments = await startDeployments(services, (kind) => drivers.driverFor(kind), deploymentsConfig);
  }
  log.info("queues started", {
    queues: [
      housekeeping.queue.name,
      usageRollups.queue.name,
      exports.queue.name,
      ...(deployments ? [deployments.queue.name] : []),
    ],
    exportDir: config.exportDir,
  });
} catch (error) {
  // Queues that started are closed here; each start closes what it opened before it rejects.
  log.error("failed to start", { error: errorMessage(error) });
  await stopWork();
  await closeServer(healthServer);
  await closeServices(services);
  process.exit(1);
}
