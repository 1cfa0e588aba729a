export { closedPort } from "./closed-port.ts";
export { type SpawnedService, type SpawnServiceOptions, spawnService } from "./spawn-service.ts";
