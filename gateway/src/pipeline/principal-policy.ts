import type { LimitPolicyView } from "@perimeter/core";
import type { ThinkingPolicy } from "../protocol/translate-request.ts";
import type { TeamPrincipal } from "./authenticate.ts";

/** What a key's policies say about models, thinking and output size, before any rate limit. */
export interface RequestPolicy {
  /** One list per policy that restricts models; a model must be on every list. */
  allowLists: string[][];
  thinking: ThinkingPolicy;
  /** The smallest `max_tokens` cap of the key's policies, if any has one. */
  maxTokensCap?: number;
}

/**
 * The request policy of a principal: the allow-lists of its key, member and team policies (an empty list
 * allows every model), the most specific thinking policy that is not `client` (key, then member, then
 * team), and the tightest `max_tokens` cap.
 */
export function requestPolicy(principal: TeamPrincipal): RequestPolicy {
  const { key, member, team } = principal.policies;
  const policies = [key, member, team].filter((policy): policy is LimitPolicyView => policy !== null);
  const caps = policies.map((policy) => policy.maxTokensCap).filter((cap): cap is number => cap !== null);
  return {
    allowLists: policies.map((policy) => policy.allowedModels).filter((list) => list.length > 0),
    thinking: policies.find((policy) => policy.thinkingPolicy !== "client")?.thinkingPolicy ?? "client",
    ...(caps.length > 0 ? { maxTokensCap: Math.min(...caps) } : {}),
  };
}

/** True when `publicName` is on every allow-list of the policy. */
export function modelAllowed(policy: RequestPolicy, publicName: string): boolean {
  return policy.allowLists.every((list) => list.includes(publicName));
}

/**
 * Why a key may not call `publicName`, or undefined: the organization's admin disabled the model (404, as
 * for a model that is not there), or the allow-lists of the key, its membership or its team leave it out (403).
 */
export function modelRefusal(
  principal: TeamPrincipal,
  policy: RequestPolicy,
  publicName: string,
): { status: 403 | 404; message: string } | undefined {
  if (principal.disabledModels.includes(publicName)) {
    return { status: 404, message: `model \`${publicName}\` is disabled in this organization; an admin can enable it` };
  }
  if (!modelAllowed(policy, publicName)) {
    return { status: 403, message: `model \`${publicName}\` is not allowed for this key's team` };
  }
  return undefined;
}
