import type { ProvisionedServer, ProvisionOptions } from "./provisioned-server.ts";
import { checkRedisUrl } from "./redis-url-check.ts";

/**
 * Returns a usable Redis: the server at `env.REDIS_URL` once it answers PING (else a one-line
 * ConfigError naming REDIS_URL), or a `redis-server` from PATH with its data in `<dataDir>/redis`.
 */
export async function ensureRedis(options: ProvisionOptions): Promise<ProvisionedServer> {
  const external = options.env.REDIS_URL;
  if (external !== undefined && external !== "") {
    await checkRedisUrl(external, "REDIS_URL");
    return { url: external, embedded: false, stop: async () => {} };
  }
  const { startEmbeddedRedis } = await import("./embedded-redis.ts");
  return startEmbeddedRedis(options);
}
