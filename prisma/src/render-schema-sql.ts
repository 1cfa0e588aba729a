import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const require = createRequire(import.meta.url);
const prismaDir = path.join(import.meta.dirname, "..");
export const schemaPath = path.join(prismaDir, "schema.prisma");

/**
 * Turns our Prisma 7 schema into one Prisma 6.19 accepts: a datasource `url`, and a generator whose
 * `engineType = "client"` keeps the CLI from fetching a query engine it would never use.
 */
export function toPrisma6Schema(schema: string): string {
  return schema
    .replace(
      /generator client \{[\s\S]*?\n\}/,
      'generator client {\n  provider   = "prisma-client-js"\n  engineType = "client"\n}',
    )
    .replace(/(datasource db \{\s*provider\s*=\s*"postgresql")/, '$1\n  url      = env("DATABASE_URL")');
}

/**
 * Renders the SQL that takes a database from `from` to the schema in `to` with Prisma 6.19's wasm
 * schema engine (no native binary, no download). `from` is a schema text or "empty". Needs a reachable
 * PostgreSQL at `databaseUrl`; nothing is written to it.
 */
export async function renderSchemaSql(
  databaseUrl: string,
  options: { from?: string | "empty"; to?: string } = {},
): Promise<string> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "perimeter-schema-"));
  try {
    const toSchema = options.to ?? (await readFile(schemaPath, "utf8"));
    const toPath = path.join(dir, "to.prisma");
    await writeFile(toPath, toPrisma6Schema(toSchema));
    const fromArgs = ["--from-empty"];
    if (options.from !== undefined && options.from !== "empty") {
      const fromPath = path.join(dir, "from.prisma");
      await writeFile(fromPath, toPrisma6Schema(options.from));
      fromArgs.splice(0, 1, "--from-schema-datamodel", fromPath);
    }
    const cli = path.join(path.dirname(require.resolve("prisma6/package.json")), "build", "index.js");
    const { stdout } = await run(
      process.execPath,
      [
        cli,
        "migrate",
        "diff",
        "--config",
        path.join(prismaDir, "prisma6.config.ts"),
        ...fromArgs,
        "--to-schema-datamodel",
        toPath,
        "--script",
      ],
      {
        cwd: prismaDir,
        maxBuffer: 64 * 1024 * 1024,
        env: {
          ...process.env,
          DATABASE_URL: databaseUrl,
          PRISMA6_SCHEMA_PATH: toPath,
          CHECKPOINT_DISABLE: "1",
          PRISMA_HIDE_UPDATE_MESSAGE: "1",
        },
      },
    );
    return stdout;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
