// `npm start` (through bootstrap.mjs): provision, migrate, seed, build and run the whole stack in the
// foreground until Ctrl-C. Exit codes: 0 after Ctrl-C, 78 for a configuration error, 1 otherwise.
import path from "node:path";
import { configErrorExitCode, errorMessage } from "@perimeter/runtime";
import {
  ConfigError,
  describeExit,
  formatReadyBanner,
  parseStartConfig,
  type RunningStack,
  type StartConfig,
  startStack,
} from "@perimeter/stack";

const rootDir = path.resolve(import.meta.dirname, "..");

// `npm start | tee log` ends tee with the same Ctrl-C that stops us, so our next writes fail with EPIPE.
// A lost log line must never abort the shutdown and strand Postgres, Redis or a service.
for (const stream of [process.stdout, process.stderr]) stream.on("error", () => {});
const log = (line: string) => console.log(`[perimeter] ${line}`);
const output = { stdout: (line: string) => console.log(line), stderr: (line: string) => console.error(line) };

function report(error: unknown): number {
  // One line for configuration errors, and no stack traces for anything: they are for bug reports.
  console.error(`perimeter: ${errorMessage(error)}`);
  return error instanceof ConfigError ? configErrorExitCode : 1;
}

async function main(): Promise<number> {
  let config: StartConfig;
  try {
    config = parseStartConfig(process.env, rootDir);
  } catch (error) {
    return report(error);
  }

  // Listening from the start, so Ctrl-C during provisioning also stops what was started. A repeated
  // signal (the terminal and bootstrap.mjs both deliver Ctrl-C) changes nothing.
  const controller = new AbortController();
  const stopRequested = new Promise<NodeJS.Signals>((resolve) => {
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => resolve(signal));
    // Our parent (bootstrap.mjs) was killed outright: nobody is left to stop us, so stop now.
    const parentPid = process.ppid;
    setInterval(() => {
      if (process.ppid !== parentPid) resolve("SIGHUP");
    }, 1_000).unref();
  });
  void stopRequested.then((signal) => {
    log(`${signal} received; stopping`);
    controller.abort(new Error(`stopped by ${signal}`));
  });

  let stack: RunningStack;
  try {
    stack = await startStack(config, { log, output, signal: controller.signal });
  } catch (error) {
    if (controller.signal.aborted) {
      log("stopped");
      return 0;
    }
    return report(error);
  }

  log(
    `processes: ${Object.entries(stack.pids)
      .map(([name, pid]) => `${name} ${pid}`)
      .join(", ")}`,
  );
  console.log(
    formatReadyBanner({
      webUrl: stack.webUrl,
      gatewayUrl: stack.gatewayUrl,
      adminEmail: stack.seed.email,
      generatedPassword: stack.seed.generatedPassword,
      passwordFromEnv: stack.seed.created && config.adminPassword !== undefined,
      starterKey: stack.seed.starterKey,
      model: config.gatewayModel,
    }),
  );

  const outcome = await Promise.race([stopRequested.then(() => undefined), stack.unexpectedExit.then((exit) => exit)]);
  if (outcome) {
    console.error(`perimeter: ${outcome.name} ${describeExit(outcome)}; stopping everything`);
    await stack.stop();
    return 1;
  }
  await stack.stop();
  log("stopped");
  return 0;
}

process.on("unhandledRejection", (reason) => {
  console.error(`perimeter: unexpected error: ${reason instanceof Error ? reason.stack : String(reason)}`);
});
process.exit(await main());
