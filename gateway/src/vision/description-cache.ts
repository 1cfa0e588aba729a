import type { Redis } from "ioredis";
import { describePromptVersion } from "./describe-prompt.ts";

/**
 * Descriptions by image, in Redis: the key is the organization, its vision model and the SHA-256 of the
 * image's bytes (and the prompt's version; model names are the organization's own), so a conversation that carries a screenshot in its history for fifty turns has
 * it described once. A Redis that cannot answer is a miss, never an error: describing again costs time,
 * not correctness.
 */
export class DescriptionCache {
  constructor(
    private readonly redis: Redis,
    private readonly ttlSec: number,
    private readonly orgId: string,
  ) {}

  key(visionModel: string, sha256: string): string {
    return `perimeter:vision:v${describePromptVersion}:${this.orgId}:${visionModel}:${sha256}`;
  }

  /** The cached descriptions of `hashes` (null where there is none). */
  async getMany(visionModel: string, hashes: string[]): Promise<(string | null)[]> {
    if (this.ttlSec === 0 || hashes.length === 0) return hashes.map(() => null);
    try {
      return await this.redis.mget(...hashes.map((hash) => this.key(visionModel, hash)));
    } catch {
      return hashes.map(() => null);
    }
  }

  async set(visionModel: string, sha256: string, description: string): Promise<void> {
    if (this.ttlSec === 0) return;
    try {
      await this.redis.set(this.key(visionModel, sha256), description, "EX", this.ttlSec);
    } catch {
      // Not cached: the next request describes it again.
    }
  }
}
