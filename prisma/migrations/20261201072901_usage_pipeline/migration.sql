-- AlterTable
ALTER TABLE "usage_rollups" ADD COLUMN     "time_to_first_token_count" BIGINT NOT NULL DEFAULT 0;

-- AlterTable
ALTER TABLE "export_jobs" ADD COLUMN     "file_bytes" BIGINT,
ADD COLUMN     "manifest_location" TEXT,
ADD COLUMN     "requested_by_actor" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "rows_written" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "audit_chain_checks" (
    "id" BIGSERIAL NOT NULL,
    "org_id" TEXT NOT NULL,
    "checked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "ok" BOOLEAN NOT NULL,
    "event_count" BIGINT NOT NULL,
    "head_seq" BIGINT,
    "head_hash" TEXT,
    "reason" TEXT,
    "broken_seq" BIGINT,
    "broken_event_id" TEXT,

    CONSTRAINT "audit_chain_checks_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "audit_chain_checks_org_id_checked_at_idx" ON "audit_chain_checks"("org_id", "checked_at");

-- CreateIndex
CREATE INDEX "export_jobs_status_created_at_idx" ON "export_jobs"("status", "created_at");

-- AddForeignKey
ALTER TABLE "audit_chain_checks" ADD CONSTRAINT "audit_chain_checks_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

