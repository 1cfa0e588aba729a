import {
  type ListAuditEventsInput,
  type ListAuditEventsResult,
  listAuditEvents,
  type VerifyAuditChainResult,
  verifyAuditChain,
} from "@perimeter/core";
import type { Principal } from "../authz/principal";
import { can } from "../authz/rights";
import type { OperationEnv } from "./operation-env";
import { forbidden, guard, type OperationResult, ok } from "./operation-result";

/** One page of the audit log matching the filters (admins and auditors). */
export function listAudit(
  env: OperationEnv,
  principal: Principal,
  filters: unknown,
): Promise<OperationResult<ListAuditEventsResult>> {
  return guard(async () => {
    if (!can(principal, "audit.read")) return forbidden();
    // listAuditEvents validates the filters itself; a bad one is a ZodError that `guard` turns into INVALID.
    return ok(await listAuditEvents(env.db, principal.orgId, filters as ListAuditEventsInput));
  });
}

/** Re-computes the organization's audit hash chain and reports whether it is intact (admins and auditors). */
export async function verifyAudit(
  env: OperationEnv,
  principal: Principal,
): Promise<OperationResult<VerifyAuditChainResult>> {
  if (!can(principal, "audit.read")) return forbidden();
  return ok(await verifyAuditChain(env.db, principal.orgId));
}
