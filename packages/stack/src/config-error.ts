/**
 * A problem the operator fixes by changing configuration or the machine (a bad URL, a missing binary).
 * Its message is exactly one line that names the variable or thing to fix; entry points print it
 * without a stack trace and exit with `configErrorExitCode` from @perimeter/runtime (78, EX_CONFIG),
 * like the services do.
 */
export class ConfigError extends Error {
  override name = "ConfigError";

  constructor(message: string) {
    super(message.replace(/\s*\n\s*/g, " ").trim());
  }
}
