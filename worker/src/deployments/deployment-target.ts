import { type DeploymentDriverKind, type DeploymentSpec, parseDeploymentSpec } from "@perimeter/core";
import type { Db, DeploymentReplica } from "@perimeter/db";

/** The catalog fields a driver needs to start vLLM for a deployment's model. */
export interface TargetModel {
  id: string;
  publicName: string;
  aliases: string[];
  servedName: string;
  hfRepo: string;
  revision: string | null;
  tokenizerMode: string | null;
  toolCallParser: string | null;
  reasoningParser: string | null;
  enableAutoToolChoice: boolean;
  contextLength: number;
  defaultImage: string | null;
  serveCommand: string[];
  /** The model reads images: a simulator replica plays a vision model (`vllm-sim --vision`). */
  supportsVision?: boolean;
}

/** Everything one reconcile pass knows about the desired state of a deployment. */
export interface DeploymentTarget {
  id: string;
  orgId: string;
  name: string;
  driver: DeploymentDriverKind;
  generation: number;
  /** Replicas wanted now: 0 when stopped or deleted. */
  replicas: number;
  desiredState: "running" | "sleeping" | "stopped";
  deleted: boolean;
  spec: DeploymentSpec;
  model: TargetModel;
}

export interface LoadedDeployment {
  target: DeploymentTarget;
  /** The status the previous pass wrote. */
  previous: { statusDetail: Record<string, unknown> };
  replicaRows: DeploymentReplica[];
}

/**
 * Reads a deployment, its model and its replica rows and resolves them into a target; null once the
 * row is gone (purged). A stored spec that no longer validates throws a `ZodError`, which the
 * reconciler reports as `InvalidSpec`.
 */
export async function loadDeployment(db: Db, deploymentId: string): Promise<LoadedDeployment | null> {
  const row = await db.deployment.findUnique({ where: { id: deploymentId }, include: { model: true, replicas: true } });
  if (!row) return null;
  const { model } = row;
  const deleted = row.deletedAt !== null;
  const running = !deleted && row.desiredState === "running";
  return {
    target: {
      id: row.id,
      orgId: row.orgId,
      name: row.name,
      driver: row.driver,
      generation: row.generation,
      replicas: running ? row.desiredReplicas : 0,
      desiredState: row.desiredState,
      deleted,
      spec: parseDeploymentSpec(row.driver, row.spec, model.hardwareProfiles),
      model: {
        id: model.id,
        publicName: model.publicName,
        aliases: model.aliases,
        servedName: model.servedName,
        hfRepo: model.hfRepo,
        revision: model.revision,
        tokenizerMode: model.tokenizerMode,
        toolCallParser: model.toolCallParser,
        reasoningParser: model.reasoningParser,
        enableAutoToolChoice: model.enableAutoToolChoice,
        contextLength: model.contextLength,
        defaultImage: model.defaultImage,
        serveCommand: model.serveCommand,
        supportsVision: model.supportsVision,
      },
    },
    previous: { statusDetail: (row.statusDetail ?? {}) as Record<string, unknown> },
    replicaRows: row.replicas,
  };
}
