export { answerReadiness } from "./answer-readiness.ts";
export { createLogger, type LogFields, type Logger, silentLogger } from "./create-logger.ts";
export { httpUrlVar, portVar, postgresUrlVar, redisUrlVar, secretVar } from "./env-schema.ts";
export { errorMessage } from "./error-message.ts";
export { closeServer, exitOnShutdownSignal, listen } from "./lifecycle.ts";
export {
  type ConfigResult,
  configErrorExitCode,
  type EnvSchema,
  type EnvSource,
  loadConfigOrExit,
  parseConfig,
} from "./load-config.ts";
export { logConnectionLoss, type ReconnectingClient } from "./log-connection-loss.ts";
export { type CheckStatus, checkReadiness, type ReadinessCheck, type ReadinessReport } from "./readiness.ts";
export { sendJson } from "./send-json.ts";
