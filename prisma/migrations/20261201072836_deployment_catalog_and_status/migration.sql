-- AlterTable
ALTER TABLE "models" ADD COLUMN     "builtin" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "default_image" TEXT,
ADD COLUMN     "enable_auto_tool_choice" BOOLEAN NOT NULL DEFAULT false,
ADD COLUMN     "hardware_profiles" JSONB NOT NULL DEFAULT '[]',
ADD COLUMN     "serve_command" TEXT[] DEFAULT ARRAY[]::TEXT[];

-- AlterTable
ALTER TABLE "deployments" ADD COLUMN     "ready_replicas" INTEGER NOT NULL DEFAULT 0,
ADD COLUMN     "status_detail" JSONB NOT NULL DEFAULT '{}',
ADD COLUMN     "target_revision" TEXT;

-- AlterTable
ALTER TABLE "deployment_replicas" ADD COLUMN     "drain_started_at" TIMESTAMPTZ(3),
ADD COLUMN     "max_model_len" INTEGER,
ADD COLUMN     "started_at" TIMESTAMPTZ(3),
ADD COLUMN     "stop_requested_at" TIMESTAMPTZ(3);

