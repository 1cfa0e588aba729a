// Prisma 7 CLI configuration. Only `prisma generate` is used here: migrations are plain SQL files applied
// by `src/migrate.ts`, because Prisma's native schema engine cannot be downloaded in air-gapped installs.
import { defineConfig } from "prisma/config";

export default defineConfig({
  schema: "schema.prisma",
  migrations: { path: "migrations" },
  datasource: { url: process.env.DATABASE_URL ?? "postgresql://localhost:5432/perimeter" },
});
