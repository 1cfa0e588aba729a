import { type SpawnOptions, spawn } from "node:child_process";
import { closeSync, openSync } from "node:fs";
import { stopServerProcess } from "./process-liveness.ts";

export interface DetachedServerSpec {
  command: string;
  args: string[];
  /** Receives the server's stdout and stderr; emptied first. */
  logFile: string;
  /** The signal that makes the server shut down cleanly; SIGKILL follows after `stopGraceMs`. */
  stopSignal: NodeJS.Signals;
  stopGraceMs: number;
  /** The rest of the spawn options: the user to run as, working directory, environment. */
  options?: Pick<SpawnOptions, "uid" | "gid" | "cwd" | "env">;
}

export type ReadyOutcome = "ready" | "exited" | "timed-out";

export interface DetachedServer {
  /** Undefined when the process could not be started at all. */
  pid: number | undefined;
  /**
   * Calls `probe` every `intervalMs` until it answers true ("ready"), the server exits ("exited") or
   * `timeoutMs` passes ("timed-out"). The caller words the failure and stops the server.
   */
  waitUntilReady(probe: () => Promise<boolean>, timeoutMs: number, intervalMs: number): Promise<ReadyOutcome>;
  /** `stopSignal`, then SIGKILL after `stopGraceMs`; resolves once the server is gone. A no-op once it has exited. */
  stop(): Promise<void>;
}

/**
 * Starts a server (embedded Postgres or Redis) in its own process group, so that Ctrl-C in the
 * terminal does not reach it before the services that use it have stopped, with its output going to
 * `logFile` rather than to a pipe that would break if this process died.
 */
export function spawnDetachedServer(spec: DetachedServerSpec): DetachedServer {
  const logFd = openSync(spec.logFile, "w");
  const child = spawn(spec.command, spec.args, { ...spec.options, detached: true, stdio: ["ignore", logFd, logFd] });
  closeSync(logFd);
  // A binary that cannot be launched (missing, not executable) is reported by an 'error' event and no
  // pid; unheard, that event would crash this process. `exited()` already treats it as an exit.
  child.on("error", () => {});
  const exited = () => child.exitCode !== null || child.signalCode !== null || child.pid === undefined;

  return {
    pid: child.pid,
    async waitUntilReady(probe, timeoutMs, intervalMs) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (exited()) return "exited";
        if (await probe()) return "ready";
        if (Date.now() > deadline) return "timed-out";
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
      }
    },
    async stop() {
      const { pid } = child;
      if (pid === undefined || exited()) return;
      await stopServerProcess(pid, spec.stopSignal, spec.stopGraceMs);
    },
  };
}
