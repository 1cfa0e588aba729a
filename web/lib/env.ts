import path from "node:path";
import {
  type ConfigResult,
  type EnvSource,
  httpUrlVar,
  loadConfigOrExit,
  parseConfig,
  postgresUrlVar,
  redisUrlVar,
  secretVar,
} from "@perimeter/runtime";
import { z } from "zod";

/** A generic OpenID Connect provider (Keycloak, Okta, Entra ID, …) for dashboard sign-in. */
export interface OidcConfig {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Email domains whose people may sign in without an invitation (lower-case, no @). */
  allowedDomains: string[];
  /** What the sign-in button says. */
  displayName: string;
}

/** Everything the web app reads from its environment. The port comes from `next start -p`. */
export interface WebConfig {
  databaseUrl: string;
  redisUrl: string;
  /** Master secret (≥ 32 characters); sessions and API-key hashes derive from it. Never logged. */
  perimeterSecret: string;
  /** Gateway base URL developers paste into Claude Code as `ANTHROPIC_BASE_URL`. */
  gatewayPublicUrl: string;
  /** Where the dashboard's server reaches the gateway for "test the connection". */
  gatewayInternalUrl: string;
  /**
   * The dashboard's public URL, for invitation links, the OIDC redirect URI and Secure cookies
   * (https). Null: taken from each request's Host and X-Forwarded-Proto headers.
   */
  webPublicUrl: string | null;
  oidc: OidcConfig | null;
  /** Absolute directory of export files and manifests: the worker writes them, the web serves them. */
  exportDir: string;
}

const trimmedUrl = () => httpUrlVar().transform((value) => value.replace(/\/+$/, ""));

const domainList = z
  .string()
  .transform((value) =>
    value
      .split(",")
      .map((domain) => domain.trim().toLowerCase().replace(/^@/, ""))
      .filter(Boolean),
  )
  .refine(
    (domains) => domains.every((domain) => /^[a-z0-9-]+(\.[a-z0-9-]+)+$/.test(domain)),
    "must be a comma-separated list of email domains such as example.com",
  );

/**
 * Where relative data paths resolve, as for the worker and `npm start`: the repository root, the
 * parent of web/ in which `next` runs.
 */
function repositoryRoot(): string {
  return path.resolve(process.cwd(), "..");
}

/** The web app's variables, mapped to its config once they are valid; relative paths resolve against `rootDir`. */
const webEnvSchema = (rootDir: string) =>
  z
    .object({
      DATABASE_URL: postgresUrlVar(),
      REDIS_URL: redisUrlVar(),
      PERIMETER_SECRET: secretVar(32),
      GATEWAY_PUBLIC_URL: trimmedUrl().default("http://localhost:4000"),
      GATEWAY_INTERNAL_URL: trimmedUrl().optional(),
      WEB_PUBLIC_URL: trimmedUrl().optional(),
      OIDC_ISSUER: trimmedUrl().optional(),
      OIDC_CLIENT_ID: z.string().optional(),
      OIDC_CLIENT_SECRET: secretVar(1).optional(),
      OIDC_ALLOWED_DOMAINS: domainList.optional(),
      OIDC_DISPLAY_NAME: z.string().max(60).default("Single sign-on"),
      PERIMETER_DATA_DIR: z.string().default(".data"),
      PERIMETER_EXPORT_DIR: z.string().optional(),
    })
    .superRefine((env, check) => {
      const oidcSet = [env.OIDC_ISSUER, env.OIDC_CLIENT_ID, env.OIDC_CLIENT_SECRET].some((v) => v !== undefined);
      if (!oidcSet) return;
      for (const key of ["OIDC_ISSUER", "OIDC_CLIENT_ID", "OIDC_CLIENT_SECRET", "WEB_PUBLIC_URL"] as const) {
        // The identity provider redirects back to WEB_PUBLIC_URL, so it cannot be guessed from a request.
        if (env[key] === undefined) check.addIssue({ code: "custom", path: [key], message: "is required" });
      }
    })
    .transform(
      (env): WebConfig => ({
        databaseUrl: env.DATABASE_URL,
        redisUrl: env.REDIS_URL,
        perimeterSecret: env.PERIMETER_SECRET,
        gatewayPublicUrl: env.GATEWAY_PUBLIC_URL,
        gatewayInternalUrl: env.GATEWAY_INTERNAL_URL ?? env.GATEWAY_PUBLIC_URL,
        webPublicUrl: env.WEB_PUBLIC_URL ?? null,
        oidc:
          env.OIDC_ISSUER && env.OIDC_CLIENT_ID && env.OIDC_CLIENT_SECRET
            ? {
                issuer: env.OIDC_ISSUER,
                clientId: env.OIDC_CLIENT_ID,
                clientSecret: env.OIDC_CLIENT_SECRET,
                allowedDomains: env.OIDC_ALLOWED_DOMAINS ?? [],
                displayName: env.OIDC_DISPLAY_NAME,
              }
            : null,
        exportDir: path.resolve(rootDir, env.PERIMETER_EXPORT_DIR ?? path.join(env.PERIMETER_DATA_DIR, "exports")),
      }),
    );

/**
 * Validates the web app's variables in `source` (relative paths resolve against `rootDir`, by default
 * the repository root). Empty strings count as unset. A failure comes back as
 * one line naming every bad variable, with secrets and passwords left out.
 */
export function parseWebEnv(source: EnvSource, rootDir = repositoryRoot()): ConfigResult<WebConfig> {
  return parseConfig(webEnvSchema(rootDir), source);
}

class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Reads the configuration from `process.env`, the only place the web app does. Called lazily (see
 * `lib/services.ts`) so `next build` needs no environment; throws `ConfigError` on a bad value.
 * next-auth reads its base URL from `NEXTAUTH_URL` itself; when WEB_PUBLIC_URL is set, it is handed
 * over here so the two can never disagree.
 */
export function readWebConfig(): WebConfig {
  const result = parseWebEnv(process.env);
  if (!result.ok) throw new ConfigError(result.message);
  if (result.config.webPublicUrl) process.env.NEXTAUTH_URL = `${result.config.webPublicUrl}/api/auth`;
  return result.config;
}

/**
 * Boot-time check for `next start` (called from `instrumentation.ts`): on a bad value, prints one line
 * to stderr and exits 78, like the other services. Skipped while `next build` loads the app.
 */
export function exitOnInvalidEnv(): void {
  if (process.env.NEXT_PHASE === "phase-production-build") return;
  loadConfigOrExit(webEnvSchema(repositoryRoot()), process.env);
}
