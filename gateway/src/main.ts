import { closeServer, createLogger, errorMessage, exitOnShutdownSignal, listen } from "@perimeter/runtime";
import { loadGatewayConfig } from "./env.ts";
import { createServer } from "./server.ts";
import { closeServices, createServices, waitForRedis } from "./services.ts";

// Entry point (`npm start -w @perimeter/gateway`): config → services → server, torn down in reverse.
const config = loadGatewayConfig();
const log = createLogger("gateway");
const services = createServices(config, log);
const server = createServer(services);

exitOnShutdownSignal(log, async () => {
  await closeServer(server);
  await closeServices(services);
});

try {
  if (!(await waitForRedis(services, 10_000))) {
    log.warn("redis is not ready after 10 s; listening anyway", { policy: config.limits.onRedisFailure });
  }
  const url = await listen(server, config.port, config.host);
  log.info("listening", { url, upstream: config.upstream.url, model: config.models.publicName });
} catch (error) {
  log.error("failed to start", { error: errorMessage(error) });
  await closeServices(services);
  process.exit(1);
}
