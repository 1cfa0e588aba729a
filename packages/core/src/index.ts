export {
  type AcceptInvitationInput,
  type AcceptInvitationResult,
  acceptInvitation,
  acceptInvitationInputSchema,
} from "./accept-invitation.ts";
export { type AddMemberInput, type AddMemberResult, addMember, addMemberInputSchema } from "./add-member.ts";
export { type ApiKeyView, toApiKeyView } from "./api-key-view.ts";
export { type AuditContext, type AuditEventInput, appendAuditEvent } from "./append-audit-event.ts";
export { type AuditHashInput, canonicalJson, computeAuditHash, type JsonValue } from "./audit-hash.ts";
export {
  type ChangeMemberRoleInput,
  type ChangeMemberRoleResult,
  changeMemberRole,
  changeMemberRoleInputSchema,
} from "./change-member-role.ts";
export type { Actor, CoreContext, DbClient } from "./context.ts";
export {
  type CreateApiKeyInput,
  type CreateApiKeyResult,
  createApiKey,
  createApiKeyInputSchema,
} from "./create-api-key.ts";
export {
  type CreateInvitationInput,
  type CreateInvitationResult,
  createInvitation,
  createInvitationInputSchema,
} from "./create-invitation.ts";
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
  computeEffectiveLimits,
  type EffectiveLimits,
  type EffectiveNumber,
  type LevelPolicy,
  type LimitLevel,
  type NumericLimitField,
  numericLimitFields,
} from "./effective-limits.ts";
export { emailSchema } from "./email-schema.ts";
export {
  bootstrapAdminKeyName,
  type EnsureAdminTokenInput,
  ensureAdminToken,
  ensureAdminTokenInputSchema,
} from "./ensure-admin-token.ts";
export {
  type EffectiveLimitsTarget,
  type GetEffectiveLimitsResult,
  getEffectiveLimits,
} from "./get-effective-limits.ts";
export { hashApiKey } from "./hash-api-key.ts";
export {
  type InspectInvitationResult,
  type InvitationState,
  inspectInvitation,
} from "./inspect-invitation.ts";
export { type InvitationView, toInvitationView } from "./invitation-view.ts";
export { type LimitPolicyView, toLimitPolicyView } from "./limit-policy-view.ts";
export {
  type AuditEventView,
  type ListAuditEventsInput,
  type ListAuditEventsResult,
  listAuditEvents,
  listAuditEventsInputSchema,
} from "./list-audit-events.ts";
export { apiKeyPrefix, type ParseApiKeyResult, parseApiKey } from "./parse-api-key.ts";
export { hashPassword, minPasswordLength, passwordNeedsRehash, verifyPassword } from "./password.ts";
export { type RecordSignInInput, recordSignIn, recordSignInInputSchema } from "./record-sign-in.ts";
export { redactSecrets } from "./redact-secrets.ts";
export {
  type RemoveMemberInput,
  type RemoveMemberResult,
  removeMember,
  removeMemberInputSchema,
} from "./remove-member.ts";
export {
  type ResolveSsoUserInput,
  type ResolveSsoUserResult,
  resolveSsoUser,
  resolveSsoUserInputSchema,
} from "./resolve-sso-user.ts";
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
export { timeZoneSchema } from "./time-zone-schema.ts";
export {
  type UpdateOrganizationInput,
  type UpdateOrganizationResult,
  updateOrganization,
  updateOrganizationInputSchema,
} from "./update-organization.ts";
export { type UpdateUserInput, type UpdateUserResult, updateUser, updateUserInputSchema } from "./update-user.ts";
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
