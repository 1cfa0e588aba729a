import type { ApiKeyScope, VisionMode } from "@perimeter/db";
import type { DbClient } from "./context.ts";
import { type LimitPolicyView, toLimitPolicyView } from "./limit-policy-view.ts";

/**
 * Everything the request path needs to know about a key, read in one query: the key (with its hash,
 * for the caller's constant-time compare), whether its owner and team can still use it, the team
 * membership it acts through, the organization's budget calendar, and the limit policies that apply
 * (the key's own, its owner's membership's, its team's), the team's vision policies with the
 * organization's vision models, and which of the organization's models an admin disabled.
 */
export interface KeyPrincipal {
  keyId: string;
  publicId: string;
  /** Hex HMAC-SHA256 of the whole token under the key pepper. */
  hash: string;
  orgId: string;
  teamId: string | null;
  scope: ApiKeyScope;
  ownerUserId: string | null;
  expiresAt: Date | null;
  revokedAt: Date | null;
  /** The owner's account is disabled: their keys stop working. */
  ownerDisabled: boolean;
  /** The team is archived: its keys stop working. */
  teamArchived: boolean;
  /** The owner's membership of the key's team, when the key has an owner. */
  memberId: string | null;
  org: { timeZone: string; weekStartsOn: number };
  policies: { key: LimitPolicyView | null; member: LimitPolicyView | null; team: LimitPolicyView | null };
  vision: PrincipalVision;
  /** Public names of the organization's models an admin disabled: requests for them are refused. */
  disabledModels: string[];
}

/** What the gateway needs to handle images for a key's team. */
export interface PrincipalVision {
  /** The team's policies, by the public name of the text model they apply to. */
  policies: { model: string; mode: VisionMode; visionModel: string | null }[];
  /** Public names of the organization's enabled models that declare `supportsVision`. */
  orgVisionModels: string[];
}

/** The principal of the key with public id `publicId`, or undefined when there is none. Reads only. */
export async function loadKeyPrincipal(db: DbClient, publicId: string): Promise<KeyPrincipal | undefined> {
  const key = await db.apiKey.findUnique({
    where: { publicId },
    include: {
      limitPolicy: true,
      org: {
        select: {
          timeZone: true,
          weekStartsOn: true,
          models: { select: { publicName: true, supportsVision: true, enabled: true } },
        },
      },
      team: {
        select: {
          archivedAt: true,
          limitPolicy: true,
          visionPolicies: {
            select: {
              mode: true,
              model: { select: { publicName: true } },
              visionModel: { select: { publicName: true } },
            },
          },
        },
      },
      owner: { select: { status: true, memberships: { include: { limitPolicy: true } } } },
    },
  });
  if (!key) return undefined;
  const membership = key.owner?.memberships.find((member) => member.teamId === key.teamId) ?? null;
  const view = (policy: Parameters<typeof toLimitPolicyView>[0] | null | undefined) =>
    policy ? toLimitPolicyView(policy) : null;
  return {
    keyId: key.id,
    publicId: key.publicId,
    hash: key.hash,
    orgId: key.orgId,
    teamId: key.teamId,
    scope: key.scope,
    ownerUserId: key.ownerUserId,
    expiresAt: key.expiresAt,
    revokedAt: key.revokedAt,
    ownerDisabled: key.owner?.status === "disabled",
    teamArchived: key.team?.archivedAt != null,
    memberId: membership?.id ?? null,
    org: { timeZone: key.org.timeZone, weekStartsOn: key.org.weekStartsOn },
    policies: { key: view(key.limitPolicy), member: view(membership?.limitPolicy), team: view(key.team?.limitPolicy) },
    vision: {
      policies: (key.team?.visionPolicies ?? []).map((policy) => ({
        model: policy.model.publicName,
        mode: policy.mode,
        visionModel: policy.visionModel?.publicName ?? null,
      })),
      orgVisionModels: key.org.models
        .filter((model) => model.supportsVision && model.enabled)
        .map((model) => model.publicName)
        .sort(),
    },
    disabledModels: key.org.models
      .filter((model) => !model.enabled)
      .map((model) => model.publicName)
      .sort(),
  };
}
