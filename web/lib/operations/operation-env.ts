import type { ChangePublisher, CoreContext } from "@perimeter/core";
import type { Db } from "@perimeter/db";
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
