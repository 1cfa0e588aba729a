// Prisma 6.19 CLI configuration. Its bundled wasm schema engine runs without downloading a native
// binary, so it is used for two offline checks: rendering SQL from schema.prisma (`migrate diff`) and
// confirming that our migrator's bookkeeping satisfies Prisma (`migrate status`).
import path from "node:path";
import type { PrismaConfig } from "prisma6/config";
import { PrismaPg } from "prisma6-adapter-pg";

export default {
  experimental: { adapter: true },
  engine: "js",
  // A Prisma-6-compatible copy of schema.prisma, written by src/prisma6-cli.ts.
  schema: process.env.PRISMA6_SCHEMA_PATH ?? path.join(import.meta.dirname, "schema.prisma"),
  migrations: { path: path.join(import.meta.dirname, "migrations") },
  async adapter() {
    return new PrismaPg({
      connectionString: process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres",
    });
  },
} satisfies PrismaConfig;
