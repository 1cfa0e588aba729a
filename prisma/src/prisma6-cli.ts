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
function toPrisma6Schema(schema: string): string {
  return schema
    .replace(
      /generator client \{[\s\S]*?\n\}/,
      'generator client {\n  provider   = "prisma-client-js"\n  engineType = "client"\n}',
    )
    .replace(/(datasource db \{\s*provider\s*=\s*"postgresql")/, '$1\n  url      = env("DATABASE_URL")');
}

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the Prisma 6.19 CLI with `prisma6.config.ts` and `to` as its schema, in a scratch directory. */
async function runPrisma6(
  databaseUrl: string,
  args: (dir: string) => Promise<string[]>,
  toSchema?: string,
): Promise<CliResult> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "perimeter-schema-"));
  try {
    const toPath = path.join(dir, "to.prisma");
    await writeFile(toPath, toPrisma6Schema(toSchema ?? (await readFile(schemaPath, "utf8"))));
    const cli = path.join(path.dirname(require.resolve("prisma6/package.json")), "build", "index.js");
    const config = path.join(prismaDir, "prisma6.config.ts");
    const env = {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PRISMA6_SCHEMA_PATH: toPath,
      CHECKPOINT_DISABLE: "1",
      PRISMA_HIDE_UPDATE_MESSAGE: "1",
    };
    try {
      const { stdout, stderr } = await run(process.execPath, [cli, ...(await args(dir)), "--config", config], {
        cwd: prismaDir,
        maxBuffer: 64 * 1024 * 1024,
        env,
      });
      return { code: 0, stdout, stderr };
    } catch (error) {
      const failed = error as { code?: number; stdout?: string; stderr?: string };
      if (typeof failed.code !== "number") throw error;
      return { code: failed.code, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Renders the SQL that takes a database from `from` (a schema text, or an empty database) to `to`
 * (default: the current schema.prisma). Needs a reachable PostgreSQL at `databaseUrl`; writes nothing.
 */
export async function renderSchemaSql(databaseUrl: string, options: { from?: string; to?: string } = {}) {
  const result = await runPrisma6(
    databaseUrl,
    async (dir) => {
      if (options.from === undefined)
        return ["migrate", "diff", "--from-empty", "--to-schema-datamodel", path.join(dir, "to.prisma"), "--script"];
      const fromPath = path.join(dir, "from.prisma");
      await writeFile(fromPath, toPrisma6Schema(options.from));
      return [
        "migrate",
        "diff",
        "--from-schema-datamodel",
        fromPath,
        "--to-schema-datamodel",
        path.join(dir, "to.prisma"),
        "--script",
      ];
    },
    options.to,
  );
  if (result.code !== 0) throw new Error(`prisma migrate diff failed: ${result.stderr.trim()}`);
  return result.stdout;
}

/**
 * `prisma migrate status` against `databaseUrl`: whether Prisma itself considers every migration in
 * prisma/migrations applied (exit code 0) — proof that our migrator records them the way Prisma does.
 */
export async function prismaMigrateStatus(databaseUrl: string): Promise<{ upToDate: boolean; output: string }> {
  const result = await runPrisma6(databaseUrl, async () => ["migrate", "status"]);
  return { upToDate: result.code === 0, output: `${result.stdout}${result.stderr}` };
}
