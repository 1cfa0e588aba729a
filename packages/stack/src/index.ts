export { createScratchDatabase, type ScratchDatabase, withDatabase } from "@perimeter/db/scratch-database";
export { ConfigError, configErrorExitCode, describeConnectError } from "./config-error.ts";
export { ensurePostgres } from "./ensure-postgres.ts";
export { ensureRedis } from "./ensure-redis.ts";
export { findFreePort, isPortFree } from "./free-port.ts";
export { generatePassword } from "./generate-password.ts";
export { checkPostgresUrl, parsePostgresUrl } from "./postgres-url-check.ts";
export type { ProvisionedServer, ProvisionOptions } from "./provisioned-server.ts";
export { formatReadyBanner, type ReadyBannerInput } from "./ready-banner.ts";
export { checkRedisUrl, parseRedisUrl, pingRedis } from "./redis-url-check.ts";
export { readSecrets, type StackSecrets, secretsFilePath, updateSecrets } from "./secrets-file.ts";
export type { ServiceExit, ServiceOutput } from "./service-process.ts";
export { parseStartConfig, type StartConfig } from "./start-config.ts";
export { type RunningStack, type StartStackOptions, startStack } from "./start-stack.ts";
export {
  addCounts,
  countPlaywright,
  countVitest,
  formatSummaryLine,
  noTests,
  settleRun,
  type TestCounts,
} from "./test-summary.ts";
export { ServiceStartError } from "./wait-for-health.ts";
export { buildWeb } from "./web-build.ts";
