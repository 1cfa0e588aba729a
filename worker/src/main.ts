import { closeServer, createLogger, errorMessage, exitOnShutdownSignal, listen } from "@perimeter/runtime";
import { createDriverRegistry } from "./deployments/driver-registry.ts";
import { loadDeploymentsConfig, loadWorkerConfig } from "./env.ts";
import { createHealthServer } from "./health-server.ts";
import { type Deployments, startDeployments } from "./queues/deployments.ts";
import { type Housekeeping, startHousekeeping } from "./queues/housekeeping.ts";
import { closeServices, createServices } from "./services.ts";

// Entry point (`npm start -w @perimeter/worker`): config → services → queues + health server.
const config = loadWorkerConfig();
const deploymentsConfig = loadDeploymentsConfig();
const log = createLogger("worker");
const services = createServices(config, log);
const healthServer = createHealthServer(services);
let housekeeping: Housekeeping | undefined;
let deployments: Deployments | undefined;

// Queue workers stop first so no job starts against clients that are closing; probes go last.
exitOnShutdownSignal(log, async () => {
  await housekeeping?.close();
  await deployments?.close();
  await closeServer(healthServer);
  await closeServices(services);
});

try {
  const url = await listen(healthServer, config.port, config.host);
  log.info("listening", { url });
  // Waits for Redis if it is not up yet; /readyz reports it meanwhile.
  housekeeping = await startHousekeeping(services);
  if (deploymentsConfig.enabled) {
    const drivers = createDriverRegistry(deploymentsConfig);
    deployments = await startDeployments(services, (kind) => drivers.driverFor(kind), deploymentsConfig);
  }
  log.info("queues started", { queues: [housekeeping.queue.name, ...(deployments ? [deployments.queue.name] : [])] });
} catch (error) {
  // startHousekeeping/startDeployments close what they opened before they reject; a started one is closed here.
  await housekeeping?.close();
  log.error("failed to start", { error: errorMessage(error) });
  await closeServer(healthServer);
  await closeServices(services);
  process.exit(1);
}
