// The orchestrator's side of the load generator's IPC channel: one job at a time, answers matched by id.

import type { RunningProcess } from "./bench-processes.ts";
import type { GeneratorMessage, GeneratorRequest } from "./load-generator.ts";
import type { LoadJob, LoadResult, ProbeAnswer } from "./load-job.ts";

interface Pending {
  resolve(message: GeneratorMessage): void;
  reject(error: Error): void;
  onWindow?: (edge: "start" | "end") => void;
}

export class GeneratorClient {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();

  constructor(private readonly proc: RunningProcess) {
    proc.child.on("message", (message: GeneratorMessage) => {
      const waiting = this.pending.get(message.id);
      if (!waiting) return;
      if (message.type === "window-start" || message.type === "window-end") {
        waiting.onWindow?.(message.type === "window-start" ? "start" : "end");
        return;
      }
      this.pending.delete(message.id);
      if (message.type === "failed") waiting.reject(new Error(`load generator: ${message.error}`));
      else waiting.resolve(message);
    });
    proc.child.once("exit", (code, signal) => {
      for (const waiting of this.pending.values()) {
        waiting.reject(new Error(`load generator exited (${code ?? signal})`));
      }
      this.pending.clear();
    });
  }

  private call(request: Omit<GeneratorRequest, "id">, onWindow?: Pending["onWindow"]): Promise<GeneratorMessage> {
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject, ...(onWindow ? { onWindow } : {}) });
      this.proc.child.send({ ...request, id } satisfies GeneratorRequest);
    });
  }

  async probe(job: LoadJob): Promise<ProbeAnswer> {
    const message = await this.call({ type: "probe", job });
    if (message.type !== "probe") throw new Error(`load generator answered ${message.type} to a probe`);
    const { type: _type, id: _id, ...answer } = message;
    return answer;
  }

  /** Runs a measured slice; `onWindow` is told when its window opens and closes. */
  async run(job: LoadJob, onWindow: (edge: "start" | "end") => void): Promise<LoadResult> {
    const message = await this.call({ type: "run", job }, onWindow);
    if (message.type !== "result") throw new Error(`load generator answered ${message.type} to a run`);
    return message.result;
  }
}
