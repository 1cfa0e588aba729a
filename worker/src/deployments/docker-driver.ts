import { randomBase32 } from "@perimeter/db";
import Docker from "dockerode";
import type { DeploymentTarget } from "./deployment-target.ts";
import type { DeploymentDriver, DriverObservation, DriverReplica } from "./driver.ts";
import { type DockerCreateOptions, dockerRevisionLabel, renderDocker } from "./render-docker.ts";
import { vllmContainerPort } from "./vllm-args.ts";

/**
 * How to reach the Docker Engine, from `DOCKER_HOST` as `env.ts` parsed it: `unix:///path` or
 * `tcp://host:port` (`http(s)://` also accepted).
 */
export function dockerClientFor(dockerHost: string): Docker {
  const url = new URL(dockerHost);
  if (url.protocol === "unix:") return new Docker({ socketPath: url.pathname });
  const protocol = url.protocol === "https:" ? "https" : "http";
  return new Docker({ host: url.hostname, port: Number(url.port || 2375), protocol });
}

function statusCode(error: unknown): number | undefined {
  const code = (error as { statusCode?: unknown }).statusCode;
  return typeof code === "number" ? code : undefined;
}

/** Runs a Docker call whose target may already be gone or stopped (404 / 304 / 409 are fine). */
async function idempotent(call: Promise<unknown>): Promise<void> {
  try {
    await call;
  } catch (error) {
    const code = statusCode(error);
    if (code !== 404 && code !== 304 && code !== 409) throw error;
  }
}

/** A container as a replica: running, still being created or restarted, or exited (with why). */
function toReplica(info: Docker.ContainerInspectInfo, publishHost: string): DriverReplica {
  const binding = info.NetworkSettings?.Ports?.[`${vllmContainerPort}/tcp`]?.[0];
  const host = publishHost === "0.0.0.0" ? "127.0.0.1" : publishHost;
  const state = info.State;
  const phase = state.Running
    ? "running"
    : state.Status === "exited" || state.Status === "dead"
      ? "exited"
      : "provisioning";
  const started = state.StartedAt && !state.StartedAt.startsWith("0001") ? new Date(state.StartedAt) : null;
  return {
    name: info.Name.replace(/^\//, ""),
    revision: info.Config.Labels?.[dockerRevisionLabel] ?? null,
    endpoint: binding?.HostPort ? `http://${host}:${binding.HostPort}` : null,
    phase,
    startedAt: started,
    exitCode: phase === "exited" ? state.ExitCode : null,
    reason: state.OOMKilled ? "OOMKilled" : phase === "exited" ? `ExitCode${state.ExitCode}` : null,
    message: state.Error || null,
  };
}

/**
 * Runs each replica as a container on one Docker host (dockerode over the socket or TCP): GPUs by
 * device request for the NVIDIA runtime, published on a port Docker picks, labelled with the
 * deployment id and revision so observation and cleanup find exactly ours. The reconciler plans
 * every start and stop; health comes from its probes of the published port. A missing image is
 * pulled once, then the create is retried.
 */
export function createDockerDriver(docker: Docker): DeploymentDriver {
  const label = (target: DeploymentTarget) => `perimeter.dev/deployment-id=${target.id}`;
  const list = (target: DeploymentTarget) => docker.listContainers({ all: true, filters: { label: [label(target)] } });

  async function pull(image: string): Promise<void> {
    const stream = await docker.pull(image);
    await new Promise<void>((resolve, reject) =>
      docker.modem.followProgress(stream, (error: Error | null) => (error ? reject(error) : resolve())),
    );
  }

  async function create(options: DockerCreateOptions & { name: string }): Promise<Docker.Container> {
    try {
      return await docker.createContainer(options);
    } catch (error) {
      if (statusCode(error) !== 404) throw error;
      await pull(options.Image);
      return docker.createContainer(options);
    }
  }

  return {
    kind: "docker",
    managesRollout: false,
    render: (target) => renderDocker(target),

    async apply(target, rendered, actions) {
      const options = rendered.artifact as DockerCreateOptions;
      for (const action of actions) {
        if (action.type === "start") {
          for (let i = 0; i < action.count; i++) {
            const name = `perimeter-${target.name}-${rendered.revision.slice(0, 8)}-${randomBase32(5)}`;
            const container = await create({ ...options, name });
            await container.start();
          }
          continue;
        }
        const container = docker.getContainer(action.name);
        if (action.type === "terminate") await idempotent(container.kill({ signal: "SIGTERM" }));
        else if (action.type === "kill") await idempotent(container.kill({ signal: "SIGKILL" }));
        else await idempotent(container.remove({ force: true }));
      }
    },

    async observe(target): Promise<DriverObservation> {
      const publishHost = target.spec.docker?.publishHost ?? "127.0.0.1";
      const containers = await list(target);
      const inspected = await Promise.all(containers.map((info) => docker.getContainer(info.Id).inspect()));
      return { resourcesExist: containers.length > 0, replicas: inspected.map((info) => toReplica(info, publishHost)) };
    },

    async delete(target) {
      for (const info of await list(target)) await idempotent(docker.getContainer(info.Id).remove({ force: true }));
    },
  };
}
