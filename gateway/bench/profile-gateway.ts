// `BENCH_PROFILE=<shape>`: a fresh gateway under `node --cpu-prof`, loaded with one shape; the profile is
// summarised over the load window only (start-up and shutdown left out) and kept for DevTools.

import { copyFile, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { logTail } from "./bench-processes.ts";
import type { RunProcesses, Target } from "./bench-targets.ts";
import { type CpuProfile, type ProfileWindow, summarizeProfile } from "./cpu-profile.ts";
import type { GeneratorClient } from "./generator-client.ts";
import type { LoadJob } from "./load-job.ts";
import type { LoadShape } from "./load-shapes.ts";
import { formatNumber, renderProfile } from "./report.ts";

export interface ProfileInput {
  processes: RunProcesses;
  generator: GeneratorClient;
  upstream: string;
  shape: LoadShape;
  seconds: number;
  jobFor: (target: Target, shape: LoadShape, timing: { warmupMs: number; durationMs: number }) => LoadJob;
  rootDir: string;
  workDir: string;
  /** Where the profile is kept. */
  dataDir: string;
  log: (line: string) => void;
}

/** Runs the profile and returns the printed summary. */
export async function profileGateway(input: ProfileInput): Promise<string> {
  const { shape, seconds } = input;
  const profileDir = path.join(input.workDir, "cpu-prof");
  const gateway = await input.processes.startGateway(input.upstream, "gateway-profiled", [
    "--cpu-prof",
    `--cpu-prof-dir=${profileDir}`,
  ]);
  input.log(`profiling the gateway (pid ${gateway.proc.pid}) under node --cpu-prof: ${shape.name} for ${seconds} s`);
  // The profile's clock is the monotonic one `process.hrtime` reads, in microseconds.
  const now = () => Number(process.hrtime.bigint() / 1000n);
  const window: ProfileWindow = { startMicros: 0, endMicros: Number.POSITIVE_INFINITY };
  const result = await input.generator.run(
    input.jobFor(gateway, shape, { warmupMs: 1_000, durationMs: seconds * 1000 }),
    (edge) => {
      if (edge === "start") window.startMicros = now();
      else window.endMicros = now();
    },
  );
  // The profile is written as the process exits.
  await gateway.proc.stop();
  const file = (await readdir(profileDir)).find((name) => name.endsWith(".cpuprofile"));
  if (!file) throw new Error(`the profiled gateway wrote no .cpuprofile:\n${logTail(gateway.proc)}`);
  const kept = path.join(input.dataDir, `gateway-${shape.name}.cpuprofile`);
  await copyFile(path.join(profileDir, file), kept);
  const profile = JSON.parse(await readFile(kept, "utf8")) as CpuProfile;
  const summary = summarizeProfile(profile, `${pathToFileURL(input.rootDir).href}/`, { window });
  const title =
    `gateway CPU profile: ${shape.name}, ${result.completed} answers in ${seconds} s ` +
    `(${formatNumber(result.completed / seconds, 0)} rps under the profiler, ${result.errors} errors)`;
  return [
    renderProfile(title, summary, result.completed),
    "",
    `profile kept in ${path.relative(input.rootDir, kept)} (open it in Chrome DevTools › Performance)`,
  ].join("\n");
}
