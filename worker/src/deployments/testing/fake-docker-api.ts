import http from "node:http";
import { closeServer } from "@perimeter/runtime";

export interface FakeContainer {
  Id: string;
  Name: string;
  Config: { Image: string; Labels: Record<string, string> };
  State: { Status: string; Running: boolean; ExitCode: number; OOMKilled: boolean; StartedAt: string; Error: string };
  NetworkSettings: { Ports: Record<string, { HostIp: string; HostPort: string }[]> };
  /** The create body as received. */
  created: Record<string, unknown>;
}

export interface FakeDockerApi {
  socketPath: string;
  requests: { method: string; path: string; query: Record<string, string> }[];
  containers: Map<string, FakeContainer>;
  /** Images the engine has; creating a container from another one is a 404 until it is pulled. */
  images: Set<string>;
  close(): Promise<void>;
}

function send(res: http.ServerResponse, status: number, body?: unknown): void {
  if (body === undefined) {
    res.writeHead(status).end();
    return;
  }
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) }).end(text);
}

/**
 * Test-only: the slice of the Docker Engine API the Docker driver uses, on a unix socket (no engine
 * runs here): list, inspect, create (404 for an image it has not pulled), pull, start (publishing the
 * vLLM port on the host port `hostPortFor` returns), kill (the container exits), remove. Every request
 * is recorded.
 */
export async function startFakeDockerApi(socketPath: string, hostPortFor: () => string): Promise<FakeDockerApi> {
  const fake: Omit<FakeDockerApi, "close"> = { socketPath, requests: [], containers: new Map(), images: new Set() };
  const find = (idOrName: string) =>
    fake.containers.get(idOrName) ?? [...fake.containers.values()].find((c) => c.Name === `/${idOrName}`);
  let next = 1;

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://docker");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString()) : null;
    const method = req.method ?? "GET";
    const path = url.pathname.replace(/^\/v[\d.]+/, "");
    fake.requests.push({ method, path, query: Object.fromEntries(url.searchParams) });
    const byId = /^\/containers\/([^/]+)(?:\/(json|start|kill))?$/.exec(path);

    if (method === "GET" && path === "/containers/json") {
      const wanted = (JSON.parse(url.searchParams.get("filters") ?? "{}").label ?? []) as string[];
      const matches = [...fake.containers.values()].filter((c) =>
        wanted.every((pair) => {
          const [key, value] = pair.split("=");
          return c.Config.Labels[key ?? ""] === value;
        }),
      );
      send(
        res,
        200,
        matches.map((c) => ({ Id: c.Id, Names: [c.Name], Labels: c.Config.Labels, State: c.State.Status })),
      );
    } else if (method === "POST" && path === "/containers/create") {
      if (!fake.images.has(body.Image)) {
        send(res, 404, { message: `No such image: ${body.Image}` });
        return;
      }
      const id = `c${next++}`.padEnd(12, "0");
      fake.containers.set(id, {
        Id: id,
        Name: `/${url.searchParams.get("name")}`,
        Config: { Image: body.Image, Labels: body.Labels ?? {} },
        State: {
          Status: "created",
          Running: false,
          ExitCode: 0,
          OOMKilled: false,
          StartedAt: "0001-01-01T00:00:00Z",
          Error: "",
        },
        NetworkSettings: { Ports: {} },
        created: body,
      });
      send(res, 201, { Id: id, Warnings: [] });
    } else if (method === "POST" && path === "/images/create") {
      const image = `${url.searchParams.get("fromImage")}:${url.searchParams.get("tag") ?? "latest"}`;
      fake.images.add(image);
      res.writeHead(200, { "content-type": "application/json" });
      res.end(`${JSON.stringify({ status: "Pulling" })}\n${JSON.stringify({ status: `Downloaded ${image}` })}\n`);
    } else if (byId) {
      const container = find(byId[1] ?? "");
      if (!container) {
        send(res, 404, { message: `No such container: ${byId[1]}` });
        return;
      }
      const action = byId[2];
      if (method === "GET" && action === "json") send(res, 200, container);
      else if (method === "POST" && action === "start") {
        const bindings = (container.created.HostConfig as { PortBindings: Record<string, { HostIp: string }[]> })
          .PortBindings;
        for (const [port, [binding]] of Object.entries(bindings)) {
          container.NetworkSettings.Ports[port] = [{ HostIp: binding?.HostIp ?? "", HostPort: hostPortFor() }];
        }
        container.State = { ...container.State, Status: "running", Running: true, StartedAt: new Date().toISOString() };
        send(res, 204);
      } else if (method === "POST" && action === "kill") {
        if (!container.State.Running) {
          send(res, 409, { message: `Container ${container.Id} is not running` });
          return;
        }
        const signal = url.searchParams.get("signal") ?? "SIGKILL";
        container.State = {
          ...container.State,
          Status: "exited",
          Running: false,
          ExitCode: signal === "SIGTERM" ? 0 : 137,
        };
        send(res, 204);
      } else if (method === "DELETE" && !action) {
        fake.containers.delete(container.Id);
        send(res, 204);
      } else send(res, 405, { message: "method not allowed" });
    } else send(res, 404, { message: `page not found: ${method} ${path}` });
  });
  server.listen(socketPath);
  await new Promise((resolve) => server.once("listening", resolve));
  return Object.assign(fake, { close: () => closeServer(server, 0) });
}
