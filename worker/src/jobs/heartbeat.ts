export interface HeartbeatResult {
  /** When the job ran, as an ISO-8601 string; kept in BullMQ's completed set for a while. */
  ranAt: string;
}

/**
 * The `heartbeat` job: does nothing but prove that scheduling, pickup and completion work end to end.
 * Retention, audit-chain checks and the export sweep run beside it on the housekeeping queue.
 */
export async function runHeartbeat(now: Date = new Date()): Promise<HeartbeatResult> {
  return { ranAt: now.toISOString() };
}
