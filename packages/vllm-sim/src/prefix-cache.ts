/**
 * vLLM-style automatic prefix caching over token ids (`vllm/v1/core/kv_cache_utils.py`,
 * `kv_cache_manager.py`): the prompt is cut into blocks of `blockSize` tokens, each full block is keyed
 * by a hash chained from the previous block's key, and a lookup walks the chain until the first miss.
 * Like vLLM, a hit never covers the whole prompt (the last token is always computed) and only full
 * blocks count. Keys live in a bounded LRU, so old conversations fall out.
 */
export class PrefixCache {
  private readonly blocks = new Map<string, true>();

  constructor(
    readonly blockSize = 16,
    private readonly maxBlocks = 200_000,
  ) {}

  private keys(ids: number[], fullBlocks: number): string[] {
    const keys: string[] = [];
    let a = 0x811c9dc5;
    let b = 0x01000193;
    for (let block = 0; block < fullBlocks; block += 1) {
      for (let i = block * this.blockSize; i < (block + 1) * this.blockSize; i += 1) {
        const id = ids[i] ?? 0;
        a = Math.imul(a ^ id, 0x01000193) >>> 0;
        b = Math.imul(b ^ (id + 0x9e3779b9), 0x85ebca6b) >>> 0;
      }
      keys.push(`${a.toString(36)}.${b.toString(36)}.${block}`);
    }
    return keys;
  }

  /** Tokens of `ids` already in the cache: whole blocks, at most `ids.length - 1`. Hits are refreshed. */
  lookup(ids: number[]): number {
    const limit = Math.floor(Math.max(0, ids.length - 1) / this.blockSize);
    let hits = 0;
    for (const key of this.keys(ids, limit)) {
      if (!this.blocks.has(key)) break;
      this.blocks.delete(key);
      this.blocks.set(key, true);
      hits += 1;
    }
    return hits * this.blockSize;
  }

  /** Caches every full block of `ids`, evicting the least recently used blocks beyond the bound. */
  insert(ids: number[]): void {
    for (const key of this.keys(ids, Math.floor(ids.length / this.blockSize))) {
      this.blocks.delete(key);
      this.blocks.set(key, true);
    }
    for (const key of this.blocks.keys()) {
      if (this.blocks.size <= this.maxBlocks) break;
      this.blocks.delete(key);
    }
  }

  clear(): void {
    this.blocks.clear();
  }
}
