"use client";

import { useState } from "react";
import type { FormDriver } from "../lib/forms/deployment-form";
import { CheckboxField, Field, FormLevelError, SelectField, TextAreaField } from "./action-form";

const driverOptions: { value: FormDriver; label: string }[] = [
  { value: "simulator", label: "Simulator (vllm-sim, no GPU)" },
  { value: "external", label: "External (vLLM you run)" },
  { value: "docker", label: "Docker (GPU host)" },
  { value: "kubernetes", label: "Kubernetes" },
];

/** A one-line field of the spec: its path, label, and what it shows while empty. */
interface LineField {
  name: string;
  label: string;
  placeholder?: string;
  hint?: string;
  numeric?: boolean;
}

const simulatorFields: LineField[] = [
  {
    name: "spec.simulator.startupMs",
    label: "Start-up time (ms)",
    placeholder: "2000",
    hint: "How long it pretends to load the model.",
    numeric: true,
  },
  { name: "spec.simulator.script", label: "Script file" },
];
const dockerFields: LineField[] = [
  { name: "spec.docker.modelCacheHostPath", label: "Model cache (host path)", placeholder: "/srv/models" },
  { name: "spec.docker.gpuDeviceIds", label: "GPU device ids", placeholder: "0, 1, 2, 3" },
  { name: "spec.docker.publishHost", label: "Publish on", placeholder: "127.0.0.1" },
];
const kubernetesFields: LineField[] = [
  { name: "spec.kubernetes.namespace", label: "Namespace", placeholder: "perimeter" },
  {
    name: "spec.kubernetes.modelCache",
    label: "Model cache",
    placeholder: "perimeter-models",
    hint: "A PVC name, or a node path starting with /.",
  },
  { name: "spec.kubernetes.hfTokenSecret", label: "HF token secret" },
  { name: "spec.kubernetes.runtimeClassName", label: "Runtime class" },
  { name: "spec.kubernetes.serviceAccountName", label: "Service account" },
  { name: "spec.kubernetes.cpu", label: "CPU", placeholder: "16" },
  { name: "spec.kubernetes.memory", label: "Memory", placeholder: "256Gi" },
];
const gpuFields: LineField[] = [
  { name: "spec.image", label: "Image", placeholder: "the model's default" },
  { name: "spec.command", label: "Command", placeholder: "the model's" },
  { name: "spec.gpu.type", label: "GPU type", placeholder: "from the model's profile" },
  { name: "spec.gpu.count", label: "GPUs per replica", numeric: true },
  { name: "spec.parallelism.tensor", label: "Tensor parallel", numeric: true },
  { name: "spec.parallelism.pipeline", label: "Pipeline parallel", numeric: true },
  { name: "spec.parallelism.data", label: "Data parallel", numeric: true },
];
const lifecycleFields: LineField[] = [
  { name: "spec.startupBudgetSec", label: "Start-up budget (s)", placeholder: "3600", numeric: true },
  { name: "spec.drainTimeoutSec", label: "Drain timeout (s)", placeholder: "90", numeric: true },
  { name: "spec.preStopSec", label: "Pre-stop delay (s)", placeholder: "15", numeric: true },
];

/**
 * The spec part of the deployment form: the chosen driver's block (the others are not rendered, so
 * not read), GPUs and image for GPU drivers, vLLM's own settings, start-up and roll-out. `values`
 * pre-fills an edit; the driver of an existing deployment is fixed. Empty fields take the platform's
 * defaults and the model's hardware profile.
 */
export function DeploymentSpecFields({
  driver: initialDriver,
  fixedDriver = false,
  values = {},
}: {
  driver: FormDriver;
  fixedDriver?: boolean;
  values?: Record<string, string | boolean>;
}) {
  const [driver, setDriver] = useState<FormDriver>(initialDriver);
  const value = (name: string) => (typeof values[name] === "string" ? (values[name] as string) : undefined);
  const checked = (name: string) => values[name] === true;
  const gpu = driver === "docker" || driver === "kubernetes";
  const lines = (fields: LineField[]) =>
    fields.map((field) => (
      <Field
        key={field.name}
        name={field.name}
        label={field.label}
        inputMode={field.numeric ? "numeric" : undefined}
        defaultValue={value(field.name)}
        placeholder={field.placeholder}
        hint={field.hint}
      />
    ));
  return (
    <>
      {fixedDriver ? (
        <input type="hidden" name="driver" value={driver} />
      ) : (
        <div className="field">
          <label htmlFor="deployment-driver">Driver</label>
          <select
            id="deployment-driver"
            name="driver"
            value={driver}
            onChange={(event) => setDriver(event.target.value as FormDriver)}
          >
            {driverOptions.map((option) => (
              <option key={option.value} value={option.value}>
                {option.label}
              </option>
            ))}
          </select>
        </div>
      )}

      {driver === "simulator" ? (
        <fieldset className="fieldset">
          <legend>Simulator</legend>
          <div className="grid-3">
            {lines(simulatorFields)}
            <CheckboxField
              name="spec.simulator.noLatency"
              label="Answer without token latency"
              defaultChecked={checked("spec.simulator.noLatency")}
            />
          </div>
        </fieldset>
      ) : null}
      {driver === "external" ? (
        <fieldset className="fieldset">
          <legend>External vLLM servers</legend>
          <TextAreaField
            name="spec.external.urls"
            label="Base URLs"
            defaultValue={value("spec.external.urls")}
            placeholder="http://gpu-1:8000"
            hint="One per line, without /v1. Each is a replica; Perimeter probes and routes, never starts or stops them."
            rows={3}
          />
        </fieldset>
      ) : null}
      {driver === "docker" ? (
        <fieldset className="fieldset">
          <legend>Docker</legend>
          <div className="grid-3">{lines(dockerFields)}</div>
        </fieldset>
      ) : null}
      {driver === "kubernetes" ? (
        <fieldset className="fieldset">
          <legend>Kubernetes</legend>
          <div className="grid-3">{lines(kubernetesFields)}</div>
          <div className="grid-2">
            <TextAreaField
              name="spec.kubernetes.nodeSelector"
              label="Node selector"
              defaultValue={value("spec.kubernetes.nodeSelector")}
              placeholder="nvidia.com/gpu.product=NVIDIA-H200"
              hint="key=value per line; by default from the GPU type."
            />
            <TextAreaField
              name="spec.kubernetes.tolerations"
              label="Tolerations (JSON)"
              defaultValue={value("spec.kubernetes.tolerations")}
              placeholder='[{"key": "nvidia.com/gpu", "operator": "Exists"}]'
            />
          </div>
        </fieldset>
      ) : null}
      {gpu ? (
        <fieldset className="fieldset">
          <legend>GPUs and image</legend>
          <div className="grid-4">
            {lines(gpuFields)}
            <CheckboxField
              name="spec.parallelism.expert"
              label="Expert parallel"
              defaultChecked={checked("spec.parallelism.expert")}
            />
          </div>
        </fieldset>
      ) : null}
      {driver === "external" ? null : (
        <fieldset className="fieldset">
          <legend>vLLM</legend>
          {lines([
            {
              name: "spec.maxModelLen",
              label: "Max model length",
              placeholder: "the model's context length",
              numeric: true,
            },
          ])}
          <div className="grid-2">
            <TextAreaField
              name="spec.extraArgs"
              label="Extra vLLM arguments"
              defaultValue={value("spec.extraArgs")}
              placeholder="--max-num-seqs=64"
              hint="One per line. Flags with a field of their own (--port, --tensor-parallel-size…) are refused."
              rows={3}
            />
            <TextAreaField
              name="spec.env"
              label="Environment"
              defaultValue={value("spec.env")}
              placeholder="VLLM_LOGGING_LEVEL=INFO"
              hint="NAME=value per line. Stored values show as ***; leave *** to keep one."
              rows={3}
            />
          </div>
        </fieldset>
      )}
      <fieldset className="fieldset">
        <legend>Start-up and roll-out</legend>
        <div className="grid-4">
          {lines(lifecycleFields)}
          <SelectField
            name="spec.rollout"
            label="Roll-out"
            defaultValue={value("spec.rollout") ?? ""}
            options={[
              { value: "", label: gpu ? "default (recreate)" : "default (rolling)" },
              { value: "rolling", label: "rolling: new first" },
              { value: "recreate", label: "recreate: old first" },
            ]}
          />
        </div>
      </fieldset>
      <FormLevelError />
    </>
  );
}
