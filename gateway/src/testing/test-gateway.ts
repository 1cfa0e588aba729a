import {
  type ApiKeyView,
  type CoreContext,
  createApiKey,
  type UsageStreamKeys,
  usageStreamKeys,
} from "@perimeter/core";
import { createTestTeam, createTestTenant, type TestTeam, testKeyPepper } from "@perimeter/core/testing";
import { createDb, randomBase32 } from "@perimeter/db";
import { closeServer, listen, silentLogger } from "@perimeter/runtime";
import { Redis } from "ioredis";
import { defaultVisionConfig, type GatewayConfig } from "../env.ts";
import { createServer } from "../server.ts";
import { buildServices, closeServices, type GatewayServices } from "../services.ts";
import { createUpstream } from "../upstream.ts";

export interface TestGatewayOptions {
  databaseUrl: string;
  redisUrl: string;
  /** The vLLM (simulator) serving the default model, if any; deployments come from the replica table. */
  upstreamUrl?: string;
  /** The replica table's key prefix (default: `perimeter`, shared with any worker on the same Redis). */
  replicaTablePrefix?: string;
  servedModel?: string;
  protocol?: Partial<GatewayConfig["protocol"]>;
  limits?: Partial<GatewayConfig["limits"]>;
  /** A Redis for admission and metering other than `redisUrl` (to take it away in a test). */
  commandRedisUrl?: string;
  upstreamTimeoutMs?: number;
  vision?: Partial<GatewayConfig["vision"]>;
}

export interface TestGateway {
  url: string;
  services: GatewayServices;
  /** The organization's admin context, to create more keys, limits, revocations. */
  ctx: CoreContext;
  team: TestTeam;
  /** A working inference key of `team`, and its token. */
  key: ApiKeyView;
  token: string;
  /** Where this gateway meters its requests. */
  usageKeys: UsageStreamKeys;
  /** Issues another inference key of `team`. */
  newKey(input?: { expiresAt?: Date; name?: string }): Promise<{ key: ApiKeyView; token: string }>;
  stop(): Promise<void>;
}

/**
 * A gateway in this process on a free port, in front of `upstreamUrl`, with real Postgres and Redis and a
 * fresh organization, team and key of its own (so test files run in parallel on one database).
 */
export async function startTestGateway(options: TestGatewayOptions): Promise<TestGateway> {
  const db = createDb(options.databaseUrl, { maxConnections: 4 });
  const upstreamDefaults = { timeoutMs: options.upstreamTimeoutMs ?? 600_000, fallbackMaxModelLen: 163_840 };
  const upstream = options.upstreamUrl
    ? createUpstream({
        ...upstreamDefaults,
        url: options.upstreamUrl,
        servedModel: options.servedModel ?? "umans-coder",
      })
    : undefined;
  // A stream of its own, so tests read exactly their events and never feed a running stack's worker.
  const usageKeys = usageStreamKeys(`perimeter-test-${randomBase32(8)}`);
  const commandRedis = new Redis(options.commandRedisUrl ?? options.redisUrl, {
    maxRetriesPerRequest: 1,
    enableAutoPipelining: true,
    enableOfflineQueue: false,
  });
  commandRedis.on("error", () => {});
  const services = buildServices({
    log: silentLogger,
    db,
    redis: commandRedis,
    subscriber: new Redis(options.redisUrl),
    keyPepper: testKeyPepper,
    ...(upstream ? { upstream } : {}),
    upstreamDefaults,
    ...(options.replicaTablePrefix ? { replicaTablePrefix: options.replicaTablePrefix } : {}),
    publicModel: "umans-coder-v0",
    aliases: ["claude-*"],
    protocol: {
      stripBillingHeader: true,
      systemMessages: "reminder",
      serverTools: "reject",
      keepAliveMs: 10_000,
      ...options.protocol,
    },
    limits: {
      onRedisFailure: "open",
      leaseTtlMs: 30_000,
      keyCacheTtlMs: 30_000,
      usageBuffer: 10_000,
      ...options.limits,
    },
    vision: { ...defaultVisionConfig, ...options.vision },
    keyUseIntervalMs: 200,
    usageKeys,
  });
  await services.ready;
  const tenant = await createTestTenant(db);
  // Core announces revocations and limit changes on Redis, as the dashboard's verbs do.
  const ctx: CoreContext = { ...tenant.ctx, changes: services.redis };
  const team = await createTestTeam(ctx);
  const newKey = async (input: { expiresAt?: Date; name?: string } = {}) => {
    const created = await createApiKey(ctx, {
      teamId: team.team.id,
      ownerUserId: team.developer.id,
      name: input.name ?? "test key",
      ...(input.expiresAt ? { expiresAt: input.expiresAt } : {}),
    });
    if (!created.ok) throw new Error(`test key: ${created.code}`);
    return { key: created.key, token: created.secret };
  };
  const first = await newKey();
  const server = createServer(services);
  const url = await listen(server, 0, "127.0.0.1");
  return {
    url,
    services,
    ctx,
    team,
    key: first.key,
    token: first.token,
    newKey,
    usageKeys,
    stop: async () => {
      await closeServer(server, 0);
      await services.redis.del(usageKeys.stream).catch(() => {});
      await closeServices(services);
    },
  };
}
