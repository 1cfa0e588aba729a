import { modelFieldsSchema } from "@perimeter/core";
import { integer, list, text } from "./form-data";

/** The fields of the model form: every field of a catalog model, by name. */
export const modelFormFields = Object.keys(modelFieldsSchema.shape);

const checkboxes = [
  "enableAutoToolChoice",
  "supportsVision",
  "supportsTools",
  "supportsThinking",
  "defaultThinking",
  "enabled",
] as const;

/** `nvidia-h200 8 8` (GPU type, GPUs, tensor parallel size) per line → hardware profiles. */
export function parseHardwareProfiles(value: string | undefined): unknown[] {
  return (value ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => {
      const [gpuType, gpuCount, tensorParallel] = line.split(/\s+/);
      const number = (part: string | undefined) => (part && /^\d+$/.test(part) ? Number(part) : part);
      return { gpuType, gpuCount: number(gpuCount), tensorParallel: number(tensorParallel) };
    });
}

/** The profiles back as the form's lines. */
export function formatHardwareProfiles(profiles: { gpuType: string; gpuCount: number; tensorParallel: number }[]) {
  return profiles.map((p) => `${p.gpuType} ${p.gpuCount} ${p.tensorParallel}`).join("\n");
}

/**
 * Every field of a catalog model from the model form (the form posts all of them, so what is shown
 * is what is stored): empty optional texts are null, checkboxes that are absent are false, the serve
 * command is split on spaces, the hardware profiles are one per line.
 */
export function modelFieldsFromForm(form: FormData): Record<string, unknown> {
  const optional = (name: string) => text(form, name) ?? null;
  const fields: Record<string, unknown> = {
    publicName: text(form, "publicName"),
    aliases: list(form, "aliases"),
    servedName: text(form, "servedName"),
    hfRepo: text(form, "hfRepo"),
    revision: optional("revision"),
    tokenizerMode: optional("tokenizerMode"),
    toolCallParser: optional("toolCallParser"),
    reasoningParser: optional("reasoningParser"),
    contextLength: integer(form, "contextLength"),
    maxOutputTokens: integer(form, "maxOutputTokens", null),
    defaultImage: optional("defaultImage"),
    serveCommand: (text(form, "serveCommand") ?? "").split(/\s+/).filter(Boolean),
    hardwareProfiles: parseHardwareProfiles(text(form, "hardwareProfiles")),
  };
  for (const name of checkboxes) fields[name] = form.get(name) === "on";
  return fields;
}
