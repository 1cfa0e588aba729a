import type { DeploymentTarget } from "./deployment-target.ts";

/** The port vLLM listens on inside a container or pod. */
export const vllmContainerPort = 8000;

/**
 * The `vllm serve` arguments for a target, as a list (never a shell string, so nothing is re-quoted):
 * the model, its served name, parallel sizes, the model's tokenizer/tool/reasoning flags, context
 * length, the drain timeout, then the admin's extra args. `--host`/`--port` are the platform's.
 */
export function vllmServeArgs(target: DeploymentTarget, listen: { host: string; port: number }): string[] {
  const { model, spec } = target;
  const args = [
    model.hfRepo,
    "--served-model-name",
    model.servedName,
    "--host",
    listen.host,
    "--port",
    `${listen.port}`,
  ];
  if (model.revision) args.push("--revision", model.revision);
  args.push("--tensor-parallel-size", `${spec.parallelism.tensor}`);
  if (spec.parallelism.pipeline > 1) args.push("--pipeline-parallel-size", `${spec.parallelism.pipeline}`);
  if (spec.parallelism.data > 1) args.push("--data-parallel-size", `${spec.parallelism.data}`);
  if (spec.parallelism.expert) args.push("--enable-expert-parallel");
  if (model.tokenizerMode) args.push("--tokenizer-mode", model.tokenizerMode);
  if (model.toolCallParser) args.push("--tool-call-parser", model.toolCallParser);
  if (model.enableAutoToolChoice) args.push("--enable-auto-tool-choice");
  if (model.reasoningParser) args.push("--reasoning-parser", model.reasoningParser);
  args.push("--max-model-len", `${spec.maxModelLen ?? model.contextLength}`);
  // vLLM's default of 0 aborts requests in flight on SIGTERM (vllm#24885).
  args.push("--shutdown-timeout", `${spec.drainTimeoutSec}`);
  return [...args, ...spec.extraArgs];
}

/** The command that starts vLLM in the image: the spec's, the model's, else `vllm serve`. */
export function vllmCommand(target: DeploymentTarget): string[] {
  if (target.spec.command) return target.spec.command;
  return target.model.serveCommand.length > 0 ? target.model.serveCommand : ["vllm", "serve"];
}

/** The image: the spec's, else the model's default; a GPU driver without either cannot render. */
export function vllmImage(target: DeploymentTarget): string {
  const image = target.spec.image ?? target.model.defaultImage;
  if (!image)
    throw new Error(`deployment ${target.name}: no image in the spec and none on model ${target.model.publicName}`);
  return image;
}

/** Labels every driver puts on what it creates, so observe/delete find exactly their own objects. */
export function ownerLabels(target: DeploymentTarget): Record<string, string> {
  return {
    "app.kubernetes.io/managed-by": "perimeter",
    "app.kubernetes.io/name": "vllm",
    "perimeter.dev/deployment-id": target.id,
  };
}
