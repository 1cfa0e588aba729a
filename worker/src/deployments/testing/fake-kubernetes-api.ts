import http from "node:http";
import type { V1Pod } from "@kubernetes/client-node";
import { closeServer, listen, sendJson } from "@perimeter/runtime";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { Service } from "kubernetes-models/v1/Service";

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  contentType: string | null;
  body: unknown;
}

export interface FakeKubernetesApi {
  url: string;
  requests: RecordedRequest[];
  /** Applied objects by `<kind>/<namespace>/<name>`. */
  objects: Map<string, Record<string, unknown>>;
  /** The pods `GET …/pods` lists; the test plays the kubelet and scheduler by setting them. */
  pods: V1Pod[];
  close(): Promise<void>;
}

// Discovery answers KubernetesObjectApi needs to turn a kind into a resource path.
const discovery: Record<string, { kind: string; name: string }[]> = {
  "/api/v1": [
    { kind: "Service", name: "services" },
    { kind: "Pod", name: "pods" },
  ],
  "/apis/apps/v1": [{ kind: "Deployment", name: "deployments" }],
};
const kindOfResource: Record<string, string> = { deployments: "Deployment", services: "Service" };
const validators: Record<string, (object: unknown) => void> = {
  Deployment: (object) => new Deployment(object as never).validate(),
  Service: (object) => new Service(object as never).validate(),
};

function status(code: number, reason: string, message: string) {
  return { kind: "Status", apiVersion: "v1", status: "Failure", reason, message, code };
}

/**
 * Test-only: a small Kubernetes API server on loopback that records every request, stores objects
 * applied with server-side apply (validated with kubernetes-models, 422 when invalid; a naive replace,
 * since field ownership cannot be faithfully faked), serves them back, deletes them, and lists the pods
 * the test puts in `pods`.
 */
export async function startFakeKubernetesApi(): Promise<FakeKubernetesApi> {
  const requests: RecordedRequest[] = [];
  const objects = new Map<string, Record<string, unknown>>();
  const fake = { requests, objects, pods: [] as V1Pod[] };

  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString();
    const body = text ? JSON.parse(text) : null;
    const method = req.method ?? "GET";
    requests.push({
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      contentType: req.headers["content-type"] ?? null,
      body,
    });
    const resources = discovery[url.pathname];
    if (resources) {
      sendJson(res, 200, {
        kind: "APIResourceList",
        groupVersion: url.pathname.replace(/^\/apis?\//, ""),
        resources: resources.map((r) => ({ ...r, namespaced: true, singularName: "", verbs: ["get", "patch"] })),
      });
      return;
    }
    const match = /^\/apis?\/(?:apps\/)?v1\/namespaces\/([^/]+)\/([^/]+)(?:\/([^/]+))?$/.exec(url.pathname);
    if (!match) {
      sendJson(res, 404, status(404, "NotFound", `no route ${url.pathname}`));
      return;
    }
    const [, namespace, resource, name] = match;
    if (resource === "pods" && !name && method === "GET") {
      const selector = url.searchParams.get("labelSelector") ?? "";
      const [key, value] = selector.split("=");
      const items = fake.pods.filter((pod) => !key || pod.metadata?.labels?.[key] === value);
      sendJson(res, 200, { kind: "PodList", apiVersion: "v1", metadata: {}, items });
      return;
    }
    const kind = kindOfResource[resource ?? ""];
    const key = `${kind}/${namespace}/${name}`;
    if (!kind || !name) {
      sendJson(res, 404, status(404, "NotFound", `no route ${url.pathname}`));
    } else if (method === "PATCH") {
      try {
        validators[kind]?.(body);
      } catch (error) {
        sendJson(res, 422, status(422, "Invalid", String(error)));
        return;
      }
      const stored = { ...body, metadata: { ...body.metadata, uid: `uid-${name}`, generation: 1 } };
      objects.set(key, stored);
      sendJson(res, 200, stored);
    } else if (method === "GET") {
      const stored = objects.get(key);
      if (stored) sendJson(res, 200, stored);
      else sendJson(res, 404, status(404, "NotFound", `${resource} "${name}" not found`));
    } else if (method === "DELETE") {
      if (objects.delete(key)) sendJson(res, 200, { kind: "Status", apiVersion: "v1", status: "Success" });
      else sendJson(res, 404, status(404, "NotFound", `${resource} "${name}" not found`));
    } else {
      sendJson(res, 405, status(405, "MethodNotAllowed", method));
    }
  });
  const url = await listen(server, 0, "127.0.0.1");
  return Object.assign(fake, { url, close: () => closeServer(server, 0) });
}
