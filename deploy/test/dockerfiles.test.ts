import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { healthcheckCommand, lintDockerfile } from "../src/dockerfile/lint-dockerfile.ts";
import { parseDockerfile } from "../src/dockerfile/parse-dockerfile.ts";
import { healthRoutes, repoRoot, serviceServesRoute } from "./service-contracts.ts";

// Images cannot be built here (no Docker engine), so each Dockerfile is linted against the image rules
// and checked against the repository it builds from: the workspace it prunes to, the entry point it
// starts, the port and health route the service really has.

const images = {
  web: { workspace: "@perimeter/web", port: 3000 },
  gateway: { workspace: "@perimeter/gateway", port: 4000 },
  worker: { workspace: "@perimeter/worker", port: 4100 },
  "vllm-sim": { workspace: "@perimeter/vllm-sim", port: 8000 },
  migrate: { workspace: "@perimeter/deploy", port: null },
} as const;

const dockerfilePath = (name: string) => path.join(repoRoot, "deploy/docker", `${name}.Dockerfile`);
/** The folder of the workspace named `name`, from the root package.json's workspace list. */
function workspaceDir(name: string): string | undefined {
  const rootManifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
    workspaces: string[];
  };
  const dirs = rootManifest.workspaces.flatMap((pattern) =>
    pattern.endsWith("/*")
      ? readdirSync(path.join(repoRoot, pattern.slice(0, -2))).map((dir) => `${pattern.slice(0, -2)}/${dir}`)
      : [pattern],
  );
  return dirs.find((dir) => {
    const manifest = path.join(repoRoot, dir, "package.json");
    return existsSync(manifest) && (JSON.parse(readFileSync(manifest, "utf8")) as { name: string }).name === name;
  });
}

describe.each(Object.entries(images))("%s.Dockerfile", (name, expected) => {
  const text = readFileSync(dockerfilePath(name), "utf8");
  const file = parseDockerfile(text);
  const final = file.stages.at(-1);
  const args = (keyword: string) => final?.instructions.filter((i) => i.keyword === keyword).map((i) => i.args) ?? [];

  it("lints clean", () => {
    expect(lintDockerfile(file)).toEqual([]);
  });

  it("prunes to its own workspace with the repository's turbo version", () => {
    const prune = file.stages.flatMap((s) => s.instructions).find((i) => i.args.includes("turbo"));
    const rootManifest = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8"));
    expect(prune?.args).toContain(`turbo@${rootManifest.devDependencies.turbo} prune ${expected.workspace} --docker`);
    expect(workspaceDir(expected.workspace), expected.workspace).toBeDefined();
  });

  it("starts an entry point that exists, with node as PID 1", () => {
    const cmd = JSON.parse(args("CMD").at(-1) ?? "[]") as string[];
    expect(cmd[0]).toBe("node");
    const workdir = args("WORKDIR").at(-1) ?? "/app";
    const entry = cmd.find((part) => /\.(ts|mjs|js)$/.test(part) || part.includes("/bin/")) as string;
    const inRepo = path.relative("/app", path.resolve(workdir, entry));
    // node_modules paths resolve in the image's installed tree, which is the repository's too.
    expect(existsSync(path.join(repoRoot, inRepo)), inRepo).toBe(true);
  });

  it("checks the health route the service serves, on the port it listens on", () => {
    const health = healthcheckCommand(file);
    if (expected.port === null) {
      expect(health).toBeNull();
      expect(args("EXPOSE")).toEqual([]);
      return;
    }
    const component = name as keyof typeof healthRoutes;
    expect(args("EXPOSE")).toEqual([String(expected.port)]);
    // node /usr/local/lib/perimeter/healthcheck.mjs <PORT_VARIABLE> <default> <path>
    const [, script, variable, port, route] = health ?? [];
    expect(script).toBe("/usr/local/lib/perimeter/healthcheck.mjs");
    expect(port).toBe(String(expected.port));
    expect(route).toBe(healthRoutes[component].liveness);
    expect(serviceServesRoute(component, route as string)).toBe(true);
    // The variable is the one the image sets, so the check follows the port the service listens on.
    expect(args("ENV").join(" ")).toContain(`${variable}=${expected.port}`);
  });
});

describe("lintDockerfile", () => {
  const good = `ARG BASE=node:22.23.3-bookworm-slim
FROM \${BASE} AS build
RUN npm ci --ignore-scripts
FROM \${BASE}
COPY --from=build /app /app
USER node
HEALTHCHECK CMD ["node", "check.mjs"]
CMD ["node", "main.ts"]
`;
  const rules = (text: string) => lintDockerfile(parseDockerfile(text)).map((p) => p.rule);

  it("accepts a Dockerfile that follows every rule", () => {
    expect(rules(good)).toEqual([]);
  });

  it.each([
    ["pinned-base", good.replace("node:22.23.3-bookworm-slim", "node:22-slim")],
    ["pinned-base", good.replace("node:22.23.3-bookworm-slim", "node:latest")],
    ["non-root", good.replace("USER node", "USER root")],
    ["non-root", good.replace("USER node\n", "")],
    ["no-add-url", good.replace("USER node", "ADD https://example.com/x.tgz /x\nUSER node")],
    ["no-secret-env", good.replace("USER node", "ENV PERIMETER_SECRET=abc\nUSER node")],
    ["no-secret-env", good.replace("USER node", "ENV DATABASE_URL=postgresql://u:pw@db/x\nUSER node")],
    ["healthcheck", good.replace('HEALTHCHECK CMD ["node", "check.mjs"]\n', "")],
    ["healthcheck", good.replace('HEALTHCHECK CMD ["node", "check.mjs"]', "HEALTHCHECK NONE")],
    ["exec-form", good.replace('CMD ["node", "main.ts"]', "CMD node main.ts")],
    ["no-npm-at-runtime", good.replace('CMD ["node", "main.ts"]', 'CMD ["npm", "start"]')],
    ["npm-ci", good.replace("npm ci --ignore-scripts", "npm install")],
    ["npm-ci", good.replace("npm ci --ignore-scripts", "npm ci")],
    ["copy-from-stage", good.replace("--from=build", "--from=builder")],
    ["multi-stage", 'FROM node:22.23.3-bookworm-slim\nUSER node\nHEALTHCHECK NONE\nCMD ["node"]\n'],
  ])("reports %s", (rule, text) => {
    expect(rules(text)).toContain(rule);
  });

  it("joins continued lines and keeps flags apart from arguments", () => {
    const file = parseDockerfile(
      "FROM a:1.0 AS x\nRUN --mount=type=cache,target=/c \\\n    # note\n    npm ci \\\n  --ignore-scripts\n",
    );
    expect(file.stages[0]?.instructions[0]).toMatchObject({
      keyword: "RUN",
      flags: { mount: "type=cache,target=/c" },
      args: "npm ci --ignore-scripts",
      line: 2,
    });
  });
});

describe(".dockerignore", () => {
  it("keeps host modules, local data, secrets and git history out of the build context", () => {
    const ignored = readFileSync(path.join(repoRoot, ".dockerignore"), "utf8").split("\n");
    for (const entry of ["**/node_modules", ".data", "**/.env", "**/.env.*", ".git", "**/.next"]) {
      expect(ignored).toContain(entry);
    }
  });
});
