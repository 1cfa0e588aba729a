import { type LimitPolicyView, type Limits, type NumericLimitField, numericLimitFields } from "@perimeter/core";

/**
 * Field messages for every limit above the organization's cap (which would never take effect, since
 * every level applies) and every model outside its allow-list. Empty when the limits fit. Pure.
 */
export function limitsOutsideOrgCaps(limits: Limits, orgPolicy: LimitPolicyView | null): Record<string, string> {
  const fields: Record<string, string> = {};
  if (!orgPolicy) return fields;
  for (const field of numericLimitFields as NumericLimitField[]) {
    const value = limits[field];
    const cap = orgPolicy[field];
    if (typeof value === "number" && cap !== null && value > cap) {
      fields[field] = `exceeds the organization's cap of ${cap.toLocaleString("en-US")}`;
    }
  }
  const allowed = orgPolicy.allowedModels;
  const outside = (limits.allowedModels ?? []).filter((model) => allowed.length > 0 && !allowed.includes(model));
  if (outside.length > 0) fields.allowedModels = `not allowed by the organization: ${outside.join(", ")}`;
  return fields;
}
