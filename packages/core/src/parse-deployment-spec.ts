import { z } from "zod";
import {
  type DeploymentDriverKind,
  type DeploymentSpec,
  deploymentDriverSchema,
  deploymentSpecSchema,
  driverSpecIssues,
} from "./deployment-spec.ts";
import { type HardwareProfile, hardwareProfileSchema } from "./model-fields.ts";

const specForDriverSchema = z
  .strictObject({ driver: deploymentDriverSchema, spec: deploymentSpecSchema })
  .superRefine(({ driver, spec }, check) => {
    for (const message of driverSpecIssues(driver, spec)) check.addIssue({ code: "custom", path: ["spec"], message });
  });

/**
 * Validates a deployment spec for `driver`, throwing a `ZodError` whose paths start at `spec`. A
 * GPU driver's spec that names no `gpu` takes the model's first hardware profile (8×H200 at TP 8
 * for `umans-coder-v0`), so the common case needs no hardware knowledge from the admin.
 */
export function parseDeploymentSpec(
  driver: DeploymentDriverKind,
  rawSpec: unknown,
  hardwareProfiles: unknown,
): DeploymentSpec {
  const given = (rawSpec ?? {}) as Record<string, unknown>;
  const profiles = z.array(hardwareProfileSchema).safeParse(hardwareProfiles);
  const profile: HardwareProfile | undefined = profiles.success ? profiles.data[0] : undefined;
  const needsGpus = driver === "kubernetes" || driver === "docker";
  const filled =
    needsGpus && profile && typeof given === "object" && given.gpu === undefined
      ? {
          ...given,
          gpu: { type: profile.gpuType, count: profile.gpuCount },
          parallelism: { tensor: profile.tensorParallel, ...(given.parallelism as object | undefined) },
        }
      : given;
  return specForDriverSchema.parse({ driver, spec: filled }).spec;
}
