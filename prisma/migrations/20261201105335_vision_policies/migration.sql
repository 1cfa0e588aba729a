-- CreateEnum
CREATE TYPE "vision_mode" AS ENUM ('placeholder', 'reject', 'describe', 'route');

-- CreateTable
CREATE TABLE "vision_policies" (
    "id" TEXT NOT NULL,
    "org_id" TEXT NOT NULL,
    "team_id" TEXT NOT NULL,
    "model_id" TEXT NOT NULL,
    "mode" "vision_mode" NOT NULL,
    "vision_model_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMPTZ(3) NOT NULL,

    CONSTRAINT "vision_policies_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "vision_policies_org_id_idx" ON "vision_policies"("org_id");

-- CreateIndex
CREATE UNIQUE INDEX "vision_policies_team_id_model_id_key" ON "vision_policies"("team_id", "model_id");

-- AddForeignKey
ALTER TABLE "vision_policies" ADD CONSTRAINT "vision_policies_org_id_fkey" FOREIGN KEY ("org_id") REFERENCES "organizations"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vision_policies" ADD CONSTRAINT "vision_policies_team_id_fkey" FOREIGN KEY ("team_id") REFERENCES "teams"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vision_policies" ADD CONSTRAINT "vision_policies_model_id_fkey" FOREIGN KEY ("model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "vision_policies" ADD CONSTRAINT "vision_policies_vision_model_id_fkey" FOREIGN KEY ("vision_model_id") REFERENCES "models"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

