export { parseWorkerEnv, type WorkerConfig, workerEnvSchema } from "./env.ts";
export { createHealthServer } from "./health-server.ts";
export { runHeartbeat } from "./jobs/heartbeat.ts";
export {
  type Housekeeping,
  housekeepingJobs,
  housekeepingQueueName,
  startHousekeeping,
} from "./queues/housekeeping.ts";
export { closeServices, createServices, defaultQueuePrefix, type WorkerServices } from "./services.ts";
