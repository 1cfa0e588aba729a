-- CreateSchema
CREATE SCHEMA IF NOT EXISTS "public";

-- CreateEnum
CREATE TYPE "user_status" AS ENUM ('active', 'invited', 'disabled');

-- CreateEnum
CREATE TYPE "org_role" AS ENUM ('admin', 'auditor');

-- CreateEnum
CREATE TYPE "team_role" AS ENUM ('team_admin', 'developer');

-- CreateEnum
CREATE TYPE "api_key_scope" AS ENUM ('inference', 'admin');

-- CreateEnum
CREATE TYPE "limit_scope" AS ENUM ('org', 'team', 'member', 'key');

-- CreateEnum
CREATE TYPE "thinking_policy" AS ENUM ('client', 'force_on', 'force_off');

-- CreateEnum
CREATE TYPE "deployment_driver" AS ENUM ('kubernetes', 'docker', 'external', 'simulator');

-- CreateEnum
CREATE TYPE "desired_state" AS ENUM ('running', 'sleeping', 'stopped');

-- CreateEnum
CREATE TYPE "deployment_phase" AS ENUM ('pending', 'provisioning', 'loading', 'ready', 'degraded', 'updating', 'draining', 'stopped', 'sleeping', 'failed', 'deleting');

-- CreateEnum
CREATE TYPE "replica_health" AS ENUM ('unknown', 'starting', 'loading', 'healthy', 'unhealthy', 'draining', 'gone');

-- CreateEnum
CREATE TYPE "rollup_granularity" AS ENUM ('hour', 'day');

-- CreateEnum
CREATE TYPE "actor_type" AS ENUM ('user', 'api_key', 'system');

-- CreateEnum
CREATE TYPE "export_kind" AS ENUM ('usage_events', 'usage_rollups', 'audit_events');

-- CreateEnum
CREATE TYPE "export_status" AS ENUM ('queued', 'running', 'succeeded', 'failed', 'expired');

-- CreateTable
CREATE TABLE "organizations" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "time_zone" TEXT NOT NULL DEFAULT 'UTC',
    "week_starts_on" INTEGER NOT NULL DEFAULT 1,
    "usage_retention_days" INTEGER NOT NULL DEFAULT 90,
    "rollup_retention_days" INTEGER NOT NULL DEFAULT 730,
    "store_prompts" BOOLEAN NOT NULL DEFAULT false,
    "settings" JSONB NOT NULL DEFAULT '{}',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "organizations_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "users" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "password_hash" TEXT,
    "status" "user_status" NOT NULL DEFAULT 'active',
    "org_role" "org_role",
    "last_login_at" TIMESTAMPTZ(3),
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "disabled_at" TIMESTAMPTZ(3),

    CONSTRAINT "users_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "teams" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "slug" TEXT NOT NULL,
    "description" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "archived_at" TIMESTAMPTZ(3),

    CONSTRAINT "teams_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "team_members" (
    "id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "role" "team_role" NOT NULL DEFAULT 'developer',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "team_members_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "api_keys" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "team_id" TEXT,
    "public_id" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "last4" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "scope" "api_key_scope" NOT NULL DEFAULT 'inference',
    "owner_user_id" TEXT,
    "created_by_user_id" TEXT,
    "replaced_by_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expires_at" TIMESTAMPTZ(3),
    "revoked_at" TIMESTAMPTZ(3),
    "revoked_reason" TEXT,
    "last_used_at" TIMESTAMPTZ(3),

    CONSTRAINT "api_keys_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "limit_policies" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "scope" "limit_scope" NOT NULL,
    "team_id" TEXT,
    "member_id" TEXT,
    "api_key_id" TEXT,
    "requests_per_minute" INTEGER,
    "input_tokens_per_minute" INTEGER,
    "output_tokens_per_minute" INTEGER,
    "max_concurrent_requests" INTEGER,
    "input_tokens_per_day" BIGINT,
    "output_tokens_per_day" BIGINT,
    "total_tokens_per_day" BIGINT,
    "input_tokens_per_week" BIGINT,
    "output_tokens_per_week" BIGINT,
    "total_tokens_per_week" BIGINT,
    "input_tokens_per_month" BIGINT,
    "output_tokens_per_month" BIGINT,
    "total_tokens_per_month" BIGINT,
    "max_tokens_cap" INTEGER,
    "allowed_models" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "thinking_policy" "thinking_policy" NOT NULL DEFAULT 'client',
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "limit_policies_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "models" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "public_name" TEXT NOT NULL,
    "aliases" TEXT[] DEFAULT ARRAY[]::TEXT[],
    "served_name" TEXT NOT NULL,
    "hf_repo" TEXT NOT NULL,
    "revision" TEXT,
    "tokenizer_mode" TEXT,
    "tool_call_parser" TEXT,
    "reasoning_parser" TEXT,
    "context_length" INTEGER NOT NULL,
    "max_output_tokens" INTEGER,
    "supports_vision" BOOLEAN NOT NULL DEFAULT false,
    "supports_tools" BOOLEAN NOT NULL DEFAULT true,
    "supports_thinking" BOOLEAN NOT NULL DEFAULT true,
    "default_thinking" BOOLEAN NOT NULL DEFAULT false,
    "enabled" BOOLEAN NOT NULL DEFAULT true,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "models_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployments" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "driver" "deployment_driver" NOT NULL,
    "spec" JSONB NOT NULL,
    "desired_state" "desired_state" NOT NULL DEFAULT 'running',
    "desired_replicas" INTEGER NOT NULL DEFAULT 1,
    "generation" INTEGER NOT NULL DEFAULT 1,
    "observed_generation" INTEGER NOT NULL DEFAULT 0,
    "phase" "deployment_phase" NOT NULL DEFAULT 'pending',
    "reason" TEXT,
    "message" TEXT,
    "conditions" JSONB NOT NULL DEFAULT '[]',
    "phase_since" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "last_reconcile_at" TIMESTAMPTZ(3),
    "restart_nonce" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,
    "deleted_at" TIMESTAMPTZ(3),

    CONSTRAINT "deployments_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "deployment_replicas" (
    "id" TEXT NOT NULL,
    "deployment_id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "endpoint" TEXT NOT NULL,
    "revision" TEXT,
    "health" "replica_health" NOT NULL DEFAULT 'unknown',
    "health_checked_at" TIMESTAMPTZ(3),
    "last_error" TEXT,
    "running_requests" INTEGER NOT NULL DEFAULT 0,
    "waiting_requests" INTEGER NOT NULL DEFAULT 0,
    "kv_cache_usage" DOUBLE PRECISION,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "deployment_replicas_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_events" (
    "id" BIGSERIAL NOT NULL,
    "request_id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "api_key_id" TEXT,
    "team_id" TEXT,
    "user_id" TEXT,
    "session_id" TEXT,
    "agent_id" TEXT,
    "model" TEXT NOT NULL,
    "served_model" TEXT,
    "deployment_id" TEXT,
    "replica_id" TEXT,
    "endpoint" TEXT NOT NULL DEFAULT 'messages',
    "stream" BOOLEAN NOT NULL DEFAULT false,
    "input_tokens" INTEGER NOT NULL DEFAULT 0,
    "cache_read_input_tokens" INTEGER NOT NULL DEFAULT 0,
    "output_tokens" INTEGER NOT NULL DEFAULT 0,
    "reasoning_tokens" INTEGER NOT NULL DEFAULT 0,
    "latency_ms" INTEGER NOT NULL DEFAULT 0,
    "time_to_first_token_ms" INTEGER,
    "status" INTEGER NOT NULL,
    "error_type" TEXT,
    "stop_reason" TEXT,
    "limit_decision" TEXT,
    "client_abort" BOOLEAN NOT NULL DEFAULT false,
    "user_agent" TEXT,
    "started_at" TIMESTAMPTZ(3) NOT NULL,
    "event_time" TIMESTAMPTZ(3) NOT NULL,
    "ingested_at" TIMESTAMPTZ(3) NOT NULL DEFAULT clock_timestamp(),

    CONSTRAINT "usage_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "usage_rollups" (
    "id" BIGSERIAL NOT NULL,
    "org_id" TEXT NOT NULL,
    "granularity" "rollup_granularity" NOT NULL,
    "bucket_start" TIMESTAMPTZ(3) NOT NULL,
    "bucket_key" TEXT NOT NULL,
    "team_id" TEXT,
    "api_key_id" TEXT,
    "user_id" TEXT,
    "model" TEXT NOT NULL,
    "requests" BIGINT NOT NULL DEFAULT 0,
    "errors" BIGINT NOT NULL DEFAULT 0,
    "denied_requests" BIGINT NOT NULL DEFAULT 0,
    "input_tokens" BIGINT NOT NULL DEFAULT 0,
    "cache_read_input_tokens" BIGINT NOT NULL DEFAULT 0,
    "output_tokens" BIGINT NOT NULL DEFAULT 0,
    "reasoning_tokens" BIGINT NOT NULL DEFAULT 0,
    "latency_ms_sum" BIGINT NOT NULL DEFAULT 0,
    "time_to_first_token_ms_sum" BIGINT NOT NULL DEFAULT 0,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "usage_rollups_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "job_watermarks" (
    "name" TEXT NOT NULL,
    "watermark" TIMESTAMPTZ(3) NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "job_watermarks_pkey" PRIMARY KEY ("name")
);

-- CreateTable
CREATE TABLE "audit_events" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "seq" BIGINT NOT NULL,
    "occurred_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "actor_type" "actor_type" NOT NULL,
    "actor_id" TEXT,
    "actor_label" TEXT,
    "action" TEXT NOT NULL,
    "target_type" TEXT,
    "target_id" TEXT,
    "team_id" TEXT,
    "before" JSONB,
    "after" JSONB,
    "ip" TEXT,
    "user_agent" TEXT,
    "request_id" TEXT,
    "prev_hash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "audit_events_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "export_jobs" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "kind" "export_kind" NOT NULL,
    "format" TEXT NOT NULL DEFAULT 'csv',
    "requested_by_user_id" TEXT,
    "params" JSONB NOT NULL DEFAULT '{}',
    "status" "export_status" NOT NULL DEFAULT 'queued',
    "row_count" BIGINT,
    "sha256" TEXT,
    "file_location" TEXT,
    "error" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "started_at" TIMESTAMPTZ(3),
    "finished_at" TIMESTAMPTZ(3),
    "expires_at" TIMESTAMPTZ(3),

    CONSTRAINT "export_jobs_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "organizations_slug_key" ON "organizations"("slug");

-- CreateIndex
CREATE UNIQUE INDEX "users_org_id_email_key" ON "users"("org_id", "email");

-- CreateIndex
CREATE UNIQUE INDEX "teams_org_id_slug_key" ON "teams"("org_id", "slug");

-- CreateIndex
CREATE INDEX "team_members_user_id_idx" ON "team_members"("user_id");

-- CreateIndex
CREATE UNIQUE INDEX "team_members_team_id_user_id_key" ON "team_members"("team_id", "user_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_public_id_key" ON "api_keys"("public_id");

-- CreateIndex
CREATE UNIQUE INDEX "api_keys_replaced_by_id_key" ON "api_keys"("replaced_by_id");

-- CreateIndex
CREATE INDEX "api_keys_org_id_team_id_idx" ON "api_keys"("org_id", "team_id");

-- CreateIndex
CREATE INDEX "api_keys_owner_user_id_idx" ON "api_keys"("owner_user_id");

-- CreateIndex
CREATE UNIQUE INDEX "limit_policies_team_id_key" ON "limit_policies"("team_id");

-- CreateIndex
CREATE UNIQUE INDEX "limit_policies_member_id_key" ON "limit_policies"("member_id");

-- CreateIndex
CREATE UNIQUE INDEX "limit_policies_api_key_id_key" ON "limit_policies"("api_key_id");

-- CreateIndex
CREATE INDEX "limit_policies_org_id_scope_idx" ON "limit_policies"("org_id", "scope");

-- CreateIndex
CREATE UNIQUE INDEX "models_org_id_public_name_key" ON "models"("org_id", "public_name");

-- CreateIndex
CREATE INDEX "deployments_model_id_idx" ON "deployments"("model_id");

-- CreateIndex
CREATE UNIQUE INDEX "deployments_org_id_name_key" ON "deployments"("org_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "deployment_replicas_deployment_id_name_key" ON "deployment_replicas"("deployment_id", "name");

-- CreateIndex
CREATE UNIQUE INDEX "usage_events_request_id_key" ON "usage_events"("request_id");

-- CreateIndex
CREATE INDEX "usage_events_org_id_event_time_idx" ON "usage_events"("org_id", "event_time");

-- CreateIndex
CREATE INDEX "usage_events_team_id_event_time_idx" ON "usage_events"("team_id", "event_time");

-- CreateIndex
CREATE INDEX "usage_events_api_key_id_event_time_idx" ON "usage_events"("api_key_id", "event_time");

-- CreateIndex
CREATE INDEX "usage_events_ingested_at_idx" ON "usage_events"("ingested_at");

-- CreateIndex
CREATE UNIQUE INDEX "usage_rollups_bucket_key_key" ON "usage_rollups"("bucket_key");

-- CreateIndex
CREATE INDEX "usage_rollups_org_id_granularity_bucket_start_idx" ON "usage_rollups"("org_id", "granularity", "bucket_start");

-- CreateIndex
CREATE INDEX "usage_rollups_team_id_granularity_bucket_start_idx" ON "usage_rollups"("team_id", "granularity", "bucket_start");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_hash_key" ON "audit_events"("hash");

-- CreateIndex
CREATE INDEX "audit_events_org_id_occurred_at_idx" ON "audit_events"("org_id", "occurred_at");

-- CreateIndex
CREATE INDEX "audit_events_org_id_target_type_target_id_idx" ON "audit_events"("org_id", "target_type", "target_id");

-- CreateIndex
CREATE UNIQUE INDEX "audit_events_org_id_seq_key" ON "audit_events"("org_id", "seq");

-- CreateIndex
CREATE INDEX "export_jobs_org_id_created_at_idx" ON "export_jobs"("org_id", "created_at");

-- AddForeignKey
ALTER TABLE "users" ADD CONSTRAINT "users_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "teams" ADD CONSTRAINT "teams_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "team_members" ADD CONSTRAINT "team_members_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_owner_user_id_fkey" FOREIGN KEY ("owner_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_created_by_user_id_fkey" FOREIGN KEY ("created_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_replaced_by_id_fkey" FOREIGN KEY ("replaced_by_id") REFERENCES "api_keys"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "limit_policies" ADD CONSTRAINT "limit_policies_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "limit_policies" ADD CONSTRAINT "limit_policies_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "limit_policies" ADD CONSTRAINT "limit_policies_member_id_fkey" FOREIGN KEY ("member_id") REFERENCES "team_members"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "limit_policies" ADD CONSTRAINT "limit_policies_api_key_id_fkey" FOREIGN KEY ("api_key_id") REFERENCES "api_keys"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "models" ADD CONSTRAINT "models_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployments" ADD CONSTRAINT "deployments_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "deployment_replicas" ADD CONSTRAINT "deployment_replicas_deployment_id_fkey" FOREIGN KEY ("deployment_id") REFERENCES "deployments"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "audit_events" ADD CONSTRAINT "audit_events_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "export_jobs" ADD CONSTRAINT "export_jobs_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "export_jobs" ADD CONSTRAINT "export_jobs_requested_by_user_id_fkey" FOREIGN KEY ("requested_by_user_id") REFERENCES "users"("id") ON DELETE SET NULL ON UPDATE CASCADE;


-- ─── Hand-written: rules schema.prisma cannot express ─────────────────────────────────────────────
-- The drift test knows these names and checks that they exist.

-- A limit policy attaches to exactly the target its scope names.
ALTER TABLE "limit_policies" ADD CONSTRAINT "limit_policies_target_check" CHECK (
     ("scope" = 'org'    AND "team_id" IS NULL     AND "member_id" IS NULL     AND "api_key_id" IS NULL)
  OR ("scope" = 'team'   AND "team_id" IS NOT NULL AND "member_id" IS NULL     AND "api_key_id" IS NULL)
  OR ("scope" = 'member' AND "team_id" IS NULL     AND "member_id" IS NOT NULL AND "api_key_id" IS NULL)
  OR ("scope" = 'key'    AND "team_id" IS NULL     AND "member_id" IS NULL     AND "api_key_id" IS NOT NULL)
);

-- At most one organization-wide policy per organization.
CREATE UNIQUE INDEX "limit_policies_one_org_policy" ON "limit_policies" ("org_id") WHERE "scope" = 'org';

-- Inference keys always belong to a team; admin keys are organization-wide.
ALTER TABLE "api_keys" ADD CONSTRAINT "api_keys_team_check" CHECK ("scope" = 'admin' OR "team_id" IS NOT NULL);

-- Audit events are append-only: even the application's own role cannot rewrite history.
CREATE FUNCTION "perimeter_refuse_audit_change"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_events is append-only: % is not allowed', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE TRIGGER "audit_events_append_only"
  BEFORE UPDATE OR DELETE ON "audit_events"
  FOR EACH ROW EXECUTE FUNCTION "perimeter_refuse_audit_change"();

CREATE TRIGGER "audit_events_no_truncate"
  BEFORE TRUNCATE ON "audit_events"
  FOR EACH STATEMENT EXECUTE FUNCTION "perimeter_refuse_audit_change"();
