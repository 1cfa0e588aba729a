import { type ChildProcessByStdio, spawn } from "node:child_process";
import { once } from "node:events";
import type { Readable } from "node:stream";

export type SpawnServiceOptions = {
  /** The workspace whose entry point runs; relative `args` resolve against it. */
  cwd: string;
  /**
   * The child's whole environment, apart from `PATH`, which is passed through from the test process.
   * Typed as `ProcessEnv`, which `spawn` takes, because Next.js's types (web's tests load them) make
   * `NODE_ENV` a required member of it.
   */
  env: NodeJS.ProcessEnv;
  /** Arguments to `node`; by default the service's `src/main.ts` through tsx, the way `npm start` runs it. */
  args?: string[];
};

export type SpawnedService = {
  child: ChildProcessByStdio<null, Readable, Readable>;
  /** Resolves with the exit code and signal once the process has exited. */
  exit: Promise<[number | null, NodeJS.Signals | null]>;
  /** Everything the process has written so far. */
  output: () => { stdout: string; stderr: string };
  /** Resolves once stdout matches `pattern`, with its first capture group (or the whole match). */
  logged: (pattern: RegExp) => Promise<string>;
  /** Resolves with the URL from the service's `listening` log line (see `listen` and `createLogger`). */
  listening: () => Promise<string>;
};

const listeningLine = /"msg":"listening","url":"([^"]+)"/;

/**
 * Test support: starts a service as its own Node process, with exactly the given environment so the
 * test process's variables never leak into the config under test, and collects its stdout and stderr.
 * `logged` and `listening` reject, quoting the output so far, if the process exits before the line
 * appears. The caller stops the process (for instance with `child.kill("SIGTERM")`) and awaits `exit`.
 */
export function spawnService({
  cwd,
  env,
  args = ["--import", "tsx", "src/main.ts"],
}: SpawnServiceOptions): SpawnedService {
  const child = spawn(process.execPath, args, {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    stdout += chunk.toString();
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  const exit = once(child, "exit") as Promise<[number | null, NodeJS.Signals | null]>;

  const logged = async (pattern: RegExp): Promise<string> => {
    const exitedFirst = exit.then(() => {
      throw new Error(`process exited before logging ${pattern}: ${stdout}${stderr}`);
    });
    // The race below observes this rejection; when the line is already there it is never raced, and
    // the later exit must not surface as an unhandled rejection.
    exitedFirst.catch(() => {});
    while (true) {
      const match = stdout.match(pattern);
      if (match) return match[1] ?? match[0];
      await Promise.race([once(child.stdout, "data"), exitedFirst]);
    }
  };

  return {
    child,
    exit,
    output: () => ({ stdout, stderr }),
    logged,
    listening: () => logged(listeningLine),
  };
}
