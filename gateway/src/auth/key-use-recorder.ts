import { recordApiKeyUse } from "@perimeter/core";
import type { Db } from "@perimeter/db";
import type { Logger } from "@perimeter/runtime";

/**
 * Collects the keys that made requests and writes their `lastUsedAt` every `intervalMs`, in one update,
 * off the request path: the dashboard's "last used" is at most one interval behind.
 */
export class KeyUseRecorder {
  private used = new Set<string>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    private readonly log: Logger,
    intervalMs: number,
  ) {
    this.timer = setInterval(() => void this.flush(), intervalMs);
    this.timer.unref();
  }

  note(keyId: string): void {
    this.used.add(keyId);
  }

  async flush(): Promise<void> {
    if (this.used.size === 0) return;
    const keyIds = [...this.used];
    this.used = new Set();
    try {
      await recordApiKeyUse(this.db, keyIds, new Date());
    } catch (error) {
      for (const keyId of keyIds) this.used.add(keyId);
      this.log.warn("could not record key use; will retry", { error: (error as Error).message });
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }
}
