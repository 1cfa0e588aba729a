import type { ReplicaEntry, ReplicaTableCache } from "@perimeter/core";
import type { Upstream } from "../upstream.ts";
import { orderReplicas } from "./order-replicas.ts";

/** Where a request may go: an upstream, and which deployment replica it is, if any. */
export interface RouteTarget {
  upstream: Upstream;
  replica?: { deploymentId: string; name: string };
}

/** A resolved model: its names, context window when known, and the targets to try in order. */
export interface ModelRoute {
  publicName: string;
  servedName: string;
  maxModelLen?: number;
  targets: RouteTarget[];
}

export type RouteResult = { ok: true; route: ModelRoute } | { ok: false; status: 404 | 529; message: string };

/** The model served at `VLLM_URL`, when one is configured. */
export interface StaticModel {
  publicName: string;
  upstream: Upstream;
}

export interface ModelRouterOptions {
  /** The default model's public name, which the alias patterns resolve to (`GATEWAY_MODEL`). */
  defaultModel: string;
  /** More names for the default model; a trailing `*` matches a prefix (`claude-*`). */
  aliases: readonly string[];
  staticModel?: StaticModel;
  /** Builds the connection pool for a replica endpoint. */
  upstreamFor: (endpoint: string, servedModel: string, maxModelLen: number | null) => Upstream;
  stickyCap?: number;
}

/**
 * Resolves a requested model name to where it is served. Deployments come first: the ready replicas of
 * the organization's deployments of that model (from the worker's replica table), ordered by
 * `orderReplicas`, never a loading or draining one. When no deployment serves the model, the static
 * upstream (`VLLM_URL`) does, if it is the default model. A deployed model with no ready replica is a 529
 * (clients retry); an unknown model a 404. Counts this gateway's in-flight requests per replica.
 */
export class ModelRouter {
  private replicas: ReplicaTableCache | undefined;
  private readonly pools = new Map<string, { upstream: Upstream; lastUsedMs: number }>();
  private readonly inFlight = new Map<string, number>();
  private readonly exact: Set<string>;
  private readonly prefixes: string[];
  private readonly sweep: NodeJS.Timeout;

  constructor(private readonly options: ModelRouterOptions) {
    this.exact = new Set(options.aliases.filter((alias) => !alias.endsWith("*")));
    this.prefixes = options.aliases.filter((alias) => alias.endsWith("*")).map((alias) => alias.slice(0, -1));
    // Pools of replicas that left the table are closed once idle for a while.
    this.sweep = setInterval(() => void this.closeIdlePools(300_000), 60_000);
    this.sweep.unref();
  }

  /** Starts routing to deployments (the cache is built asynchronously at boot). */
  useReplicaTable(cache: ReplicaTableCache): void {
    this.replicas = cache;
  }

  get replicaTable(): ReplicaTableCache | undefined {
    return this.replicas;
  }

  resolve(orgId: string, requested: string, sessionId?: string | null): RouteResult {
    const canonical = this.isAlias(requested) ? this.options.defaultModel : requested;
    const names = canonical === requested ? [requested] : [requested, canonical];
    for (const name of names) {
      const ready = this.replicas?.routable(orgId, name) ?? [];
      if (ready.length > 0) return { ok: true, route: this.deployedRoute(ready, sessionId) };
    }
    const deployed = this.deployedEntries(orgId, names);
    if (deployed.length > 0) {
      const states = new Map<string, number>();
      for (const entry of deployed) states.set(entry.state, (states.get(entry.state) ?? 0) + 1);
      const summary = [...states].map(([state, count]) => `${count} ${state}`).join(", ");
      return { ok: false, status: 529, message: `model ${canonical} has no ready replica right now (${summary})` };
    }
    const fixed = this.options.staticModel;
    if (fixed && (canonical === fixed.publicName || canonical === fixed.upstream.servedModel)) {
      return {
        ok: true,
        route: {
          publicName: fixed.publicName,
          servedName: fixed.upstream.servedModel,
          targets: [{ upstream: fixed.upstream }],
        },
      };
    }
    return { ok: false, status: 404, message: `model: ${requested}` };
  }

  /** The models an organization can call, for `GET /v1/models`. */
  models(orgId: string): { publicName: string; maxModelLen?: number; upstream?: Upstream }[] {
    const out = new Map<string, { publicName: string; maxModelLen?: number; upstream?: Upstream }>();
    for (const entries of this.replicas?.snapshot().values() ?? []) {
      for (const entry of entries) {
        if (entry.orgId !== orgId || out.has(entry.model.publicName)) continue;
        out.set(entry.model.publicName, {
          publicName: entry.model.publicName,
          ...(entry.maxModelLen ? { maxModelLen: entry.maxModelLen } : {}),
        });
      }
    }
    const fixed = this.options.staticModel;
    if (fixed && !out.has(fixed.publicName))
      out.set(fixed.publicName, { publicName: fixed.publicName, upstream: fixed.upstream });
    return [...out.values()];
  }

  /** Counts a request in flight on `target` until the returned function is called. */
  begin(target: RouteTarget): () => void {
    const key = target.upstream.url;
    this.inFlight.set(key, (this.inFlight.get(key) ?? 0) + 1);
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const left = (this.inFlight.get(key) ?? 1) - 1;
      if (left > 0) this.inFlight.set(key, left);
      else this.inFlight.delete(key);
    };
  }

  async close(): Promise<void> {
    clearInterval(this.sweep);
    await this.replicas?.close();
    await Promise.allSettled([...this.pools.values()].map((pool) => pool.upstream.close()));
    this.pools.clear();
  }

  private isAlias(name: string): boolean {
    return this.exact.has(name) || this.prefixes.some((prefix) => name.startsWith(prefix));
  }

  private deployedEntries(orgId: string, names: string[]): ReplicaEntry[] {
    const out: ReplicaEntry[] = [];
    for (const entries of this.replicas?.snapshot().values() ?? []) {
      for (const entry of entries) {
        const serves = names.some((name) => entry.model.publicName === name || entry.model.aliases.includes(name));
        if (entry.orgId === orgId && serves) out.push(entry);
      }
    }
    return out;
  }

  private deployedRoute(ready: ReplicaEntry[], sessionId?: string | null): ModelRoute {
    const ordered = orderReplicas(ready, {
      inFlight: (endpoint) => this.inFlight.get(endpoint) ?? 0,
      sessionId: sessionId ?? null,
      stickyCap: this.options.stickyCap ?? 4,
    });
    const first = ordered[0] as ReplicaEntry;
    const windows = ordered.map((entry) => entry.maxModelLen).filter((length): length is number => length !== null);
    return {
      publicName: first.model.publicName,
      servedName: first.model.servedName,
      ...(windows.length > 0 ? { maxModelLen: Math.min(...windows) } : {}),
      targets: ordered.map((entry) => ({
        upstream: this.pool(entry),
        replica: { deploymentId: entry.deploymentId, name: entry.replica },
      })),
    };
  }

  private pool(entry: ReplicaEntry): Upstream {
    const key = `${entry.endpoint}|${entry.model.servedName}`;
    let pool = this.pools.get(key);
    if (!pool) {
      pool = {
        upstream: this.options.upstreamFor(entry.endpoint, entry.model.servedName, entry.maxModelLen),
        lastUsedMs: 0,
      };
      this.pools.set(key, pool);
    }
    pool.lastUsedMs = Date.now();
    return pool.upstream;
  }

  private async closeIdlePools(idleMs: number): Promise<void> {
    const now = Date.now();
    for (const [key, pool] of this.pools) {
      if (now - pool.lastUsedMs < idleMs || (this.inFlight.get(pool.upstream.url) ?? 0) > 0) continue;
      this.pools.delete(key);
      await pool.upstream.close().catch(() => {});
    }
  }
}
