import { readFileSync } from "node:fs";
import { readFile, unlink } from "node:fs/promises";
import { ConfigError } from "./config-error.ts";

/**
 * True while a process with this id exists (as root this includes other users' processes). A negative
 * `pid` names a process group, as with kill(2): true while any process of the group is left.
 */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** The process's command line with arguments joined by spaces, or "" once it is gone. */
function processCommandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ").trim();
  } catch {
    return "";
  }
}

function parentPid(pid: number): number | undefined {
  try {
    // Field 4 of /proc/<pid>/stat; the command name (field 2) may contain spaces, so split after it.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[1]);
  } catch {
    return undefined;
  }
}

/** Resolves true once `pid` (negative: every process of that group) is gone, false when `timeoutMs` passed first. */
export async function waitForPidExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isProcessAlive(pid)) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return true;
}

/** Sends `signal` to `pid` (negative: a process group); one that is already gone is not an error. */
export function sendSignal(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "ESRCH") throw error;
  }
}

/**
 * Stops a server: `stopSignal` (its clean shutdown), then SIGKILL if it is still there after
 * `graceMs`. Resolves once it is gone, or 5 s after the SIGKILL.
 */
export async function stopServerProcess(pid: number, stopSignal: NodeJS.Signals, graceMs: number): Promise<void> {
  sendSignal(pid, stopSignal);
  if (!(await waitForPidExit(pid, graceMs))) {
    sendSignal(pid, "SIGKILL");
    await waitForPidExit(pid, 5_000);
  }
}

export interface StaleServerOptions {
  /** The server's pid file: Postgres's own `postmaster.pid`, or the one we write for Redis. */
  pidFile: string;
  /** A process is ours only if its command line contains this (pids get reused after a reboot). */
  commandIncludes: string;
  /** "embedded Postgres", for messages. */
  what: string;
  /** Signal that makes the server shut down cleanly. */
  stopSignal: NodeJS.Signals;
  log: (line: string) => void;
}

/**
 * Makes the pid file safe to start over: a server left running by a run that was killed (its parent
 * is gone, so it was re-parented) is shut down cleanly; a pid file whose process is gone or is some
 * other program is removed. A server still owned by a live Node process means another `npm start`
 * or `npm test` uses the same data directory, which is a configuration error rather than something
 * to kill.
 */
export async function reclaimStaleServer(options: StaleServerOptions): Promise<void> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(options.pidFile, "utf8")).split("\n")[0] ?? "", 10);
  } catch {
    return;
  }
  if (!Number.isInteger(pid) || pid <= 0 || !processCommandLine(pid).includes(options.commandIncludes)) {
    await unlink(options.pidFile).catch(() => {});
    return;
  }
  const parent = parentPid(pid);
  if (parent !== undefined && parent > 1 && /\bnode\b/.test(processCommandLine(parent))) {
    throw new ConfigError(
      `${options.what} for ${options.commandIncludes} is already running (pid ${pid}, started by pid ${parent}): stop the other npm start/npm test or set PERIMETER_DATA_DIR`,
    );
  }
  options.log(`stopping ${options.what} left running by an earlier run (pid ${pid})`);
  await stopServerProcess(pid, options.stopSignal, 30_000);
}
