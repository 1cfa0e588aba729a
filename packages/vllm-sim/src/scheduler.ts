/**
 * The engine's batch limit (`--max-num-seqs`): at most `maxNumSeqs` sequences run at once, the rest wait
 * in FIFO order. A waiting request whose client goes away leaves the queue; a running one releases its
 * slot at once, which is what lets the next waiting request start.
 */
export class Scheduler {
  private running = 0;
  private readonly waiting: Array<{ start: () => void; signal: AbortSignal; onAbort: () => void }> = [];

  constructor(private readonly maxNumSeqs: number) {}

  get capacity(): number {
    return this.maxNumSeqs;
  }

  get numRunning(): number {
    return this.running;
  }

  get numWaiting(): number {
    return this.waiting.length;
  }

  /**
   * Resolves with a release function once a slot is free, or with undefined if `signal` aborts first.
   * The release function is idempotent.
   */
  acquire(signal: AbortSignal): Promise<(() => void) | undefined> {
    if (signal.aborted) return Promise.resolve(undefined);
    const release = () => {
      let released = false;
      return () => {
        if (released) return;
        released = true;
        this.running -= 1;
        this.next();
      };
    };
    if (this.running < this.maxNumSeqs) {
      this.running += 1;
      return Promise.resolve(release());
    }
    return new Promise((resolve) => {
      const entry = {
        signal,
        start: () => {
          signal.removeEventListener("abort", entry.onAbort);
          this.running += 1;
          resolve(release());
        },
        onAbort: () => {
          const at = this.waiting.indexOf(entry);
          if (at !== -1) this.waiting.splice(at, 1);
          resolve(undefined);
        },
      };
      signal.addEventListener("abort", entry.onAbort, { once: true });
      this.waiting.push(entry);
    });
  }

  private next(): void {
    while (this.running < this.maxNumSeqs && this.waiting.length > 0) this.waiting.shift()?.start();
  }
}
