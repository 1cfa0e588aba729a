export { type AddMemberInput, type AddMemberResult, addMember, addMemberInputSchema } from "./add-member.ts";
export { type ApiKeyView, toApiKeyView } from "./api-key-view.ts";
export { type AuditContext, type AuditEventInput, appendAuditEvent } from "./append-audit-event.ts";
export { type AuditHashInput, canonicalJson, computeAuditHash, type JsonValue } from "./audit-hash.ts";
export type { Actor, CoreContext, DbClient } from "./context.ts";
export {
  type CreateApiKeyInput,
  type CreateApiKeyResult,
  createApiKey,
  createApiKeyInputSchema,
} from "./create-api-key.ts";
export {
  type CreateOrganizationInput,
  type CreateOrganizationResult,
  createOrganization,
  createOrganizationInputSchema,
} from "./create-organization.ts";
export { type CreateTeamInput, type CreateTeamResult, createTeam, createTeamInputSchema } from "./create-team.ts";
export { type CreateUserInput, type CreateUserResult, createUser, createUserInputSchema } from "./create-user.ts";
export { deriveKeyPepper } from "./derive-key-pepper.ts";
export {
  bootstrapAdminKeyName,
  type EnsureAdminTokenInput,
  ensureAdminToken,
  ensureAdminTokenInputSchema,
} from "./ensure-admin-token.ts";
export { hashApiKey } from "./hash-api-key.ts";
export { type LimitPolicyView, toLimitPolicyView } from "./limit-policy-view.ts";
export { apiKeyPrefix, type ParseApiKeyResult, parseApiKey } from "./parse-api-key.ts";
export { hashPassword, minPasswordLength, passwordNeedsRehash, verifyPassword } from "./password.ts";
export { redactSecrets } from "./redact-secrets.ts";
export {
  type RevokeApiKeyInput,
  type RevokeApiKeyResult,
  revokeApiKey,
  revokeApiKeyInputSchema,
} from "./revoke-api-key.ts";
export {
  type RotateApiKeyInput,
  type RotateApiKeyResult,
  rotateApiKey,
  rotateApiKeyInputSchema,
} from "./rotate-api-key.ts";
export {
  type SeedFirstAdminInput,
  type SeedFirstAdminResult,
  seedFirstAdmin,
  seedFirstAdminInputSchema,
} from "./seed-first-admin.ts";
export {
  type Limits,
  type LimitTarget,
  limitsSchema,
  limitTargetSchema,
  type SetLimitsInput,
  type SetLimitsResult,
  setLimits,
  setLimitsInputSchema,
} from "./set-limits.ts";
export { slugify, slugSchema } from "./slugify.ts";
export { toUserView, type UserView } from "./user-view.ts";
export {
  type VerifyApiKeyDeps,
  type VerifyApiKeyFailure,
  type VerifyApiKeyResult,
  verifyApiKey,
} from "./verify-api-key.ts";
export {
  type AuditChainBreakReason,
  type VerifyAuditChainResult,
  verifyAuditChain,
} from "./verify-audit-chain.ts";
