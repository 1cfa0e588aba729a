import { migrate } from "@perimeter/db/migrate";
import { ConfigError } from "./config-error.ts";
import { ensureDefaultDeployment, waitForDeployment } from "./default-deployment.ts";
import { ensurePostgres } from "./ensure-postgres.ts";
import { ensureRedis } from "./ensure-redis.ts";
import { isPortFree } from "./free-port.ts";
import { resolvePerimeterSecret } from "./perimeter-secret.ts";
import type { ProvisionedServer } from "./provisioned-server.ts";
import { type SeedAdminResult, seedAdmin } from "./seed-admin.ts";
import { type RunningService, type ServiceExit, type ServiceOutput, spawnService } from "./service-process.ts";
import { planServices, simulatorRunDir } from "./service-specs.ts";
import { stopSimulatorReplicas } from "./simulator-replicas.ts";
import type { StartConfig } from "./start-config.ts";
import { waitForHealthy } from "./wait-for-health.ts";
import { buildWeb } from "./web-build.ts";

const healthTimeoutMs = 90_000;
/** How long a start waits for the model's deployment to become Ready before going on without it. */
const modelTimeoutMs = 120_000;

export interface StartStackOptions {
  /** Progress lines ("migrating the database"). */
  log: (line: string) => void;
  /** Where the services' prefixed output goes. */
  output: ServiceOutput;
  /** Aborting (Ctrl-C during startup) stops whatever was started and rejects with the abort reason. */
  signal?: AbortSignal;
}

export interface RunningStack {
  webUrl: string;
  gatewayUrl: string;
  databaseUrl: string;
  redisUrl: string;
  embeddedPostgres: boolean;
  embeddedRedis: boolean;
  seed: SeedAdminResult;
  /** Main process id (= process group id) of each service, by name. */
  pids: Record<string, number>;
  /** Settles when a service exits on its own, which is always a failure while the stack runs. */
  unexpectedExit: Promise<ServiceExit & { recentLines: string[] }>;
  /** Stops the services (SIGTERM, SIGKILL after 10 s), then embedded Redis and Postgres. Idempotent. */
  stop(): Promise<void>;
}

/** Fails before anything starts when a service's port is taken, naming the variable that moves it. */
async function checkPortsFree(config: StartConfig): Promise<void> {
  const ports: [string, number][] = [
    ["WEB_PORT", config.webPort],
    ["GATEWAY_PORT", config.gatewayPort],
    ["WORKER_PORT", config.workerPort],
  ];
  for (const [variable, port] of ports) {
    if (!(await isPortFree(port))) {
      throw new ConfigError(`${variable}: port ${port} is already in use (stop what listens there or set ${variable})`);
    }
  }
}

/**
 * Brings up everything `npm start` promises, in order: Postgres and Redis (external or embedded),
 * migrations, the first admin and the model's deployment, the dashboard build, then the services, each
 * waited for on its health endpoint, and the deployment until it is Ready. On any failure whatever was
 * started is stopped again before the error propagates.
 */
export async function startStack(config: StartConfig, options: StartStackOptions): Promise<RunningStack> {
  const { log } = options;
  const checkpoint = () => options.signal?.throwIfAborted();
  const started: ProvisionedServer[] = [];
  const services: RunningService[] = [];
  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      await Promise.all(services.map((service) => service.stop()));
      // The simulator replicas go last, so requests in flight through the gateway could finish.
      const stopped = await stopSimulatorReplicas(simulatorRunDir(config));
      if (stopped > 0) log(`stopped ${stopped} simulator replica(s)`);
      for (const server of started.reverse()) await server.stop();
    })();
    return stopping;
  };

  try {
    await checkPortsFree(config);
    const { dataDir } = config;
    const postgres = await ensurePostgres({ dataDir, log, env: { DATABASE_URL: config.databaseUrl } });
    started.push(postgres);
    checkpoint();
    const redis = await ensureRedis({ dataDir, log, env: { PATH: config.baseEnv.PATH, REDIS_URL: config.redisUrl } });
    started.push(redis);
    checkpoint();

    log("migrating the database");
    const migrated = await migrate(postgres.url, { log });
    log(`database schema up to date (${migrated.applied.length} applied, ${migrated.alreadyApplied.length} already)`);

    const perimeterSecret = await resolvePerimeterSecret(config.dataDir, config.perimeterSecret);
    const seed = await seedAdmin({
      databaseUrl: postgres.url,
      perimeterSecret,
      orgName: config.orgName,
      email: config.adminEmail,
      password: config.adminPassword,
      adminToken: config.adminToken,
    });
    if (!seed.created) log(`admin ${seed.email} already exists; nothing seeded`);
    else {
      // Printed now as well as in the banner: if a later step fails, this start is still the only
      // one that could ever show them.
      const password = seed.generatedPassword
        ? `password ${seed.generatedPassword} (shown only on this start)`
        : "the password from PERIMETER_ADMIN_PASSWORD";
      log(`created the first admin ${seed.email} with ${password}`);
      if (seed.starterKey) log(`starter API key: ${seed.starterKey} (shown only on this start)`);
    }
    if (seed.adminTokenCreated) log("registered PERIMETER_ADMIN_TOKEN as an admin API key");
    const deployment = await ensureDefaultDeployment({
      databaseUrl: postgres.url,
      ...(config.vllmUrl ? { vllmUrl: config.vllmUrl } : {}),
      vllmModel: config.vllmModel,
      log,
    });
    checkpoint();

    await buildWeb({ rootDir: config.rootDir, env: config.baseEnv, log, signal: options.signal });
    checkpoint();

    const tsxLoader = import.meta.resolve("tsx");
    const planned = planServices(
      config,
      { databaseUrl: postgres.url, redisUrl: redis.url, perimeterSecret },
      tsxLoader,
    );
    log(`starting ${planned.map((service) => service.spec.name).join(", ")}`);
    const servicesStartedAt = new Date();
    for (const service of planned) services.push(spawnService(service.spec, options.output));
    await Promise.all(
      planned.map((service, index) =>
        waitForHealthy(services[index] as RunningService, service.healthUrl, healthTimeoutMs, options.signal),
      ),
    );

    // The model is part of "ready": the banner's Claude Code setup must work when it is printed.
    if (
      !(await waitForDeployment(postgres.url, deployment, {
        log,
        timeoutMs: modelTimeoutMs,
        since: servicesStartedAt,
        signal: options.signal,
      }))
    ) {
      log(`warning: deployment ${deployment.name} is not ready yet; the gateway answers 529 for the model until it is`);
    }

    const unexpectedExit = new Promise<ServiceExit & { recentLines: string[] }>((resolve) => {
      for (const service of services) {
        void service.exited.then((exit) => {
          if (!stopping) resolve({ ...exit, recentLines: service.recentLines() });
        });
      }
    });
    return {
      webUrl: `http://localhost:${config.webPort}`,
      gatewayUrl: config.gatewayPublicUrl,
      databaseUrl: postgres.url,
      redisUrl: redis.url,
      embeddedPostgres: postgres.embedded,
      embeddedRedis: redis.embedded,
      seed,
      pids: Object.fromEntries(services.map((service) => [service.name, service.pid])),
      unexpectedExit,
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
