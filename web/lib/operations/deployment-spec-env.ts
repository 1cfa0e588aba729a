/**
 * A deployment spec's `env` may hold credentials (a Hugging Face token under any name), so reads never
 * show its values: each reads as `maskedEnvValue`. An edit that sends the mask back keeps what is stored,
 * which lets a form or an API client round-trip a spec without ever seeing the secrets. Pure.
 */
export const maskedEnvValue = "***";

type Spec = Record<string, unknown>;

function envOf(spec: unknown): Record<string, unknown> | undefined {
  const env = (spec as Spec | null)?.env;
  return env && typeof env === "object" && !Array.isArray(env) ? (env as Record<string, unknown>) : undefined;
}

/** `spec` with every environment value replaced by the mask; the variable names stay. */
export function maskSpecEnv(spec: unknown): Spec {
  const copy: Spec = spec && typeof spec === "object" ? { ...(spec as Spec) } : {};
  const env = envOf(spec);
  if (env) copy.env = Object.fromEntries(Object.keys(env).map((name) => [name, maskedEnvValue]));
  return copy;
}

/** `next` with each masked environment value put back from `current` (same variable name). */
export function restoreMaskedEnv(next: Spec, current: unknown): Spec {
  const env = envOf(next);
  if (!env) return next;
  const stored = envOf(current) ?? {};
  const restored = Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      value === maskedEnvValue && typeof stored[name] === "string" ? stored[name] : value,
    ]),
  );
  return { ...next, env: restored };
}
