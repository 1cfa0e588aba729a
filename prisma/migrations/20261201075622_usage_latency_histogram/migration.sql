-- AlterTable
ALTER TABLE "usage_rollups" ADD COLUMN     "latency_ms_histogram" BIGINT[] DEFAULT ARRAY[]::BIGINT[];

