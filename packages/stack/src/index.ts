export { ConfigError } from "./config-error.ts";
export { ensurePostgres } from "./ensure-postgres.ts";
export { ensureRedis } from "./ensure-redis.ts";
export { findFreePort } from "./free-port.ts";
export { generatePassword } from "./generate-password.ts";
export { checkPostgresUrl } from "./postgres-url-check.ts";
export type { ProvisionedServer, ProvisionOptions } from "./provisioned-server.ts";
export { formatReadyBanner, type ReadyBannerInput } from "./ready-banner.ts";
export { checkRedisUrl } from "./redis-url-check.ts";
export { describeExit, type ServiceExit, type ServiceOutput } from "./service-process.ts";
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
