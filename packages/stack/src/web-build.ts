import { spawn } from "node:child_process";
import path from "node:path";

export interface WebBuildOptions {
  rootDir: string;
  env: Record<string, string | undefined>;
  log: (line: string) => void;
  /** Aborting kills the build. */
  signal?: AbortSignal;
}

function run(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string | undefined>,
  signal: AbortSignal | undefined,
) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn(command, args, { cwd, env, signal, killSignal: "SIGTERM", stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (chunk) => {
      output += chunk;
    });
    child.stderr.on("data", (chunk) => {
      output += chunk;
    });
    child.once("error", (error) => resolve({ code: null, output: `${output}\n${error.message}` }));
    child.once("close", (code) => resolve({ code, output }));
  });
}

function tail(output: string, count: number): string {
  return output
    .split("\n")
    .filter((line) => line.trim() !== "")
    .slice(-count)
    .map((line) => `  ${line}`)
    .join("\n");
}

/**
 * Makes sure `web/.next` holds a production build of the dashboard. Turbo skips the build (and
 * restores it from its local cache) when no input changed, so this costs a second on later starts.
 * If turbo itself cannot run, `next build` is run directly. Output is shown only when the build fails.
 */
export async function buildWeb({ rootDir, env, log, signal }: WebBuildOptions): Promise<void> {
  const buildEnv = {
    ...env,
    NEXT_TELEMETRY_DISABLED: "1",
    TURBO_TELEMETRY_DISABLED: "1",
    TURBO_NO_UPDATE_NOTIFIER: "1",
    DO_NOT_TRACK: "1",
  };
  const started = Date.now();
  log("building the dashboard (turbo cache; the first build takes a minute or two)");
  const turbo = path.join(rootDir, "node_modules", ".bin", "turbo");
  // Loose env mode: turbo's strict default would hide NEXT_TELEMETRY_DISABLED from `next build`.
  const viaTurbo = await run(
    turbo,
    ["run", "build", "--filter=@perimeter/web", "--env-mode=loose", "--output-logs=errors-only"],
    rootDir,
    buildEnv,
    signal,
  );
  signal?.throwIfAborted();
  let result = viaTurbo;
  // A task failure is reported by turbo as such; anything else means turbo could not do its job.
  if (viaTurbo.code !== 0 && !/run failed|command .* exited|Failed:/i.test(viaTurbo.output)) {
    log("turbo could not run the build; running next build directly");
    const next = path.join(rootDir, "node_modules", ".bin", "next");
    result = await run(next, ["build"], path.join(rootDir, "web"), buildEnv, signal);
    signal?.throwIfAborted();
  }
  if (result.code !== 0) {
    throw new Error(`building the dashboard failed (code ${result.code}); last lines:\n${tail(result.output, 30)}`);
  }
  const cached = /FULL TURBO|cache hit/i.test(result.output);
  log(`dashboard build ${cached ? "up to date" : "done"} (${Math.round((Date.now() - started) / 1000)} s)`);
}
