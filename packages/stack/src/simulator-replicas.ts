import { readdir, readFile } from "node:fs/promises";
import path from "node:path";

/** The process ids the worker's simulator driver recorded under `runDir` (`<deployment>/<replica>.json`). */
async function recordedPids(runDir: string): Promise<number[]> {
  const pids: number[] = [];
  for (const deployment of await readdir(runDir).catch(() => [])) {
    for (const file of await readdir(path.join(runDir, deployment)).catch(() => [])) {
      if (!file.endsWith(".json")) continue;
      try {
        const record = JSON.parse(await readFile(path.join(runDir, deployment, file), "utf8")) as { pid?: unknown };
        if (typeof record.pid === "number") pids.push(record.pid);
      } catch {
        // a record being written or removed
      }
    }
  }
  return pids;
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch {
    // exited in the meantime
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops the `vllm-sim` replicas the worker started for this stack. They outlive the worker by design (a
 * worker restart must not restart the model), so the stack, which started the worker, stops them on
 * Ctrl-C: SIGTERM, then SIGKILL after `graceMs`. The next start's worker brings them back.
 */
export async function stopSimulatorReplicas(runDir: string, graceMs = 5_000): Promise<number> {
  const pids = (await recordedPids(runDir)).filter(alive);
  for (const pid of pids) signal(pid, "SIGTERM");
  const deadline = Date.now() + graceMs;
  while (pids.some(alive) && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
  for (const pid of pids.filter(alive)) signal(pid, "SIGKILL");
  return pids.length;
}
