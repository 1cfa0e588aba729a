import type { ChangePublisher, CoreContext, ExportQueue, ReplicaTableKeys } from "@perimeter/core";
import type { Db } from "@perimeter/db";
import type { Redis } from "ioredis";
import type { Principal } from "../authz/principal";

/** Where an operation runs: the database, the key pepper and the request it serves (for the audit log). */
export interface OperationEnv {
  db: Db;
  keyPepper: Uint8Array;
  request: { ip?: string; userAgent?: string; requestId?: string };
  /** Clock override for tests. */
  now?: () => Date;
  /** Where core announces revocations and limit changes, so gateways drop their cached keys at once. */
  changes?: ChangePublisher;
  /** The worker's `exports` queue; without it an export waits for the worker's sweep (under a minute). */
  exportQueue?: ExportQueue;
  /** `PERIMETER_EXPORT_DIR`, where the worker writes export files and manifests. */
  exportDir?: string;
  /** Redis for reads of what the gateway and worker keep there (quota counters, the replica table). */
  redis?: Redis;
  /** Keys of the replica table the worker publishes (`replicaTableKeys()` unless a test uses its own). */
  replicaTable?: ReplicaTableKeys;
}

/** The core context for `principal` acting through `env`: its organization, actor and request details. */
export function coreContext(env: OperationEnv, principal: Principal): CoreContext {
  return {
    db: env.db,
    orgId: principal.orgId,
    actor: principal.actor,
    keyPepper: env.keyPepper,
    request: env.request,
    now: env.now,
    changes: env.changes,
  };
}
