import { type AuditEvent, newId, Prisma } from "@perimeter/db";
import { type AuditHashInput, computeAuditHash, genesisPrevHash, type JsonValue } from "./audit-hash.ts";
import { type CoreContext, currentTime } from "./context.ts";
import { redactSecrets } from "./redact-secrets.ts";

/**
 * Where and on whose behalf an event is written: a verb's `CoreContext`, or for the bootstrap verbs,
 * which have none, just the organization and a system actor.
 */
export type AuditContext = Pick<CoreContext, "orgId" | "actor" | "request" | "now">;

/** One audited change, as a verb describes it. `before`/`after` may hold anything; secrets are removed. */
export interface AuditEventInput {
  /** Dotted verb: `team.create`, `api_key.revoke`, `limits.set`. */
  action: string;
  targetType?: string;
  targetId?: string;
  teamId?: string | null;
  before?: unknown;
  after?: unknown;
}

function toJsonColumn(value: JsonValue): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue);
}

/**
 * Appends an event to the hash chain of `ctx.orgId`, with the context's actor and request details.
 * Must run inside the interactive transaction of the change it records, so the change and its audit
 * event commit or roll back together. Appends for one organization are serialised by a
 * transaction-scoped advisory lock held until commit, which keeps `seq` gap-free and each `prevHash`
 * pointing at the committed event before it.
 */
export async function appendAuditEvent(
  tx: Prisma.TransactionClient,
  ctx: AuditContext,
  event: AuditEventInput,
): Promise<AuditEvent> {
  // A root client runs each statement in its own transaction, which would release the lock at once.
  if (typeof (tx as { $connect?: unknown }).$connect === "function") {
    throw new Error("appendAuditEvent must be called with an interactive transaction, not the root client");
  }
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${ctx.orgId}, 0))`;
  const last = await tx.auditEvent.findFirst({
    where: { orgId: ctx.orgId },
    orderBy: { seq: "desc" },
    select: { seq: true, hash: true },
  });
  const { actor, request } = ctx;
  const fields: AuditHashInput = {
    orgId: ctx.orgId,
    seq: (last?.seq ?? 0n) + 1n,
    // Read once the lock is held, so without a test clock `seq` and time agree.
    occurredAt: currentTime(ctx),
    actorType: actor.type,
    actorId: actor.type === "system" ? null : actor.id,
    actorLabel: actor.label ?? null,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    teamId: event.teamId ?? null,
    before: redactSecrets(event.before),
    after: redactSecrets(event.after),
    ip: request?.ip ?? null,
    userAgent: request?.userAgent ?? null,
    requestId: request?.requestId ?? null,
    prevHash: last?.hash ?? genesisPrevHash,
  };
  return tx.auditEvent.create({
    data: {
      ...fields,
      id: newId("auditEvent"),
      actorType: actor.type,
      before: toJsonColumn(fields.before),
      after: toJsonColumn(fields.after),
      hash: computeAuditHash(fields),
    },
  });
}
