// CPU and memory counters of the processes under load, read from /proc (Linux), and of Redis from its
// own INFO. Sampled when a measured window opens and closes; the differences are the window's cost.

import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import type { Redis } from "ioredis";

/** Clock ticks per second of /proc's CPU times (`getconf CLK_TCK`; 100 on every common kernel). */
export const clockTicksPerSecond = (() => {
  const value = Number(spawnSync("getconf", ["CLK_TCK"], { encoding: "utf8" }).stdout?.trim());
  return Number.isFinite(value) && value > 0 ? value : 100;
})();

/**
 * CPU time (user + system, all threads) a process has used, in microseconds; undefined once it is gone.
 * Fields 14 and 15 of /proc/<pid>/stat, counted after the parenthesised command name (proc(5)).
 */
function processCpuMicros(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1_000_000) / clockTicksPerSecond;
  } catch {
    return undefined;
  }
}

/** Resident set size of a process in MB (`VmRSS` of /proc/<pid>/status). */
export function processRssMb(pid: number): number | undefined {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

/** The machine's CPU time so far, from the `cpu` line of /proc/stat, in ticks summed over all cores. */
export interface MachineTicks {
  total: number;
  idle: number;
  steal: number;
}

function machineTicks(): MachineTicks {
  const line = readFileSync("/proc/stat", "utf8").split("\n", 1)[0] ?? "";
  // user nice system idle iowait irq softirq steal guest guest_nice; guest time is already in user.
  const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = line
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return { total: user + nice + system + idle + iowait + irq + softirq + steal, idle: idle + iowait, steal };
}

/** CPU time Redis has used (`used_cpu_user` + `used_cpu_sys` of INFO cpu), in microseconds. */
async function redisCpuMicros(redis: Redis): Promise<number | undefined> {
  try {
    const info = await redis.info("cpu");
    const field = (name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, "m").exec(info)?.[1] ?? Number.NaN);
    const seconds = field("used_cpu_user") + field("used_cpu_sys");
    return Number.isFinite(seconds) ? seconds * 1_000_000 : undefined;
  } catch {
    return undefined;
  }
}

/** What is sampled at each edge of a window. */
export interface Sample {
  atMs: number;
  machine: MachineTicks;
  /** CPU µs of each watched process, by name. */
  cpu: Record<string, number | undefined>;
  redisCpu: number | undefined;
}

export async function takeSample(pids: Record<string, number>, redis: Redis): Promise<Sample> {
  const redisCpu = await redisCpuMicros(redis);
  const cpu: Record<string, number | undefined> = {};
  for (const [name, pid] of Object.entries(pids)) cpu[name] = processCpuMicros(pid);
  return { atMs: performance.now(), machine: machineTicks(), cpu, redisCpu };
}
