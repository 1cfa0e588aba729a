import { z } from "zod";

/**
 * vLLM flags the platform owns. `--host`/`--port` decide where the gateway finds the replica and
 * `--api-key` which credential it sends; the others have typed spec fields, and a second copy in the
 * extra args would silently win or lose depending on vLLM's argument parser (argparse: the last one wins).
 */
const reservedFlags: Record<string, string> = {
  "--host": "the platform binds vLLM itself",
  "--port": "the platform picks the port",
  "--api-key": "the gateway holds the engine's credential",
  "--served-model-name": "set by the model's served name",
  "--model": "set by the model's Hugging Face repository",
  "--tensor-parallel-size": "use parallelism.tensor",
  "-tp": "use parallelism.tensor",
  "--pipeline-parallel-size": "use parallelism.pipeline",
  "-pp": "use parallelism.pipeline",
  "--data-parallel-size": "use parallelism.data",
  "-dp": "use parallelism.data",
  "--shutdown-timeout": "use drainTimeoutSec",
  "--max-model-len": "use maxModelLen",
};

/** The reserved flag an extra argument sets (`--port`, `--port=8001`), or null. */
export function reservedFlagOf(arg: string): string | null {
  const flag = arg.split("=", 1)[0] ?? arg;
  return Object.hasOwn(reservedFlags, flag) ? flag : null;
}

const extraArgSchema = z
  .string()
  .min(1)
  .max(4096)
  .superRefine((arg, check) => {
    const flag = reservedFlagOf(arg);
    if (flag)
      check.addIssue({ code: "custom", message: `${flag} is not allowed in extraArgs: ${reservedFlags[flag]}` });
  });

/** Environment variable names as POSIX shells accept them. */
const envNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "must be an environment variable name");

/** A Kubernetes label/annotation-safe map (keys as in `nodeSelector`). */
const stringMapSchema = z.record(z.string().min(1).max(253), z.string().max(63));

const tolerationSchema = z.strictObject({
  key: z.string().min(1).optional(),
  operator: z.enum(["Exists", "Equal"]).default("Exists"),
  value: z.string().optional(),
  effect: z.enum(["NoSchedule", "PreferNoSchedule", "NoExecute"]).optional(),
});

/** Where model weights and vLLM's compile cache live, so a restart does not download 700 GB again. */
const modelCacheSchema = z.union([
  z.strictObject({ persistentVolumeClaim: z.string().min(1).max(253) }),
  z.strictObject({ hostPath: z.string().startsWith("/") }),
]);

export const kubernetesTargetSchema = z.strictObject({
  /** Defaults to the worker's `DEPLOY_KUBERNETES_NAMESPACE`. */
  namespace: z
    .string()
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/)
    .max(63)
    .optional(),
  nodeSelector: stringMapSchema.optional(),
  tolerations: z.array(tolerationSchema).max(20).optional(),
  runtimeClassName: z.string().min(1).max(63).optional(),
  serviceAccountName: z.string().min(1).max(253).optional(),
  modelCache: modelCacheSchema.optional(),
  /** Secret holding `HF_TOKEN` under the key `token`, for gated repositories. */
  hfTokenSecret: z.string().min(1).max(253).optional(),
  cpu: z.string().min(1).max(20).optional(),
  memory: z.string().min(1).max(20).optional(),
});

export const dockerTargetSchema = z.strictObject({
  /** A host directory mounted at /models (weights and caches). */
  modelCacheHostPath: z.string().startsWith("/").optional(),
  /** GPUs to hand over (`["0","1",…]`); by default `gpu.count` of whichever are free to the runtime. */
  gpuDeviceIds: z.array(z.string().regex(/^[\w-]+$/)).optional(),
  /** Address the published port binds on the Docker host; loopback unless the worker runs elsewhere. */
  publishHost: z.string().min(1).default("127.0.0.1"),
});

export const externalTargetSchema = z.strictObject({
  /** Base URLs of vLLM servers already running (no `/v1` suffix). */
  urls: z
    .array(z.url({ protocol: /^https?$/ }).transform((url) => url.replace(/\/+$/, "")))
    .min(1)
    .max(64),
});

export const simulatorTargetSchema = z.strictObject({
  /** How long the simulated engine keeps its port closed while it "loads the model". */
  startupMs: z.int().min(0).max(600_000).default(2_000),
  /** Skips the simulated token latency. */
  noLatency: z.boolean().default(false),
  /** A scenario file for the simulator (`--script`). */
  script: z.string().min(1).optional(),
});

/**
 * The desired state of a deployment besides its model, driver and replica count (which have columns).
 * Stored in `deployments.spec`; every change bumps `generation`.
 */
export const deploymentSpecSchema = z
  .strictObject({
    /** vLLM image; defaults to the model's `defaultImage`. */
    image: z.string().min(1).max(500).optional(),
    /** How the image starts vLLM; defaults to the model's `serveCommand`, then `["vllm", "serve"]`. */
    command: z.array(z.string().min(1)).min(1).max(10).optional(),
    gpu: z
      .strictObject({
        /** Catalog name such as `nvidia-h200` or `nvidia-b300`. */
        type: z
          .string()
          .regex(/^[a-z0-9-]+$/)
          .max(63),
        /** GPUs per replica; must equal tensor × pipeline × data parallel sizes. */
        count: z.int().min(0).max(64),
      })
      .default({ type: "none", count: 0 }),
    parallelism: z
      .strictObject({
        tensor: z.int().min(1).max(64).default(1),
        pipeline: z.int().min(1).max(64).default(1),
        data: z.int().min(1).max(64).default(1),
        expert: z.boolean().default(false),
      })
      .default({ tensor: 1, pipeline: 1, data: 1, expert: false }),
    /** Overrides the model's context length (`--max-model-len`). */
    maxModelLen: z.int().min(256).max(10_000_000).optional(),
    extraArgs: z.array(extraArgSchema).max(100).default([]),
    env: z.record(envNameSchema, z.string().max(4096)).default({}),
    /** How long a replica may stay Loading before it counts as a failed start. */
    startupBudgetSec: z.int().min(5).max(86_400).default(3_600),
    /** `--shutdown-timeout`: how long vLLM lets requests in flight finish after SIGTERM. */
    drainTimeoutSec: z.int().min(0).max(3_600).default(90),
    /** Delay between taking a replica out of routing and signalling it, so every gateway has seen it. */
    preStopSec: z.int().min(0).max(600).default(15),
    /**
     * `recreate` stops old replicas before starting new ones (the only safe choice when no spare GPUs
     * exist: a surge replica would wait for GPUs forever); `rolling` starts new ones first.
     * Defaults to `recreate` for replicas that take GPUs, `rolling` otherwise.
     */
    rollout: z.enum(["recreate", "rolling"]).optional(),
    kubernetes: kubernetesTargetSchema.optional(),
    docker: dockerTargetSchema.optional(),
    external: externalTargetSchema.optional(),
    simulator: simulatorTargetSchema.optional(),
  })
  .superRefine((spec, check) => {
    const { tensor, pipeline, data } = spec.parallelism;
    if (spec.gpu.count > 0 && spec.gpu.count !== tensor * pipeline * data) {
      check.addIssue({
        code: "custom",
        path: ["gpu", "count"],
        message: `must equal tensor × pipeline × data parallel sizes (${tensor * pipeline * data})`,
      });
    }
  });
export type DeploymentSpecInput = z.input<typeof deploymentSpecSchema>;
export type DeploymentSpec = z.output<typeof deploymentSpecSchema>;

export const deploymentDriverSchema = z.enum(["kubernetes", "docker", "external", "simulator"]);
export type DeploymentDriverKind = z.output<typeof deploymentDriverSchema>;

/** The extra spec checks that depend on the driver; `[]` when the spec fits it. */
export function driverSpecIssues(driver: DeploymentDriverKind, spec: DeploymentSpec): string[] {
  const issues: string[] = [];
  if ((driver === "kubernetes" || driver === "docker") && spec.gpu.count === 0) {
    issues.push(`gpu.count: the ${driver} driver runs vLLM on GPUs; give at least one`);
  }
  if (driver === "external" && !spec.external) issues.push("external.urls: the external driver needs the URLs to use");
  if (driver !== "external" && spec.external) issues.push(`external: only for the external driver, not ${driver}`);
  return issues;
}

/** The rollout strategy in force: the spec's, else `recreate` when replicas hold GPUs. */
export function effectiveRollout(spec: DeploymentSpec): "recreate" | "rolling" {
  return spec.rollout ?? (spec.gpu.count > 0 ? "recreate" : "rolling");
}

/** Deployment names end up in Kubernetes object names and container names: DNS labels, short. */
export const deploymentNameSchema = z
  .string()
  .max(40)
  .regex(/^[a-z]([a-z0-9-]*[a-z0-9])?$/, "lower-case letters, digits and dashes, starting with a letter");
