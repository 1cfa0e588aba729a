import type { UsageEventMessage } from "@perimeter/core";
import type { Db } from "@perimeter/db";

/**
 * Upper bound on one ingestion transaction. The rollup job trusts that every row whose `ingested_at`
 * is older than its safety margin has committed; this bound is what makes that true, so the margin
 * must stay well above it (see `rollupSafetyMarginMs`).
 */
export const insertStatementTimeoutMs = 10_000;

/**
 * Inserts validated events in one transaction, skipping request ids already stored (a redelivery or a
 * gateway retry), and resolves with the number of new rows. The whole batch travels as one JSON
 * parameter expanded by `json_to_recordset`, which keeps a 1,000-event batch to a single round trip.
 * Throws what Postgres throws; the caller tells data errors from lost connections.
 */
export async function insertUsageEvents(db: Db, events: readonly UsageEventMessage[]): Promise<number> {
  if (events.length === 0) return 0;
  const [, inserted] = await db.$transaction([
    db.$executeRawUnsafe(`SET LOCAL statement_timeout = ${insertStatementTimeoutMs}`),
    db.$executeRaw`
      INSERT INTO usage_events (
        request_id, org_id, api_key_id, team_id, user_id, session_id, agent_id, model, served_model,
        deployment_id, replica_id, endpoint, stream, input_tokens, cache_read_input_tokens, output_tokens,
        reasoning_tokens, latency_ms, time_to_first_token_ms, status, error_type, stop_reason,
        limit_decision, client_abort, user_agent, started_at, event_time)
      SELECT "requestId", "orgId", "apiKeyId", "teamId", "userId", "sessionId", "agentId", "model",
        "servedModel", "deploymentId", "replicaId", "endpoint", "stream", "inputTokens",
        "cacheReadInputTokens", "outputTokens", "reasoningTokens", "latencyMs", "timeToFirstTokenMs",
        "status", "errorType", "stopReason", "limitDecision", "clientAbort", "userAgent", "startedAt",
        "eventTime"
      FROM json_to_recordset(${JSON.stringify(events)}::json) AS e(
        "requestId" text, "orgId" text, "apiKeyId" text, "teamId" text, "userId" text, "sessionId" text,
        "agentId" text, "model" text, "servedModel" text, "deploymentId" text, "replicaId" text,
        "endpoint" text, "stream" boolean, "inputTokens" integer, "cacheReadInputTokens" integer,
        "outputTokens" integer, "reasoningTokens" integer, "latencyMs" integer,
        "timeToFirstTokenMs" integer, "status" integer, "errorType" text, "stopReason" text,
        "limitDecision" text, "clientAbort" boolean, "userAgent" text, "startedAt" timestamptz,
        "eventTime" timestamptz)
      ON CONFLICT (request_id) DO NOTHING`,
  ]);
  return inserted;
}
