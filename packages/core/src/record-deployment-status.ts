import { type DeploymentPhase, newId, type Prisma } from "@perimeter/db";
import { z } from "zod";
import { appendAuditEvent } from "./append-audit-event.ts";
import { currentTime, type OrgContext } from "./context.ts";

const phases = [
  "pending",
  "provisioning",
  "loading",
  "ready",
  "degraded",
  "updating",
  "draining",
  "stopped",
  "sleeping",
  "failed",
  "deleting",
] as const satisfies readonly DeploymentPhase[];

const observedReplicaSchema = z.strictObject({
  /** The driver's name for it: process, container or pod. */
  name: z.string().min(1).max(253),
  endpoint: z.string().max(500),
  revision: z.string().max(100).nullable(),
  health: z.enum(["unknown", "starting", "loading", "healthy", "unhealthy", "draining", "gone"]),
  healthCheckedAt: z.date().nullable(),
  lastError: z.string().max(2000).nullable(),
  runningRequests: z.int().min(0),
  waitingRequests: z.int().min(0),
  kvCacheUsage: z.number().min(0).max(1).nullable(),
  maxModelLen: z.int().min(0).nullable(),
  drainStartedAt: z.date().nullable(),
  stopRequestedAt: z.date().nullable(),
  startedAt: z.date().nullable(),
});
export type ObservedReplica = z.output<typeof observedReplicaSchema>;

export const recordDeploymentStatusInputSchema = z.strictObject({
  deploymentId: z.string().min(1),
  /** The generation this reconcile pass acted on. */
  observedGeneration: z.int().min(0),
  phase: z.enum(phases),
  reason: z.string().max(100).nullable(),
  message: z.string().max(2000).nullable(),
  targetRevision: z.string().max(100).nullable(),
  readyReplicas: z.int().min(0),
  statusDetail: z.record(z.string(), z.unknown()),
  /** Every replica the driver reports; rows of replicas no longer reported are deleted. */
  replicas: z.array(observedReplicaSchema).max(256),
});
export type RecordDeploymentStatusInput = z.input<typeof recordDeploymentStatusInputSchema>;

export type RecordDeploymentStatusResult =
  | { ok: true; phaseChanged: boolean; previousPhase: DeploymentPhase }
  | { ok: false; code: "NOT_FOUND" };

/**
 * The reconciler's write: the observed status of a deployment of the context's organization and its
 * replica rows, replaced whole. Replica health changes every few seconds and is not audited; a change
 * of phase is, as `deployment.phase` (before/after phase, reason, message, generation), so the audit
 * log tells when a deployment became Ready, Degraded or Failed and why. NOT_FOUND once purged.
 */
export async function recordDeploymentStatus(
  ctx: OrgContext,
  rawInput: RecordDeploymentStatusInput,
): Promise<RecordDeploymentStatusResult> {
  const input = recordDeploymentStatusInputSchema.parse(rawInput);
  return ctx.db.$transaction(async (tx): Promise<RecordDeploymentStatusResult> => {
    const current = await tx.deployment.findFirst({
      where: { id: input.deploymentId, orgId: ctx.orgId },
      select: { id: true, phase: true, reason: true, message: true },
    });
    if (!current) return { ok: false, code: "NOT_FOUND" };
    const now = currentTime(ctx);
    const phaseChanged = current.phase !== input.phase;
    await tx.deployment.update({
      where: { id: current.id },
      data: {
        observedGeneration: input.observedGeneration,
        phase: input.phase,
        reason: input.reason,
        message: input.message,
        targetRevision: input.targetRevision,
        readyReplicas: input.readyReplicas,
        statusDetail: input.statusDetail as Prisma.InputJsonValue,
        lastReconcileAt: now,
        ...(phaseChanged ? { phaseSince: now } : {}),
      },
    });
    const names = input.replicas.map((replica) => replica.name);
    await tx.deploymentReplica.deleteMany({ where: { deploymentId: current.id, name: { notIn: names } } });
    for (const replica of input.replicas) {
      await tx.deploymentReplica.upsert({
        where: { deploymentId_name: { deploymentId: current.id, name: replica.name } },
        create: { ...replica, id: newId("replica"), deploymentId: current.id },
        update: replica,
      });
    }
    if (phaseChanged) {
      await appendAuditEvent(tx, ctx, {
        action: "deployment.phase",
        targetType: "deployment",
        targetId: current.id,
        before: { phase: current.phase, reason: current.reason, message: current.message },
        after: {
          phase: input.phase,
          reason: input.reason,
          message: input.message,
          observedGeneration: input.observedGeneration,
          readyReplicas: input.readyReplicas,
        },
      });
    }
    return { ok: true, phaseChanged, previousPhase: current.phase };
  });
}
