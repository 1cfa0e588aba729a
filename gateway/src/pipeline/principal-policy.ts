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
