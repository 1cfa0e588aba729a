import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { sendSignal, waitForPidExit } from "./process-liveness.ts";

export interface ServiceSpec {
  /** Short name used as the log prefix (`[gateway] …`) and in messages. */
  name: string;
  command: string;
  args: string[];
  cwd: string;
  env: Record<string, string | undefined>;
}

export interface ServiceExit {
  name: string;
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** "exited with code 1" or "was killed by SIGKILL", for messages. */
export function describeExit(exit: ServiceExit): string {
  return exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code ?? "unknown"}`;
}

export interface RunningService {
  name: string;
  /** Also the process group id: each service leads its own group. */
  pid: number;
  /** Settles when the service's main process exits, for whatever reason. */
  exited: Promise<ServiceExit>;
  /** The last lines it printed (stdout and stderr interleaved), for failure messages. */
  recentLines(): string[];
  /** SIGTERM to the whole group, SIGKILL after `graceMs`; resolves once no process of the group is left. */
  stop(graceMs?: number): Promise<void>;
}

export interface ServiceOutput {
  stdout: (line: string) => void;
  stderr: (line: string) => void;
}

const keptLines = 40;

/**
 * Starts a service in its own process group, so that Ctrl-C in the terminal reaches only the
 * orchestrator, which then stops services in order, and so that stopping one also stops whatever
 * it spawned (Next.js forks workers). Each output line is passed on prefixed with `[name] `.
 */
export function spawnService(spec: ServiceSpec, output: ServiceOutput): RunningService {
  const child = spawn(spec.command, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
  });
  const recent: string[] = [];
  const relay = (stream: NodeJS.ReadableStream, write: (line: string) => void) => {
    createInterface({ input: stream, crlfDelay: Number.POSITIVE_INFINITY }).on("line", (line) => {
      recent.push(line);
      if (recent.length > keptLines) recent.shift();
      write(`[${spec.name}] ${line}`);
    });
  };
  relay(child.stdout, output.stdout);
  relay(child.stderr, output.stderr);

  const exited = new Promise<ServiceExit>((resolve) => {
    child.once("error", (error) => {
      recent.push(`cannot start ${spec.command}: ${error.message}`);
      resolve({ name: spec.name, code: null, signal: null });
    });
    child.once("exit", (code, signal) => resolve({ name: spec.name, code, signal }));
  });
  const pid = child.pid ?? -1;

  return {
    name: spec.name,
    pid,
    exited,
    recentLines: () => [...recent],
    async stop(graceMs = 10_000) {
      if (pid <= 0) return;
      // The negative pid addresses the whole group the service leads.
      sendSignal(-pid, "SIGTERM");
      if (!(await waitForPidExit(-pid, graceMs))) {
        output.stderr(`[${spec.name}] still running after ${graceMs / 1000} s; killing it`);
        sendSignal(-pid, "SIGKILL");
        await waitForPidExit(-pid, 2_000);
      }
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 1_000))]);
    },
  };
}
