import { z } from "zod";

/** One machine shape a model is known to run on; the first profile of a model is its default. */
export const hardwareProfileSchema = z.strictObject({
  gpuType: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .max(63),
  gpuCount: z.int().min(1).max(64),
  tensorParallel: z.int().min(1).max(64),
});
export type HardwareProfile = z.output<typeof hardwareProfileSchema>;

const modelName = z.string().regex(/^[\w.:/-]{1,128}$/, "letters, digits and . _ - : / (at most 128)");
const parserName = z
  .string()
  .regex(/^[\w.-]{1,64}$/)
  .nullish();

/**
 * Every admin-editable field of a catalog model. `createModel` requires the identifying ones;
 * `updateModel` takes any subset.
 */
export const modelFieldsSchema = z.strictObject({
  /** What clients send as `model` (`umans-coder-v0`). */
  publicName: modelName,
  /** Other names routed to it, such as the `claude-*` names Claude Code sends. */
  aliases: z.array(modelName).max(50).default([]),
  /** `--served-model-name` on vLLM. */
  servedName: modelName,
  hfRepo: z.string().regex(/^[\w.-]+\/[\w.-]+$|^\//, "a Hugging Face repository (owner/name) or an absolute path"),
  revision: z.string().min(1).max(100).nullish(),
  tokenizerMode: parserName,
  toolCallParser: parserName,
  reasoningParser: parserName,
  enableAutoToolChoice: z.boolean().default(false),
  contextLength: z.int().min(256).max(10_000_000),
  maxOutputTokens: z.int().min(1).max(10_000_000).nullish(),
  supportsVision: z.boolean().default(false),
  supportsTools: z.boolean().default(true),
  supportsThinking: z.boolean().default(true),
  defaultThinking: z.boolean().default(false),
  defaultImage: z.string().min(1).max(500).nullish(),
  serveCommand: z.array(z.string().min(1)).max(10).default([]),
  hardwareProfiles: z.array(hardwareProfileSchema).max(20).default([]),
  enabled: z.boolean().default(true),
});
export type ModelFields = z.output<typeof modelFieldsSchema>;

/** The fields that change how vLLM is started; editing one rolls every deployment of the model. */
export const servingFields = [
  "servedName",
  "hfRepo",
  "revision",
  "tokenizerMode",
  "toolCallParser",
  "reasoningParser",
  "enableAutoToolChoice",
  "contextLength",
  "defaultImage",
  "serveCommand",
] as const satisfies readonly (keyof ModelFields)[];
