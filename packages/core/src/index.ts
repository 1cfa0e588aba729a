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
export { type BudgetLevel, type BudgetMeasure, budgetCounter } from "./budget-counter.ts";
export { type BudgetPeriod, type BudgetPeriodKind, budgetPeriod } from "./budget-period.ts";
export { builtinModels } from "./builtin-models.ts";
export type { ChangeDeploymentResult } from "./change-deployment.ts";
export {
  type ChangeMemberRoleInput,
  type ChangeMemberRoleResult,
  changeMemberRole,
  changeMemberRoleInputSchema,
} from "./change-member-role.ts";
export { type AuditChainCheckReason, type CheckAuditChainResult, checkAuditChain } from "./check-audit-chain.ts";
export {
  type CompleteExportInput,
  type CompleteExportResult,
  completeExport,
  completeExportInputSchema,
} from "./complete-export.ts";
export type { Actor, CoreContext, DbClient, OrgContext } from "./context.ts";
export {
  type CreateApiKeyInput,
  type CreateApiKeyResult,
  createApiKey,
  createApiKeyInputSchema,
} from "./create-api-key.ts";
export {
  type CreateDeploymentInput,
  type CreateDeploymentResult,
  createDeployment,
  createDeploymentInputSchema,
  maxReplicas,
} from "./create-deployment.ts";
export {
  type CreateInvitationInput,
  type CreateInvitationResult,
  createInvitation,
  createInvitationInputSchema,
} from "./create-invitation.ts";
export { type CreateModelInput, type CreateModelResult, createModel, createModelInputSchema } from "./create-model.ts";
export {
  type CreateOrganizationInput,
  type CreateOrganizationResult,
  createOrganization,
  createOrganizationInputSchema,
} from "./create-organization.ts";
export { type CreateTeamInput, type CreateTeamResult, createTeam, createTeamInputSchema } from "./create-team.ts";
export { type CreateUserInput, type CreateUserResult, createUser, createUserInputSchema } from "./create-user.ts";
export { type DeleteDeploymentInput, deleteDeployment, deleteDeploymentInputSchema } from "./delete-deployment.ts";
export {
  type DeploymentDriverKind,
  type DeploymentSpec,
  type DeploymentSpecInput,
  deploymentDriverSchema,
  deploymentNameSchema,
  deploymentSpecSchema,
  driverSpecIssues,
  effectiveRollout,
  reservedFlagOf,
} from "./deployment-spec.ts";
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
export { type EnsureBuiltinModelsResult, ensureBuiltinModels } from "./ensure-builtin-models.ts";
export {
  type ExportFilter,
  type ExportFormat,
  type ExportJobData,
  type ExportKindName,
  type ExportManifest,
  type ExportQueue,
  exportFileNames,
  exportFilterSchema,
  exportFormats,
  exportGeneratorVersion,
  exportJobDataSchema,
  exportJobName,
  exportJobOptions,
  exportKinds,
  exportQueueName,
} from "./export-contract.ts";
export { type ExportView, toExportView } from "./export-view.ts";
export { type FailExportInput, type FailExportResult, failExport, failExportInputSchema } from "./fail-export.ts";
export {
  type EffectiveLimitsTarget,
  type GetEffectiveLimitsResult,
  getEffectiveLimits,
} from "./get-effective-limits.ts";
export { type GetExportResult, getExport } from "./get-export.ts";
export {
  type GetUsageReportInput,
  type GetUsageReportResult,
  getUsageReport,
  getUsageReportInputSchema,
  type UsageGroupBy,
  type UsageReportBucket,
  type UsageReportResult,
} from "./get-usage-report.ts";
export { hashApiKey } from "./hash-api-key.ts";
export { type InspectInvitationResult, type InvitationState, inspectInvitation } from "./inspect-invitation.ts";
export { type InvitationView, toInvitationView } from "./invitation-view.ts";
export {
  estimateLatencyQuantileMs,
  latencyHistogramBoundsMs,
  latencyHistogramSize,
  latencyHistogramSumSql,
  mergeLatencyHistograms,
} from "./latency-histogram.ts";
export { type LimitPolicyView, toLimitPolicyView } from "./limit-policy-view.ts";
export {
  type AuditEventView,
  type ListAuditEventsInput,
  type ListAuditEventsResult,
  listAuditEvents,
  listAuditEventsInputSchema,
} from "./list-audit-events.ts";
export {
  type ListUsageEventsInput,
  type ListUsageEventsResult,
  listUsageEvents,
  listUsageEventsInputSchema,
  type UsageEventView,
} from "./list-usage-events.ts";
export { listVisionPolicies } from "./list-vision-policies.ts";
export { type KeyPrincipal, loadKeyPrincipal, type PrincipalVision } from "./load-key-principal.ts";
export {
  type HardwareProfile,
  hardwareProfileSchema,
  type ModelFields,
  modelFieldsSchema,
  servingFields,
} from "./model-fields.ts";
export { apiKeyPrefix, type ParseApiKeyResult, parseApiKey } from "./parse-api-key.ts";
export { parseDeploymentSpec } from "./parse-deployment-spec.ts";
export { hashPassword, minPasswordLength, passwordNeedsRehash, verifyPassword } from "./password.ts";
export { type ChangeEvent, type ChangePublisher, changeChannel, publishChange } from "./publish-change.ts";
export {
  type PurgeDeploymentInput,
  type PurgeDeploymentResult,
  purgeDeployment,
  purgeDeploymentInputSchema,
} from "./purge-deployment.ts";
export { recordApiKeyUse } from "./record-api-key-use.ts";
export {
  type ObservedReplica,
  type RecordDeploymentStatusInput,
  type RecordDeploymentStatusResult,
  recordDeploymentStatus,
  recordDeploymentStatusInputSchema,
} from "./record-deployment-status.ts";
export { recordExportProgress } from "./record-export-progress.ts";
export {
  type RecordSignInFailureInput,
  type RecordSignInInput,
  recordSignIn,
  recordSignInFailure,
  recordSignInFailureInputSchema,
  recordSignInInputSchema,
} from "./record-sign-in.ts";
export { redactSecrets } from "./redact-secrets.ts";
export {
  type RemoveMemberInput,
  type RemoveMemberResult,
  removeMember,
  removeMemberInputSchema,
} from "./remove-member.ts";
export {
  isRoutable,
  type PublishDeploymentReplicas,
  publishDeploymentReplicas,
  type ReplicaEntry,
  type ReplicaState,
  type ReplicaTableKeys,
  readDeploymentReplicas,
  readReplicaTable,
  removeDeploymentReplicas,
  replicaEntrySchema,
  replicaStates,
  replicaTableKeys,
  replicaTableVersion,
  servesModel,
  subscribeReplicaTable,
} from "./replica-table.ts";
export {
  createReplicaTableCache,
  type ReplicaTableCache,
  type ReplicaTableCacheOptions,
} from "./replica-table-cache.ts";
export {
  type RequestExportInput,
  type RequestExportResult,
  requestExport,
  requestExportInputSchema,
} from "./request-export.ts";
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
  type ScaleDeploymentInput,
  type ScaleDeploymentResult,
  scaleDeployment,
  scaleDeploymentInputSchema,
} from "./scale-deployment.ts";
export {
  type SeedFirstAdminInput,
  type SeedFirstAdminResult,
  seedFirstAdmin,
  seedFirstAdminInputSchema,
} from "./seed-first-admin.ts";
export {
  type SetDeploymentStateInput,
  setDeploymentState,
  setDeploymentStateInputSchema,
} from "./set-deployment-state.ts";
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
export {
  type SetVisionPolicyInput,
  type SetVisionPolicyResult,
  setVisionPolicy,
  setVisionPolicyInputSchema,
  visionModes,
} from "./set-vision-policy.ts";
export { slugify, slugSchema } from "./slugify.ts";
export { type StartExportResult, startExport } from "./start-export.ts";
export { timeZoneSchema } from "./time-zone-schema.ts";
export {
  type UpdateDeploymentInput,
  type UpdateDeploymentResult,
  updateDeployment,
  updateDeploymentInputSchema,
} from "./update-deployment.ts";
export { type UpdateModelInput, type UpdateModelResult, updateModel, updateModelInputSchema } from "./update-model.ts";
export {
  type UpdateOrganizationInput,
  type UpdateOrganizationResult,
  updateOrganization,
  updateOrganizationInputSchema,
} from "./update-organization.ts";
export { type UpdateUserInput, type UpdateUserResult, updateUser, updateUserInputSchema } from "./update-user.ts";
export { type BucketWidth, bucketLimits } from "./usage-report-window.ts";
export {
  appendUsageEvent,
  type DecodeUsageEventResult,
  decodeUsageEvent,
  defaultUsageStreamKeys,
  encodeUsageEvent,
  type UsageDeadLetter,
  type UsageEntryPoisonCode,
  type UsageEventMessage,
  type UsageEventMessageInput,
  type UsageStreamKeys,
  type UsageStreamProducer,
  usageConsumerGroup,
  usageEventMessageSchema,
  usageEventSchemaVersion,
  usageStreamKeys,
} from "./usage-stream.ts";
export { toUserView, type UserView } from "./user-view.ts";
export {
  type VerifyApiKeyDeps,
  type VerifyApiKeyFailure,
  type VerifyApiKeyResult,
  verifyApiKey,
} from "./verify-api-key.ts";
export { type AuditChainBreakReason, type VerifyAuditChainResult, verifyAuditChain } from "./verify-audit-chain.ts";
export { toVisionPolicyView, type VisionPolicyView } from "./vision-policy-view.ts";
