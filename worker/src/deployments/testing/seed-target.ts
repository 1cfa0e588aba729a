import { builtinModels, type DeploymentDriverKind, parseDeploymentSpec } from "@perimeter/core";
import type { DeploymentTarget } from "../deployment-target.ts";

/**
 * Test-only: the seed deployment (umans-coder-v0 from the built-in catalog) as the reconciler would
 * load it, without a database: the spec goes through the same validation and profile defaults.
 */
export function seedTarget(driver: DeploymentDriverKind, rawSpec: Record<string, unknown> = {}): DeploymentTarget {
  const model = builtinModels[0];
  if (!model) throw new Error("no built-in model");
  return {
    id: "dep_01kb0000000000000000000000",
    orgId: "org_01kb0000000000000000000000",
    name: "umans-coder",
    driver,
    generation: 1,
    replicas: 1,
    desiredState: "running",
    deleted: false,
    spec: parseDeploymentSpec(driver, rawSpec, model.hardwareProfiles),
    model: {
      id: "mdl_01kb0000000000000000000000",
      publicName: model.publicName,
      aliases: model.aliases,
      servedName: model.servedName,
      hfRepo: model.hfRepo,
      revision: model.revision ?? null,
      tokenizerMode: model.tokenizerMode ?? null,
      toolCallParser: model.toolCallParser ?? null,
      reasoningParser: model.reasoningParser ?? null,
      enableAutoToolChoice: model.enableAutoToolChoice,
      contextLength: model.contextLength,
      defaultImage: model.defaultImage ?? null,
      serveCommand: model.serveCommand,
    },
  };
}
