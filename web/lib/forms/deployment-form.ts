import { integer, list, text } from "./form-data";

/** Drivers as the form offers them. */
export type FormDriver = "simulator" | "external" | "docker" | "kubernetes";

/** Every field of the deployment spec form; names are paths in the request (`spec.gpu.count`). */
export const specFormFields = [
  "spec.image",
  "spec.command",
  "spec.gpu.type",
  "spec.gpu.count",
  "spec.parallelism.tensor",
  "spec.parallelism.pipeline",
  "spec.parallelism.data",
  "spec.parallelism.expert",
  "spec.maxModelLen",
  "spec.extraArgs",
  "spec.env",
  "spec.startupBudgetSec",
  "spec.drainTimeoutSec",
  "spec.preStopSec",
  "spec.rollout",
  "spec.simulator.startupMs",
  "spec.simulator.noLatency",
  "spec.simulator.script",
  "spec.external.urls",
  "spec.docker.modelCacheHostPath",
  "spec.docker.gpuDeviceIds",
  "spec.docker.publishHost",
  "spec.kubernetes.namespace",
  "spec.kubernetes.nodeSelector",
  "spec.kubernetes.tolerations",
  "spec.kubernetes.runtimeClassName",
  "spec.kubernetes.serviceAccountName",
  "spec.kubernetes.modelCache",
  "spec.kubernetes.hfTokenSecret",
  "spec.kubernetes.cpu",
  "spec.kubernetes.memory",
] as const;

/** The whole deployment form: identity, then the spec. */
export const deploymentFormFields = ["name", "modelId", "driver", "replicas", ...specFormFields] as const;

type Spec = Record<string, unknown>;

/** Sets `value` at a dotted path of `target`, creating the objects on the way; undefined sets nothing. */
function put(target: Spec, path: string, value: unknown): void {
  if (value === undefined) return;
  const parts = path.split(".");
  let node = target;
  for (const part of parts.slice(0, -1)) {
    node[part] ??= {};
    node = node[part] as Spec;
  }
  node[parts.at(-1) as string] = value;
}

/** `NAME=value` (or `key=value`) per line → an object; lines without `=` come back as errors. */
function pairs(value: string | undefined, what: string): { map?: Record<string, string>; error?: string } {
  const lines = (value ?? "")
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean);
  if (lines.length === 0) return {};
  const map: Record<string, string> = {};
  for (const [index, line] of lines.entries()) {
    const at = line.indexOf("=");
    if (at <= 0) return { error: `line ${index + 1}: write ${what}=value` };
    map[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return { map };
}

/**
 * The spec of a deployment from the form, for `driver`: only the chosen driver's block is read, empty
 * fields are left out (so the platform's defaults and the model's hardware profile apply), lists are
 * one per line (`extraArgs`, `external.urls`), `env` and `nodeSelector` are `NAME=value` lines and
 * tolerations JSON. What cannot even be read comes back in `errors`, keyed like the fields. Pure.
 */
export function deploymentSpecFromForm(
  form: FormData,
  driver: FormDriver,
): { spec: Spec; errors: Record<string, string> } {
  const spec: Spec = {};
  const errors: Record<string, string> = {};
  const field = (name: string) => text(form, `spec.${name}`);
  const number = (name: string) => integer(form, `spec.${name}`);
  const lines = (name: string) =>
    (field(name) ?? "")
      .split("\n")
      .map((line) => line.trim())
      .filter(Boolean);

  put(spec, "image", field("image"));
  const command = (field("command") ?? "").split(/\s+/).filter(Boolean);
  if (command.length > 0) spec.command = command;
  if (field("gpu.type") !== undefined || field("gpu.count") !== undefined) {
    spec.gpu = { type: field("gpu.type") ?? "none", count: number("gpu.count") ?? 0 };
  }
  for (const size of ["tensor", "pipeline", "data"]) put(spec, `parallelism.${size}`, number(`parallelism.${size}`));
  if (form.get("spec.parallelism.expert") === "on") put(spec, "parallelism.expert", true);
  for (const name of ["maxModelLen", "startupBudgetSec", "drainTimeoutSec", "preStopSec"])
    put(spec, name, number(name));
  put(spec, "rollout", field("rollout"));
  const extraArgs = lines("extraArgs");
  if (extraArgs.length > 0) spec.extraArgs = extraArgs;
  const env = pairs(field("env"), "NAME");
  if (env.error) errors["spec.env"] = env.error;
  if (env.map) spec.env = env.map;

  if (driver === "simulator") {
    put(spec, "simulator.startupMs", number("simulator.startupMs"));
    if (form.get("spec.simulator.noLatency") === "on") put(spec, "simulator.noLatency", true);
    put(spec, "simulator.script", field("simulator.script"));
    spec.simulator ??= {};
  } else if (driver === "external") {
    const urls = lines("external.urls");
    if (urls.length > 0) spec.external = { urls };
  } else if (driver === "docker") {
    put(spec, "docker.modelCacheHostPath", field("docker.modelCacheHostPath"));
    const devices = list(form, "spec.docker.gpuDeviceIds");
    if (devices.length > 0) put(spec, "docker.gpuDeviceIds", devices);
    put(spec, "docker.publishHost", field("docker.publishHost"));
  } else {
    for (const name of ["namespace", "runtimeClassName", "serviceAccountName", "hfTokenSecret", "cpu", "memory"]) {
      put(spec, `kubernetes.${name}`, field(`kubernetes.${name}`));
    }
    const cache = field("kubernetes.modelCache");
    if (cache)
      put(
        spec,
        "kubernetes.modelCache",
        cache.startsWith("/") ? { hostPath: cache } : { persistentVolumeClaim: cache },
      );
    const selector = pairs(field("kubernetes.nodeSelector"), "key");
    if (selector.error) errors["spec.kubernetes.nodeSelector"] = selector.error;
    if (selector.map) put(spec, "kubernetes.nodeSelector", selector.map);
    const tolerations = field("kubernetes.tolerations");
    if (tolerations) {
      try {
        put(spec, "kubernetes.tolerations", JSON.parse(tolerations));
      } catch {
        errors["spec.kubernetes.tolerations"] = 'must be a JSON list, e.g. [{"key": "nvidia.com/gpu"}]';
      }
    }
  }
  return { spec, errors };
}

/** A stored spec as the form's field values (the inverse of `deploymentSpecFromForm`), for editing. */
export function specFormValues(spec: Spec): Record<string, string | boolean> {
  const values: Record<string, string | boolean> = {};
  const get = (path: string): unknown =>
    path.split(".").reduce<unknown>((node, part) => (node as Spec | undefined)?.[part], spec);
  for (const name of specFormFields) {
    const value = get(name.slice("spec.".length));
    if (value === undefined || value === null) continue;
    if (typeof value === "boolean") values[name] = value;
    else if (name === "spec.command") values[name] = (value as string[]).join(" ");
    else if (name === "spec.extraArgs" || name === "spec.external.urls") values[name] = (value as string[]).join("\n");
    else if (name === "spec.docker.gpuDeviceIds") values[name] = (value as string[]).join(", ");
    else if (name === "spec.env" || name === "spec.kubernetes.nodeSelector") {
      values[name] = Object.entries(value as Record<string, string>)
        .map(([key, v]) => `${key}=${v}`)
        .join("\n");
    } else if (name === "spec.kubernetes.modelCache") {
      const cache = value as { hostPath?: string; persistentVolumeClaim?: string };
      values[name] = cache.hostPath ?? cache.persistentVolumeClaim ?? "";
    } else if (name === "spec.kubernetes.tolerations") values[name] = JSON.stringify(value);
    else values[name] = String(value);
  }
  return values;
}
