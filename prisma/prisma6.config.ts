// Prisma 6.19 CLI configuration, used only to render SQL from schema.prisma (`migrate diff`) with the
// wasm schema engine bundled in that release, which works without downloading a native binary.
import path from "node:path";
import type { PrismaConfig } from "prisma6/config";
import { PrismaPg } from "prisma6-adapter-pg";

export default {
  experimental: { adapter: true },
  engine: "js",
  // A Prisma-6-compatible copy of schema.prisma, written by src/render-schema-sql.ts.
  schema: process.env.PRISMA6_SCHEMA_PATH ?? path.join(import.meta.dirname, "schema.prisma"),
  async adapter() {
    return new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    });
  },
} satisfies PrismaConfig;
