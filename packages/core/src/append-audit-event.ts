import { type AuditEvent, newId, Prisma } from "@perimeter/db";
import { type AuditHashInput, computeAuditHash, genesisPrevHash, type JsonValue } from "./audit-hash.ts";
import type { Actor, CoreContext } from "./context.ts";
import { redactSecrets } from "./redact-secrets.ts";

/** One audited change, as a verb describes it. `before`/`after` may hold anything; secrets are removed. */
export interface AuditEventInput {
  orgId: string;
  actor: Actor;
  /** Dotted verb: `team.create`, `api_key.revoke`, `limits.set`. */
  action: string;
  targetType?: string;
  targetId?: string;
  teamId?: string | null;
  before?: unknown;
  after?: unknown;
  request?: CoreContext["request"];
  /** Defaults to the time the event's turn in the chain comes, so `seq` and time agree. */
  occurredAt?: Date;
}

function toJsonColumn(value: JsonValue): Prisma.InputJsonValue | typeof Prisma.DbNull {
  return value === null ? Prisma.DbNull : (value as Prisma.InputJsonValue);
}

/**
 * Appends an event to its organization's hash chain. Must run inside the interactive transaction of
 * the change it records, so the change and its audit event commit or roll back together. Appends for
 * one organization are serialised by a transaction-scoped advisory lock held until commit, which keeps
 * `seq` gap-free and each `prevHash` pointing at the committed event before it.
 */
export async function appendAuditEvent(tx: Prisma.TransactionClient, event: AuditEventInput): Promise<AuditEvent> {
  // A root client runs each statement in its own transaction, which would release the lock at once.
  if (typeof (tx as { $connect?: unknown }).$connect === "function") {
    throw new Error("appendAuditEvent must be called with an interactive transaction, not the root client");
  }
  await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${event.orgId}, 0))`;
  const last = await tx.auditEvent.findFirst({
    where: { orgId: event.orgId },
    orderBy: { seq: "desc" },
    select: { seq: true, hash: true },
  });
  const { actor } = event;
  const fields: AuditHashInput = {
    orgId: event.orgId,
    seq: (last?.seq ?? 0n) + 1n,
    occurredAt: event.occurredAt ?? new Date(),
    actorType: actor.type,
    actorId: actor.type === "system" ? null : actor.id,
    actorLabel: actor.label ?? null,
    action: event.action,
    targetType: event.targetType ?? null,
    targetId: event.targetId ?? null,
    teamId: event.teamId ?? null,
    before: redactSecrets(event.before),
    after: redactSecrets(event.after),
    ip: event.request?.ip ?? null,
    userAgent: event.request?.userAgent ?? null,
    requestId: event.request?.requestId ?? null,
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
