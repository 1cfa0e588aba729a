import { spawn } from "node:child_process";
import { mkdir, open, readdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import path from "node:path";
import { randomBase32 } from "@perimeter/db";
import { closeServer, listen } from "@perimeter/runtime";
import type { DeploymentTarget } from "./deployment-target.ts";
import type { DeploymentDriver, DriverObservation, RenderedDeployment, ReplicaAction } from "./driver.ts";
import { portPlaceholder, renderSimulator, type SimulatorArtifact } from "./render-simulator.ts";

export interface SimulatorDriverOptions {
  /** The `vllm-sim` entry point run with this Node binary. */
  simulatorBin: string;
  /** Where replica records (`<deployment>/<replica>.json`) and their logs live. */
  runDir: string;
  host?: string;
  /** Passed to every replica: the simulator needs no more than `PATH`. */
  path: string;
}

/** What the driver remembers about a replica, on disk, so any worker on this host can observe it. */
interface ReplicaRecord {
  name: string;
  revision: string;
  pid: number;
  /** `/proc/<pid>/stat` field 22, so a recycled pid is never taken for our process. */
  procStartTime: string | null;
  endpoint: string;
  startedAt: string;
}

async function freePort(host: string): Promise<number> {
  const server = http.createServer();
  const url = await listen(server, 0, host);
  await closeServer(server);
  return Number(new URL(url).port);
}

async function procStartTime(pid: number): Promise<string | null> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, "utf8");
    // Fields after the parenthesised command name; a zombie has exited, whatever kill(0) says.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? "zombie" : (fields[19] ?? null);
  } catch {
    return null;
  }
}

async function isRunning(record: ReplicaRecord): Promise<boolean> {
  try {
    process.kill(record.pid, 0);
  } catch {
    return false;
  }
  const startTime = await procStartTime(record.pid);
  // Without /proc (not Linux) the signal check is all there is.
  return record.procStartTime === null ? startTime !== "zombie" : startTime === record.procStartTime;
}

function signal(record: ReplicaRecord, name: NodeJS.Signals): void {
  try {
    process.kill(record.pid, name);
  } catch {
    // Already gone: the next observation reports it exited.
  }
}

/**
 * Runs each replica as a local `vllm-sim` process on a free loopback port: the whole lifecycle
 * (closed port while "loading", ready, drain on SIGTERM, crash) without a GPU. This is what `npm
 * start` uses. Replica records live in `runDir`, so observation does not depend on which worker
 * process started them; the processes belong to this host only. They share the worker's process group,
 * so stopping the stack stops them too.
 */
export function createSimulatorDriver(options: SimulatorDriverOptions): DeploymentDriver {
  const host = options.host ?? "127.0.0.1";
  const dirOf = (target: DeploymentTarget) => path.join(options.runDir, target.id);

  async function readRecords(target: DeploymentTarget): Promise<ReplicaRecord[]> {
    let files: string[];
    try {
      files = await readdir(dirOf(target));
    } catch {
      return [];
    }
    const records: ReplicaRecord[] = [];
    for (const file of files.filter((name) => name.endsWith(".json")).sort()) {
      try {
        records.push(JSON.parse(await readFile(path.join(dirOf(target), file), "utf8")) as ReplicaRecord);
      } catch {
        // A record being written by another pass right now; it is read next time.
      }
    }
    return records;
  }

  async function startReplica(target: DeploymentTarget, rendered: RenderedDeployment): Promise<void> {
    const artifact = rendered.artifact as SimulatorArtifact;
    const port = `${await freePort(host)}`;
    const name = `sim-${rendered.revision.slice(0, 8)}-${randomBase32(5)}`;
    const dir = dirOf(target);
    await mkdir(dir, { recursive: true });
    const log = await open(path.join(dir, `${name}.log`), "a");
    const fill = (value: string) => value.replaceAll(portPlaceholder, port);
    const env = Object.fromEntries(Object.entries(artifact.env).map(([key, value]) => [key, fill(value)]));
    const child = spawn(process.execPath, [options.simulatorBin, ...artifact.args.map(fill)], {
      env: { PATH: options.path, ...env },
      stdio: ["ignore", log.fd, log.fd],
    });
    await log.close();
    child.unref();
    if (child.pid === undefined) throw new Error(`could not start ${options.simulatorBin}`);
    const record: ReplicaRecord = {
      name,
      revision: rendered.revision,
      pid: child.pid,
      procStartTime: await procStartTime(child.pid),
      endpoint: `http://${host}:${port}`,
      startedAt: new Date().toISOString(),
    };
    await writeFile(path.join(dir, `${name}.json`), JSON.stringify(record));
  }

  return {
    kind: "simulator",
    managesRollout: false,
    render: (target) => renderSimulator(target, host),

    async apply(target, rendered, actions: ReplicaAction[]) {
      const records = new Map((await readRecords(target)).map((record) => [record.name, record]));
      for (const action of actions) {
        const record = action.type === "start" ? undefined : records.get(action.name);
        if (action.type === "start") {
          for (let i = 0; i < action.count; i++) await startReplica(target, rendered);
        } else if (action.type === "terminate" && record) signal(record, "SIGTERM");
        else if (action.type === "kill" && record) signal(record, "SIGKILL");
        else if (action.type === "remove") {
          await rm(path.join(dirOf(target), `${action.name}.json`), { force: true });
          await rm(path.join(dirOf(target), `${action.name}.log`), { force: true });
        }
      }
    },

    async observe(target): Promise<DriverObservation> {
      const records = await readRecords(target);
      const replicas = await Promise.all(
        records.map(async (record) => ({
          name: record.name,
          revision: record.revision,
          endpoint: record.endpoint,
          phase: (await isRunning(record)) ? ("running" as const) : ("exited" as const),
          startedAt: new Date(record.startedAt),
        })),
      );
      return { resourcesExist: records.length > 0, replicas };
    },

    async delete(target) {
      for (const record of await readRecords(target)) if (await isRunning(record)) signal(record, "SIGKILL");
      await rm(dirOf(target), { recursive: true, force: true });
    },
  };
}
