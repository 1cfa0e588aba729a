// The processes of a run — the simulator, the targets, the load generator — each its own Node process
// with its output in a log file, stopped by its own pid.

import { type ChildProcess, fork, spawn } from "node:child_process";
import { closeSync, openSync, readFileSync } from "node:fs";
import { setTimeout as delay } from "node:timers/promises";
import { request } from "undici";

export interface ProcessSpec {
  name: string;
  /** A TypeScript entry point, run through tsx's loader (`tsxLoader`) like every service of the stack. */
  script: string;
  tsxLoader: string;
  args?: string[];
  /** Node flags before the loader (`--cpu-prof`, …). */
  nodeFlags?: string[];
  cwd: string;
  env: Record<string, string>;
  logFile: string;
  /** Fork with an IPC channel (the load generator). */
  ipc?: boolean;
}

export interface RunningProcess {
  name: string;
  pid: number;
  child: ChildProcess;
  logFile: string;
  /** Set once it has exited: its code, or the signal that ended it. */
  exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  /** SIGTERM, then SIGKILL if it is still there after `graceMs`. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<RunningProcess>();
// Whatever ends the benchmark, no child outlives it.
process.on("exit", () => {
  for (const proc of running) if (!proc.exit) proc.child.kill("SIGKILL");
});

export function startProcess(spec: ProcessSpec): RunningProcess {
  const log = openSync(spec.logFile, "w");
  const execArgv = [...(spec.nodeFlags ?? []), "--import", spec.tsxLoader];
  const options = { cwd: spec.cwd, env: spec.env, stdio: ["ignore", log, log] as ("ignore" | number)[] };
  const child = spec.ipc
    ? fork(spec.script, spec.args ?? [], {
        ...options,
        execArgv,
        stdio: ["ignore", log, log, "ipc"],
        serialization: "advanced",
      })
    : spawn(process.execPath, [...execArgv, spec.script, ...(spec.args ?? [])], options);
  closeSync(log);
  if (child.pid === undefined) throw new Error(`${spec.name}: could not be started`);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const proc: RunningProcess = {
    name: spec.name,
    pid: child.pid,
    child,
    logFile: spec.logFile,
    exit: undefined,
    async stop(graceMs = 10_000) {
      if (proc.exit) return;
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
  child.once("exit", (code, signal) => {
    proc.exit = { code, signal };
    running.delete(proc);
  });
  running.add(proc);
  return proc;
}

/** The last `count` lines of a process's log, for an error message. */
export function logTail(proc: RunningProcess, count = 15): string {
  try {
    return readFileSync(proc.logFile, "utf8").trimEnd().split("\n").slice(-count).join("\n");
  } catch {
    return "(no log)";
  }
}

/** Resolves once `url` answers 200; rejects when `proc` exits first or `timeoutMs` passes. */
export async function waitForHttp(url: string, proc: RunningProcess, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last = "no answer";
  while (Date.now() < deadline) {
    if (proc.exit) throw new Error(`${proc.name} exited (${proc.exit.code ?? proc.exit.signal}):\n${logTail(proc)}`);
    try {
      const reply = await request(url, { signal: AbortSignal.timeout(2_000) });
      await reply.body.dump();
      if (reply.statusCode === 200) return;
      last = `status ${reply.statusCode}`;
    } catch (error) {
      last = (error as Error).message;
    }
    await delay(100);
  }
  throw new Error(`${proc.name}: ${url} did not answer 200 within ${timeoutMs} ms (${last}):\n${logTail(proc)}`);
}
