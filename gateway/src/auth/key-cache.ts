import type { ChangeEvent, KeyPrincipal } from "@perimeter/core";

export interface KeyCacheOptions {
  /** How long a loaded key is trusted without a change message; the revocation bound if messages are lost. */
  ttlMs: number;
  /** How long "no such key" is remembered, so a flood of made-up keys does not reach Postgres. */
  negativeTtlMs: number;
  maxEntries: number;
  now?: () => number;
}

interface Entry {
  principal: KeyPrincipal | undefined;
  expiresAt: number;
}

/**
 * The gateway's in-process cache of key principals by public id (LRU by insertion order, bounded). A
 * change event evicts every entry it concerns — the key, or every key of a team, member, owner or
 * organization — so the next request reloads from Postgres; entries also expire after `ttlMs`. Loads of
 * one public id are shared, so a burst of requests with a new key costs one query.
 */
export class KeyCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<KeyPrincipal | undefined>>();
  /** Bumped by every eviction, so a load that started before it does not store what it read. */
  private generation = 0;
  private readonly now: () => number;

  constructor(
    private readonly load: (publicId: string) => Promise<KeyPrincipal | undefined>,
    private readonly options: KeyCacheOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** The principal for `publicId` (undefined when no key has it), from the cache or Postgres. */
  async get(publicId: string): Promise<KeyPrincipal | undefined> {
    const entry = this.entries.get(publicId);
    if (entry && entry.expiresAt > this.now()) return entry.principal;
    const pending = this.loading.get(publicId);
    if (pending) return pending;
    const generation = this.generation;
    const loaded = this.load(publicId).finally(() => this.loading.delete(publicId));
    this.loading.set(publicId, loaded);
    const principal = await loaded;
    if (generation === this.generation) this.store(publicId, principal);
    return principal;
  }

  /** Drops every entry `event` concerns. */
  evict(event: ChangeEvent): void {
    this.generation++;
    for (const [publicId, entry] of this.entries) {
      const principal = entry.principal;
      if (!principal) continue;
      const concerned =
        (event.entity === "api_key" && principal.keyId === event.id) ||
        (event.entity === "team" && principal.teamId === event.id) ||
        (event.entity === "member" && principal.memberId === event.id) ||
        (event.entity === "user" && principal.ownerUserId === event.id) ||
        (event.entity === "org" && principal.orgId === event.id);
      if (concerned) this.entries.delete(publicId);
    }
  }

  /** Drops everything (after missing change messages, e.g. while Redis was away). */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private store(publicId: string, principal: KeyPrincipal | undefined): void {
    this.entries.delete(publicId);
    if (this.entries.size >= this.options.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const ttl = principal ? this.options.ttlMs : this.options.negativeTtlMs;
    this.entries.set(publicId, { principal, expiresAt: this.now() + ttl });
  }
}
