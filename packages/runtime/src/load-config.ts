import type { z } from "zod";
import { isSecretVar } from "./env-schema.ts";

/** Where variables are read from: `process.env` at boot, a plain object in tests. */
export type EnvSource = Record<string, string | undefined>;

/** A parsed configuration, or one line naming every bad variable. A bad config is an outcome, not a bug. */
export type ConfigResult<Config> = { ok: true; config: Config } | { ok: false; message: string };

/**
 * A service's environment: an object of variables, optionally followed by a `.transform` that turns the
 * parsed variables into the service's config, so the names in the code need not be the variables'.
 */
export type EnvSchema = z.ZodObject | z.ZodPipe<z.ZodObject, z.ZodTransform>;

/** Exit status for a configuration error (`EX_CONFIG` from sysexits.h); the orchestrator relies on it. */
export const configErrorExitCode = 78;

function describeValue(raw: string, secret: boolean): string {
  if (secret) return `${raw.length} characters`;
  // Connection strings may carry a password; show the shape of the value without it.
  const shown = raw.replace(/(\/\/[^/:@]*:)[^/@]*@/, "$1***@");
  // A pasted blob must not turn the one-line message into a screenful.
  return JSON.stringify(shown.length > 100 ? `${shown.slice(0, 100)}…` : shown);
}

/**
 * Validates the variables `schema` names, reading only those from `env`; empty strings count as unset
 * (so defaults apply). Returns the schema's output. Never throws: a failure is one line with the first
 * problem of each bad variable, in schema order (`A is required; B must be … (got "…")`), with URL
 * passwords masked and the values of `secretVar` variables replaced by their length.
 */
export function parseConfig<Schema extends EnvSchema>(schema: Schema, env: EnvSource): ConfigResult<z.output<Schema>> {
  const shape = "shape" in schema ? schema.shape : schema.in.shape;
  const present = Object.fromEntries(Object.keys(shape).map((key) => [key, env[key] || undefined]));
  const result = schema.safeParse(present);
  // TypeScript widens the output of a schema typed by a union constraint to unknown; it is Schema's.
  if (result.success) return { ok: true, config: result.data as z.output<Schema> };
  const problems = new Map<string, string>();
  for (const issue of result.error.issues) {
    const key = String(issue.path[0]);
    if (problems.has(key)) continue;
    const raw = present[key];
    problems.set(
      key,
      raw === undefined
        ? `${key} is required`
        : `${key} ${issue.message} (got ${describeValue(raw, isSecretVar(shape[key]))})`,
    );
  }
  return { ok: false, message: [...problems.values()].join("; ") };
}

/**
 * `parseConfig` for a process that is booting: returns the schema's output, or prints
 * `config error: <message>` as one line on stderr and exits with `configErrorExitCode` (78). Call it
 * before anything has been started, since nothing is torn down.
 */
export function loadConfigOrExit<Schema extends EnvSchema>(schema: Schema, env: EnvSource): z.output<Schema> {
  const result = parseConfig(schema, env);
  if (result.ok) return result.config;
  process.stderr.write(`config error: ${result.message}\n`);
  process.exit(configErrorExitCode);
}
