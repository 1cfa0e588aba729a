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

/**
 * The spec part of the deployment form: the fields every driver shares, then the chosen driver's
 * block (the others are hidden and not read). `values` pre-fills an edit; the driver of an existing
 * deployment is fixed. Empty fields take the platform's defaults and the model's hardware profile.
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
            <Field
              name="spec.simulator.startupMs"
              label="Start-up time (ms)"
              inputMode="numeric"
              defaultValue={value("spec.simulator.startupMs")}
              placeholder="2000"
              hint="How long it pretends to load the model."
            />
            <Field name="spec.simulator.script" label="Script file" defaultValue={value("spec.simulator.script")} />
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
          <div className="grid-3">
            <Field
              name="spec.docker.modelCacheHostPath"
              label="Model cache (host path)"
              defaultValue={value("spec.docker.modelCacheHostPath")}
              placeholder="/srv/models"
            />
            <Field
              name="spec.docker.gpuDeviceIds"
              label="GPU device ids"
              defaultValue={value("spec.docker.gpuDeviceIds")}
              placeholder="0, 1, 2, 3"
            />
            <Field
              name="spec.docker.publishHost"
              label="Publish on"
              defaultValue={value("spec.docker.publishHost")}
              placeholder="127.0.0.1"
            />
          </div>
        </fieldset>
      ) : null}
      {driver === "kubernetes" ? (
        <fieldset className="fieldset">
          <legend>Kubernetes</legend>
          <div className="grid-3">
            <Field
              name="spec.kubernetes.namespace"
              label="Namespace"
              defaultValue={value("spec.kubernetes.namespace")}
              placeholder="perimeter"
            />
            <Field
              name="spec.kubernetes.modelCache"
              label="Model cache"
              defaultValue={value("spec.kubernetes.modelCache")}
              placeholder="perimeter-models"
              hint="A PVC name, or a node path starting with /."
            />
            <Field
              name="spec.kubernetes.hfTokenSecret"
              label="HF token secret"
              defaultValue={value("spec.kubernetes.hfTokenSecret")}
            />
            <Field
              name="spec.kubernetes.runtimeClassName"
              label="Runtime class"
              defaultValue={value("spec.kubernetes.runtimeClassName")}
            />
            <Field
              name="spec.kubernetes.serviceAccountName"
              label="Service account"
              defaultValue={value("spec.kubernetes.serviceAccountName")}
            />
            <Field
              name="spec.kubernetes.cpu"
              label="CPU"
              defaultValue={value("spec.kubernetes.cpu")}
              placeholder="16"
            />
            <Field
              name="spec.kubernetes.memory"
              label="Memory"
              defaultValue={value("spec.kubernetes.memory")}
              placeholder="256Gi"
            />
          </div>
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
            <Field
              name="spec.image"
              label="Image"
              defaultValue={value("spec.image")}
              placeholder="the model's default"
            />
            <Field name="spec.command" label="Command" defaultValue={value("spec.command")} placeholder="the model's" />
            <Field
              name="spec.gpu.type"
              label="GPU type"
              defaultValue={value("spec.gpu.type")}
              placeholder="from the model's profile"
            />
            <Field
              name="spec.gpu.count"
              label="GPUs per replica"
              inputMode="numeric"
              defaultValue={value("spec.gpu.count")}
            />
            <Field
              name="spec.parallelism.tensor"
              label="Tensor parallel"
              inputMode="numeric"
              defaultValue={value("spec.parallelism.tensor")}
            />
            <Field
              name="spec.parallelism.pipeline"
              label="Pipeline parallel"
              inputMode="numeric"
              defaultValue={value("spec.parallelism.pipeline")}
            />
            <Field
              name="spec.parallelism.data"
              label="Data parallel"
              inputMode="numeric"
              defaultValue={value("spec.parallelism.data")}
            />
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
          <Field
            name="spec.maxModelLen"
            label="Max model length"
            inputMode="numeric"
            defaultValue={value("spec.maxModelLen")}
            placeholder="the model's context length"
          />
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
          <Field
            name="spec.startupBudgetSec"
            label="Start-up budget (s)"
            inputMode="numeric"
            defaultValue={value("spec.startupBudgetSec")}
            placeholder="3600"
          />
          <Field
            name="spec.drainTimeoutSec"
            label="Drain timeout (s)"
            inputMode="numeric"
            defaultValue={value("spec.drainTimeoutSec")}
            placeholder="90"
          />
          <Field
            name="spec.preStopSec"
            label="Pre-stop delay (s)"
            inputMode="numeric"
            defaultValue={value("spec.preStopSec")}
            placeholder="15"
          />
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
