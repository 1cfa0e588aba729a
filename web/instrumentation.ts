/**
 * Runs once when `next start` boots: validates the environment so a bad value stops the process with
 * one line and exit code 78, like the gateway and the worker, instead of failing on the first request.
 */
export async function register(): Promise<void> {
  // NEXT_RUNTIME is replaced at compile time, which keeps the Node-only check out of edge bundles.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { exitOnInvalidEnv } = await import("./lib/env");
  exitOnInvalidEnv();
}
