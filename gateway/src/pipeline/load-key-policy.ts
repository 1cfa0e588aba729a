import type { Db } from "@perimeter/db";
import type { ThinkingPolicy } from "../protocol/translate-request.ts";

/** What a key's team and key limit policies say about models and thinking. */
export interface KeyPolicy {
  /** One list per policy that restricts models; a model must be on every list. */
  allowLists: string[][];
  thinking: ThinkingPolicy;
}

/**
 * Reads the team's and the key's limit policies for the parts the request path needs before admission:
 * model allow-lists (an empty list allows every model) and the thinking policy (the key's own, when it
 * sets one, else the team's).
 */
export async function loadKeyPolicy(db: Db, key: { id: string; teamId: string }): Promise<KeyPolicy> {
  const policies = await db.limitPolicy.findMany({
    where: { OR: [{ teamId: key.teamId }, { apiKeyId: key.id }] },
    select: { apiKeyId: true, allowedModels: true, thinkingPolicy: true },
  });
  const keyPolicy = policies.find((policy) => policy.apiKeyId === key.id);
  const teamPolicy = policies.find((policy) => policy.apiKeyId !== key.id);
  const thinking =
    keyPolicy && keyPolicy.thinkingPolicy !== "client"
      ? keyPolicy.thinkingPolicy
      : (teamPolicy?.thinkingPolicy ?? "client");
  return {
    allowLists: policies.map((policy) => policy.allowedModels).filter((list) => list.length > 0),
    thinking,
  };
}

/** True when `publicName` is on every allow-list of the policy. */
export function modelAllowed(policy: KeyPolicy, publicName: string): boolean {
  return policy.allowLists.every((list) => list.includes(publicName));
}
