import type { ModelRoute, RouteTarget } from "../routing/model-router.ts";
import type { RequestPolicy } from "./principal-policy.ts";

/**
 * The `max_tokens` a request may generate on `model`: what it asked for, within the key's policy cap and
 * below the model's context length (its route's `maxModelLen`, else what its first upstream reports). The
 * same clamp for every API (XL-02).
 */
export async function clampMaxTokens(model: ModelRoute, policy: RequestPolicy, requested: number): Promise<number> {
  const maxModelLen = model.maxModelLen ?? (await (model.targets[0] as RouteTarget).upstream.maxModelLen());
  return Math.min(requested, policy.maxTokensCap ?? Infinity, maxModelLen - 1);
}
