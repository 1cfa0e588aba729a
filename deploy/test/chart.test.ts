import { readFileSync } from "node:fs";
import path from "node:path";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { StatefulSet } from "kubernetes-models/apps/v1/StatefulSet";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler";
import { Job } from "kubernetes-models/batch/v1/Job";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1/PodDisruptionBudget";
import { Role } from "kubernetes-models/rbac.authorization.k8s.io/v1/Role";
import { RoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/RoleBinding";
import { PersistentVolumeClaim } from "kubernetes-models/v1/PersistentVolumeClaim";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { describe, expect, it } from "vitest";
import { parseAllDocuments } from "yaml";
import { type RenderedObject, renderChart } from "../src/helm/render-chart.ts";
import { type Component, healthRoutes, parseComponentEnv, repoRoot, serviceServesRoute } from "./service-contracts.ts";

// The chart rendered as `helm template` would, under the value sets an installation uses, then every
// object checked against the Kubernetes schemas and against what the services need.

const chartDir = path.join(repoRoot, "deploy/helm/perimeter");
const secret = "0123456789abcdef0123456789abcdef0123456789abcdef";

/** An evaluation install: bundled Postgres and Redis, the simulator's URL as upstream. */
const evaluation = {
  secrets: { perimeterSecret: secret, adminPassword: "first-admin-password" },
  postgresql: { password: "pgpassword1" },
  redis: { password: "redispassword1" },
  upstream: { url: "http://perimeter-vllm-sim:8000" },
};

/** A production install: external Postgres/Redis, ingress with TLS, a worker-managed vLLM, OIDC. */
const production = {
  image: { registry: "registry.internal:5000", tag: "0.1.0", pullSecrets: [{ name: "regcred" }] },
  secrets: { perimeterSecret: secret, adminToken: `sk-prm-${"a".repeat(12)}-${"b".repeat(43)}` },
  database: { url: "postgresql://perimeter:pw@pg.internal:5432/perimeter?sslmode=require" },
  postgresql: { bundled: false },
  redis: { bundled: false, url: "rediss://:pw@redis.internal:6380" },
  modelDeployment: { enabled: true },
  worker: { replicas: 2, deploymentNamespaces: ["gpu-a", "gpu-b"] },
  exports: { persistence: { accessMode: "ReadWriteMany" } },
  web: {
    oidc: { issuer: "https://sso.example.com/realms/eng", clientId: "perimeter", clientSecret: "oidc-secret" },
  },
  gateway: { env: { GATEWAY_LIMITS_ON_REDIS_FAILURE: "closed", VLLM_TIMEOUT_MS: 900000 } },
  ingress: {
    enabled: true,
    className: "nginx",
    tls: [{ secretName: "perimeter-tls", hosts: ["perimeter.example.com", "llm.example.com"] }],
    web: { host: "perimeter.example.com" },
    gateway: { host: "llm.example.com" },
  },
  networkPolicy: { enabled: true },
};

const valueSets = { evaluation, production } as const;
// biome-ignore lint/suspicious/noExplicitAny: rendered manifests are untyped JSON, walked by path in assertions.
type Obj = Record<string, any>;

const render = (values: Record<string, unknown>) =>
  renderChart(chartDir, { releaseName: "perimeter", namespace: "perimeter", values });
const ofKind = (objects: RenderedObject[], kind: string): Obj[] =>
  objects.filter((o) => o.object.kind === kind).map((o) => o.object as Obj);
const named = (objects: RenderedObject[], kind: string, name: string): Obj => {
  const found = ofKind(objects, kind).find((o) => o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} rendered`);
  return found;
};
const workloads = (objects: RenderedObject[]) => [
  ...ofKind(objects, "Deployment"),
  ...ofKind(objects, "StatefulSet"),
  ...ofKind(objects, "Job"),
];
const matches = (selector: Record<string, string>, labels: Record<string, string> = {}) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** The kubernetes-models class of every apiVersion/kind the chart may render; anything else fails. */
const models: Record<string, new (data: never) => { validate(): void }> = {
  "apps/v1/Deployment": Deployment,
  "apps/v1/StatefulSet": StatefulSet,
  "batch/v1/Job": Job,
  "v1/Service": Service,
  "v1/Secret": Secret,
  "v1/ServiceAccount": ServiceAccount,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget,
  "networking.k8s.io/v1/Ingress": Ingress,
  "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
  "rbac.authorization.k8s.io/v1/Role": Role,
  "rbac.authorization.k8s.io/v1/RoleBinding": RoleBinding,
};

/** Validates one object against the Kubernetes schema of its apiVersion and kind; throws when invalid. */
function validateObject(object: Obj): void {
  const Model = models[`${object.apiVersion}/${object.kind}`];
  if (!Model) throw new Error(`no Kubernetes schema here for ${object.apiVersion} ${object.kind}`);
  new Model(object as never).validate();
}

/** A container's environment as the kubelet would build it: plain values and the Secret's keys. */
function resolveEnv(container: Obj, secrets: Obj[]): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of container.env ?? []) {
    if (entry.value !== undefined) env[entry.name] = String(entry.value);
    const ref = entry.valueFrom?.secretKeyRef;
    if (!ref) continue;
    const holder = secrets.find((s) => s.metadata.name === ref.name);
    const encoded = holder?.data?.[ref.key];
    if (encoded !== undefined) env[entry.name] = Buffer.from(encoded, "base64").toString("utf8");
    else if (!ref.optional)
      throw new Error(`${container.name}: ${entry.name} needs key ${ref.key} of Secret ${ref.name}`);
  }
  return env;
}

const componentOf = (object: Obj) => object.spec?.template?.metadata?.labels?.["app.kubernetes.io/component"];

describe.each(Object.entries(valueSets))("chart rendered with %s values", (_name, values) => {
  const { objects } = render(values);

  it("renders only objects that pass the Kubernetes schemas", () => {
    expect(objects.length).toBeGreaterThan(10);
    for (const { template, object } of objects) {
      expect(() => validateObject(object), `${template}: ${object.kind}`).not.toThrow();
    }
    const keys = objects.map(
      (o) => `${o.object.kind}/${(o.object as Obj).metadata.namespace ?? ""}/${(o.object as Obj).metadata.name}`,
    );
    expect(new Set(keys).size, "duplicate object names").toBe(keys.length);
  });

  it("selects each workload's own pods, and every Service, PDB and HPA points at something rendered", () => {
    for (const workload of workloads(objects)) {
      const labels = workload.spec.template.metadata.labels;
      if (workload.kind !== "Job")
        expect(matches(workload.spec.selector.matchLabels, labels), workload.metadata.name).toBe(true);
    }
    const pods = workloads(objects).filter((w) => w.kind !== "Job");
    for (const service of ofKind(objects, "Service")) {
      const selected = pods.filter((w) => matches(service.spec.selector, w.spec.template.metadata.labels));
      expect(
        selected.map((w) => w.metadata.name),
        `Service ${service.metadata.name}`,
      ).toHaveLength(1);
      const portNames = selected[0]?.spec.template.spec.containers.flatMap((c: Obj) =>
        (c.ports ?? []).map((p: Obj) => p.name),
      );
      for (const port of service.spec.ports)
        expect(portNames, `Service ${service.metadata.name}`).toContain(port.targetPort);
    }
    for (const pdb of ofKind(objects, "PodDisruptionBudget")) {
      expect(pods.filter((w) => matches(pdb.spec.selector.matchLabels, w.spec.template.metadata.labels))).toHaveLength(
        1,
      );
    }
    for (const hpa of ofKind(objects, "HorizontalPodAutoscaler")) {
      const target = named(objects, hpa.spec.scaleTargetRef.kind, hpa.spec.scaleTargetRef.name);
      // The HPA owns the replica count; a fixed one would be reset on every upgrade.
      expect(target.spec.replicas).toBeUndefined();
    }
    for (const ingress of ofKind(objects, "Ingress")) {
      for (const rule of ingress.spec.rules) {
        for (const { backend } of rule.http.paths) {
          const service = named(objects, "Service", backend.service.name);
          expect(service.spec.ports.map((p: Obj) => p.name)).toContain(backend.service.port.name);
        }
      }
    }
  });

  it("probes every service on routes it really serves, on a port it declares", () => {
    for (const workload of ofKind(objects, "Deployment")) {
      const component = componentOf(workload) as Exclude<Component, "bootstrap">;
      const [container] = workload.spec.template.spec.containers;
      const ports = container.ports.map((p: Obj) => p.name);
      expect(container.readinessProbe?.httpGet, `${component} readiness`).toBeDefined();
      expect(container.livenessProbe, `${component} liveness`).toBeDefined();
      const expected = healthRoutes[component];
      expect(container.readinessProbe.httpGet.path).toBe(expected.readiness);
      for (const probe of [container.readinessProbe, container.livenessProbe]) {
        const action = probe.httpGet ?? probe.tcpSocket;
        expect(ports, `${component} probe port`).toContain(action.port);
        if (probe.httpGet) expect(serviceServesRoute(component, probe.httpGet.path), probe.httpGet.path).toBe(true);
      }
      if (container.livenessProbe.httpGet) expect(container.livenessProbe.httpGet.path).toBe(expected.liveness);
    }
  });

  it("sets every variable each service requires, as its own config parser sees it", () => {
    const secrets = ofKind(objects, "Secret");
    const checked: string[] = [];
    for (const workload of workloads(objects)) {
      const component = componentOf(workload) as Component;
      if (!["web", "gateway", "worker", "bootstrap"].includes(component)) continue;
      const spec = workload.spec.template.spec;
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        const env = resolveEnv(container, secrets);
        // Init containers run the bootstrap image's schema wait, which needs DATABASE_URL only.
        const parsed = parseComponentEnv(container.name === "wait-for-schema" ? "bootstrap" : component, env);
        expect(parsed, `${workload.metadata.name}/${container.name}`).toMatchObject({ ok: true });
        checked.push(`${component}/${container.name}`);
      }
    }
    expect(checked).toEqual(
      expect.arrayContaining(["web/web", "gateway/gateway", "worker/worker", "bootstrap/bootstrap"]),
    );
  });

  it("runs nothing as root or with a service-account token it does not need", () => {
    for (const workload of workloads(objects)) {
      const spec = workload.spec.template.spec;
      expect(spec.securityContext?.runAsNonRoot, workload.metadata.name).toBe(true);
      for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
        expect(container.securityContext?.allowPrivilegeEscalation, container.name).toBe(false);
        expect(container.securityContext?.capabilities?.drop, container.name).toEqual(["ALL"]);
        expect(container.resources?.requests, `${container.name} resources`).toBeDefined();
      }
      if (workload.kind !== "StatefulSet") {
        // Perimeter's pods (not the bundled Postgres/Redis): Service links would add <SERVICE>_PORT=tcp://…
        // variables next to the ones the services parse.
        expect(spec.enableServiceLinks, workload.metadata.name).toBe(false);
      }
      // Only the worker talks to the Kubernetes API (its deployment driver).
      expect(spec.automountServiceAccountToken, workload.metadata.name).toBe(componentOf(workload) === "worker");
    }
  });

  it("migrates in a hook that runs after the Secret it reads, before the new pods roll out", () => {
    const job = named(objects, "Job", "perimeter-bootstrap");
    const hooks = job.metadata.annotations["helm.sh/hook"].split(",");
    expect(hooks).toContain("pre-upgrade");
    // pre-install needs a database that exists before the release: only an external one does.
    expect(hooks).toContain(
      "bundled" in values.postgresql && values.postgresql.bundled === false ? "pre-install" : "post-install",
    );
    const chartSecret = ofKind(objects, "Secret")[0] as Obj;
    expect(Number(chartSecret.metadata.annotations["helm.sh/hook-weight"])).toBeLessThan(
      Number(job.metadata.annotations["helm.sh/hook-weight"]),
    );
    expect(job.spec.template.spec.containers[0].image).toMatch(/migrate:/);
    const migrateCmd = readFileSync(path.join(repoRoot, "deploy/docker/migrate.Dockerfile"), "utf8").match(
      /^CMD (.*)$/m,
    )?.[1];
    const waitCommand = named(objects, "Deployment", "perimeter-gateway").spec.template.spec.initContainers[0].command;
    expect(JSON.parse(migrateCmd ?? "[]")).toEqual(waitCommand.slice(0, -1));
  });
});

describe("chart options", () => {
  it("gives the worker exactly the Kubernetes driver's Role (docs/deployments.md) in each namespace it manages", () => {
    const docs = readFileSync(path.join(repoRoot, "docs/deployments.md"), "utf8");
    const block = docs.match(/```yaml\n([\s\S]*?kind: Role\n[\s\S]*?)```/)?.[1] ?? "";
    const documented = parseAllDocuments(block)
      .map((d) => d.toJS() as Obj)
      .find((o) => o.kind === "Role");
    expect(documented?.rules).toBeDefined();
    const { objects } = render(production);
    const roles = ofKind(objects, "Role");
    expect(roles.map((r) => r.metadata.namespace)).toEqual(["gpu-a", "gpu-b"]);
    for (const role of roles) expect(role.rules).toEqual(documented?.rules);
    for (const binding of ofKind(objects, "RoleBinding")) {
      expect(binding.roleRef.name).toBe(named(objects, "Role", binding.roleRef.name).metadata.name);
      expect(binding.subjects).toEqual([{ kind: "ServiceAccount", name: "perimeter-worker", namespace: "perimeter" }]);
    }
    const worker = named(objects, "Deployment", "perimeter-worker");
    expect(worker.spec.template.spec.serviceAccountName).toBe("perimeter-worker");
    const env = worker.spec.template.spec.containers[0].env;
    expect(env).toContainEqual({ name: "DEPLOY_KUBERNETES_NAMESPACE", value: "gpu-a" });
  });

  it("pulls every Perimeter image from the configured registry", () => {
    const { objects } = render(production);
    const images = workloads(objects).flatMap((w) =>
      [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers].map((c: Obj) => c.image),
    );
    expect(images.length).toBeGreaterThan(4);
    for (const image of images) expect(image).toMatch(/^registry\.internal:5000\/perimeter\/[a-z-]+:0\.1\.0$/);
  });

  it("hands the model deployment to the bootstrap as JSON its parser accepts", () => {
    const { objects } = render(production);
    const job = named(objects, "Job", "perimeter-bootstrap");
    const entry = job.spec.template.spec.containers[0].env.find((e: Obj) => e.name === "PERIMETER_MODEL_DEPLOYMENT");
    expect(JSON.parse(entry.value)).toMatchObject({ name: "umans-coder", driver: "kubernetes", replicas: 1 });
  });

  it("scales the gateway with a fixed replica count when autoscaling is off", () => {
    const { objects } = render({ ...evaluation, gateway: { autoscaling: { enabled: false }, replicas: 3 } });
    expect(ofKind(objects, "HorizontalPodAutoscaler")).toEqual([]);
    expect(named(objects, "Deployment", "perimeter-gateway").spec.replicas).toBe(3);
  });

  it("writes no Secret when an existing one is named, and references it everywhere", () => {
    const { objects } = render({ ...production, secrets: { existingSecret: "perimeter-managed" } });
    expect(ofKind(objects, "Secret")).toEqual([]);
    const refs = workloads(objects).flatMap((w) =>
      [...(w.spec.template.spec.initContainers ?? []), ...w.spec.template.spec.containers].flatMap((c: Obj) =>
        (c.env ?? []).flatMap((e: Obj) => (e.valueFrom?.secretKeyRef ? [e.valueFrom.secretKeyRef.name] : [])),
      ),
    );
    expect(new Set(refs)).toEqual(new Set(["perimeter-managed"]));
  });

  it("refuses to render without the secrets a working install needs, naming the value", () => {
    expect(() => render({})).toThrow(/secrets\.perimeterSecret is required/);
    expect(() => render({ secrets: { perimeterSecret: secret } })).toThrow(/postgresql\.password is required/);
    expect(() => render({ ...production, database: { url: "" } })).toThrow(/database\.url is required/);
    expect(() => render({ ...evaluation, ingress: { enabled: true } })).toThrow(/ingress\.web\.host is required/);
    expect(() => render({ ...evaluation, worker: { replicas: 2 } })).toThrow(
      /needs exports\.persistence\.accessMode ReadWriteMany/,
    );
  });

  it("tells developers the gateway's public URL behind the ingress", () => {
    const { objects } = render(production);
    const web = named(objects, "Deployment", "perimeter-web").spec.template.spec.containers[0];
    expect(web.env).toContainEqual({ name: "GATEWAY_PUBLIC_URL", value: "https://llm.example.com" });
    expect(web.env).toContainEqual({ name: "WEB_PUBLIC_URL", value: "https://perimeter.example.com" });
  });
});
