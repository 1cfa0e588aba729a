export { createLogger, type LogFields, type Logger, silentLogger } from "./create-logger.ts";
export { httpUrlVar, portVar, postgresUrlVar, redisUrlVar, secretVar, urlVar } from "./env-schema.ts";
export { errorMessage } from "./error-message.ts";
export { closeServer, exitOnShutdownSignal, listen } from "./lifecycle.ts";
export {
  type ConfigResult,
  configErrorExitCode,
  type EnvSchema,
  type EnvSource,
  type EnvVariable,
  loadConfigOrExit,
  type ParseConfigOptions,
  parseConfig,
} from "./load-config.ts";
export { type CheckStatus, checkReadiness, type ReadinessCheck, type ReadinessReport } from "./readiness.ts";
