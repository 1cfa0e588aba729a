import {
  type ConfigResult,
  type EnvSource,
  loadConfigOrExit,
  parseConfig,
  postgresUrlVar,
  secretVar,
} from "@perimeter/runtime";
import { z } from "zod";

/** What the container bootstrap does, read once from its environment. */
export interface BootstrapConfig {
  databaseUrl: string;
  /** Needed to hash the admin token and the starter key; null when nothing is seeded. */
  perimeterSecret: string | null;
  /** The first organization and admin, created when the database has no organization yet. */
  firstAdmin: { orgName: string; email: string; password: string } | null;
  /** An `sk-prm-…` token registered as an admin-scope API key (for automation, the install guide's curl). */
  adminToken: string | null;
  /** A deployment of the built-in model kept as described (name, driver, replicas, spec). */
  modelDeployment: ModelDeploymentConfig | null;
  /** How long to wait for the database to answer (or, with --wait-for-schema, to be migrated). */
  waitTimeoutMs: number;
}

export interface ModelDeploymentConfig {
  name: string;
  driver: "kubernetes" | "docker" | "external";
  replicas: number;
  spec: Record<string, unknown>;
}

// The spec itself is validated by core's deploymentSpecSchema when the deployment is written, with the
// model's hardware profiles known; here only its outline is checked, so a typo fails at boot.
const modelDeploymentSchema = z.strictObject({
  name: z.string().min(1),
  driver: z.enum(["kubernetes", "docker", "external"]),
  replicas: z.int().min(0).max(64).default(1),
  spec: z.record(z.string(), z.unknown()).default({}),
});

const jsonVar = <T extends z.ZodType>(schema: T) =>
  z
    .string()
    .transform((value, check) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        check.addIssue({ code: "custom", message: "must be JSON" });
        return z.NEVER;
      }
    })
    .pipe(schema);

const bootstrapEnvSchema = z
  .object({
    DATABASE_URL: postgresUrlVar(),
    PERIMETER_SECRET: secretVar(32).optional(),
    PERIMETER_ORG_NAME: z.string().trim().min(1).max(200).default("Perimeter"),
    PERIMETER_ADMIN_EMAIL: z.string().default("admin@perimeter.local"),
    PERIMETER_ADMIN_PASSWORD: secretVar(12).optional(),
    PERIMETER_ADMIN_TOKEN: secretVar(1).optional(),
    PERIMETER_MODEL_DEPLOYMENT: jsonVar(modelDeploymentSchema).optional(),
    BOOTSTRAP_WAIT_TIMEOUT_MS: z
      .string()
      .regex(/^\d+$/, "must be a whole number of milliseconds")
      .transform(Number)
      .default(600_000),
  })
  .superRefine((env, check) => {
    // API keys are HMACs under a pepper derived from the secret: without it nothing can be seeded.
    const needsSecret = env.PERIMETER_ADMIN_PASSWORD !== undefined || env.PERIMETER_ADMIN_TOKEN !== undefined;
    if (needsSecret && env.PERIMETER_SECRET === undefined) {
      check.addIssue({ code: "custom", path: ["PERIMETER_SECRET"], message: "is required to seed an admin or token" });
    }
  })
  .transform(
    (env): BootstrapConfig => ({
      databaseUrl: env.DATABASE_URL,
      perimeterSecret: env.PERIMETER_SECRET ?? null,
      firstAdmin: env.PERIMETER_ADMIN_PASSWORD
        ? { orgName: env.PERIMETER_ORG_NAME, email: env.PERIMETER_ADMIN_EMAIL, password: env.PERIMETER_ADMIN_PASSWORD }
        : null,
      adminToken: env.PERIMETER_ADMIN_TOKEN ?? null,
      modelDeployment: env.PERIMETER_MODEL_DEPLOYMENT ?? null,
      waitTimeoutMs: env.BOOTSTRAP_WAIT_TIMEOUT_MS,
    }),
  );

/** Validates the bootstrap's variables; a failure is one line naming each bad variable, secrets hidden. */
export function parseBootstrapEnv(source: EnvSource): ConfigResult<BootstrapConfig> {
  return parseConfig(bootstrapEnvSchema, source);
}

/** Reads `process.env`, the only place the bootstrap does; exits 78 on a bad value. */
export function loadBootstrapConfig(): BootstrapConfig {
  return loadConfigOrExit(bootstrapEnvSchema, process.env);
}
