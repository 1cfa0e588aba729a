import { type Limits, numericLimitFields } from "@perimeter/core";
import { integer, list, text } from "./form-data";

/**
 * The limits of a limits form: every numeric field (empty = no limit at this level), the model
 * allow-list and the thinking policy. A form posts the whole policy, so what is shown is what is stored.
 */
export function limitsFromForm(form: FormData): Limits {
  const limits: Record<string, unknown> = {};
  for (const field of numericLimitFields) limits[field] = integer(form, field, null);
  limits.allowedModels = list(form, "allowedModels");
  limits.thinkingPolicy = text(form, "thinkingPolicy") ?? "client";
  return limits as Limits;
}

/** Whether a create-key form filled any limit at all (then the key gets a policy of its own). */
export function anyLimitFilled(form: FormData): boolean {
  return numericLimitFields.some((field) => text(form, field) !== undefined) || list(form, "allowedModels").length > 0;
}
