import type { Deployment } from "@perimeter/db";

/**
 * A deployment as the audit log records it: the spec's environment values are replaced by `"***"`,
 * since a value such as a Hugging Face token may sit there under any name; the variable names stay.
 */
export function toDeploymentAuditView(deployment: Deployment): Record<string, unknown> {
  const spec = deployment.spec as { env?: Record<string, string> } | null;
  const env = spec?.env ? Object.fromEntries(Object.keys(spec.env).map((name) => [name, "***"])) : undefined;
  return { ...deployment, spec: env ? { ...spec, env } : spec };
}
