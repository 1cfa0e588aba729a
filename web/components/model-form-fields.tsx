import { formatHardwareProfiles } from "../lib/forms/model-form";
import type { ModelView } from "../lib/operations/models";
import { CheckboxField, Field, FormLevelError, TextAreaField } from "./action-form";

/**
 * Every field of a catalog model, empty for a new one or filled from `model` to edit it. The ones
 * that change how vLLM starts say so, since saving them rolls the model's deployments.
 */
export function ModelFormFields({ model }: { model: ModelView | null }) {
  const rolls = model && model.deploymentCount > 0 ? "Changing it rolls the model's deployments." : undefined;
  return (
    <>
      <div className="grid-3">
        <Field
          name="publicName"
          label="Public name"
          required
          defaultValue={model?.publicName}
          hint="What clients send as model."
        />
        <Field
          name="aliases"
          label="Aliases"
          defaultValue={model?.aliases.join(", ")}
          hint="Comma-separated, e.g. claude-sonnet-4-5."
        />
        <Field
          name="servedName"
          label="Served name"
          required
          defaultValue={model?.servedName}
          hint={rolls ?? "vLLM's --served-model-name."}
        />
        <Field
          name="hfRepo"
          label="Weights"
          required
          defaultValue={model?.hfRepo}
          placeholder="owner/name or /models/path"
        />
        <Field name="revision" label="Revision" defaultValue={model?.revision} placeholder="main" />
        <Field
          name="contextLength"
          label="Context length"
          required
          inputMode="numeric"
          defaultValue={model?.contextLength}
        />
        <Field
          name="maxOutputTokens"
          label="Max output tokens"
          inputMode="numeric"
          defaultValue={model?.maxOutputTokens}
        />
        <Field name="tokenizerMode" label="Tokenizer mode" defaultValue={model?.tokenizerMode} />
        <Field name="toolCallParser" label="Tool-call parser" defaultValue={model?.toolCallParser} />
        <Field name="reasoningParser" label="Reasoning parser" defaultValue={model?.reasoningParser} />
        <Field
          name="defaultImage"
          label="Default image"
          defaultValue={model?.defaultImage}
          placeholder="vllm/vllm-openai:v0.11.0"
        />
        <Field
          name="serveCommand"
          label="Serve command"
          defaultValue={model?.serveCommand.join(" ")}
          placeholder="vllm serve"
        />
      </div>
      <TextAreaField
        name="hardwareProfiles"
        label="Hardware profiles"
        defaultValue={model ? formatHardwareProfiles(model.hardwareProfiles) : ""}
        placeholder="nvidia-h200 8 8"
        hint="One per line: GPU type, GPUs per replica, tensor-parallel size. The first is the default for GPU deployments."
        rows={2}
      />
      <div className="grid-3">
        <CheckboxField name="supportsTools" label="Tools" defaultChecked={model?.supportsTools ?? true} />
        <CheckboxField
          name="enableAutoToolChoice"
          label="Auto tool choice (vLLM flag)"
          defaultChecked={model?.enableAutoToolChoice ?? false}
        />
        <CheckboxField name="supportsThinking" label="Thinking" defaultChecked={model?.supportsThinking ?? true} />
        <CheckboxField
          name="defaultThinking"
          label="Thinking on by default"
          defaultChecked={model?.defaultThinking ?? false}
        />
        <CheckboxField name="supportsVision" label="Images" defaultChecked={model?.supportsVision ?? false} />
        <CheckboxField name="enabled" label="Enabled" defaultChecked={model?.enabled ?? true} />
      </div>
      <FormLevelError />
    </>
  );
}
