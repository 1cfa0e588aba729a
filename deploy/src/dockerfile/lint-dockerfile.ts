import { type Dockerfile, execForm, type Stage } from "./parse-dockerfile.ts";

// The rules Perimeter's images must follow, for images that are installed inside a perimeter: what
// they are built from is pinned and mirrorable, nothing runs as root, nothing is fetched from a URL or
// at run time, no secret is baked in, the orchestrator can tell whether the service is healthy, and
// SIGTERM reaches the service so it drains.

export interface LintProblem {
  rule: string;
  line: number;
  message: string;
}

const secretName = /(SECRET|PASSWORD|PASSWD|TOKEN|API_KEY|APIKEY|PRIVATE_KEY|CREDENTIAL)/i;
const credentialsInUrl = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:[^/\s@]+@/i;

/** `KEY=value KEY2="v"` (ENV, LABEL, ARG) or the legacy `ENV KEY value`. */
function assignments(args: string): [string, string][] {
  const pairs = [...args.matchAll(/([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|\S*)/g)].map(
    (m) => [m[1], (m[2] as string).replace(/^"|"$/g, "")] as [string, string],
  );
  if (pairs.length > 0) return pairs;
  const [key, ...value] = args.split(/\s+/);
  return key ? [[key, value.join(" ")]] : [];
}

/** A tag that names one release (`22.23.3-bookworm-slim`, `17.6`), or a digest. */
function isPinned(image: string): boolean {
  if (/@sha256:[a-f0-9]{64}$/.test(image)) return true;
  const tag = image.match(/:([^/:]+)$/)?.[1];
  return tag !== undefined && tag !== "latest" && /^v?\d+\.\d+/.test(tag);
}

function finalStage(file: Dockerfile): Stage | undefined {
  return file.stages[file.stages.length - 1];
}

/**
 * Checks a parsed Dockerfile against Perimeter's image rules; an empty list means it passes.
 * `pinned-base`, `multi-stage`, `non-root`, `no-add-url`, `healthcheck`, `no-secret-env`,
 * `exec-form`, `no-npm-at-runtime`, `npm-ci`, `copy-from-stage`.
 */
export function lintDockerfile(file: Dockerfile): LintProblem[] {
  const problems: LintProblem[] = [];
  const add = (rule: string, line: number, message: string) => problems.push({ rule, line, message });
  const stageNames = new Set<string>();

  for (const stage of file.stages) {
    if (!stageNames.has(stage.base) && !isPinned(stage.base)) {
      add("pinned-base", stage.line, `base image ${stage.base} is not pinned to a release tag or digest`);
    }
    for (const instruction of stage.instructions) {
      const { keyword, args, flags, line } = instruction;
      if (keyword === "ADD" && /(^|\s)(https?|git|ssh):\/\/|(^|\s)git@/.test(args)) {
        add("no-add-url", line, "ADD fetches from a URL at build time; vendor the file and COPY it");
      }
      if (keyword === "ENV" || keyword === "ARG") {
        for (const [key, value] of assignments(args)) {
          if ((secretName.test(key) && value !== "") || credentialsInUrl.test(value)) {
            add("no-secret-env", line, `${keyword} ${key} bakes a secret into the image; pass it at run time`);
          }
        }
      }
      if (keyword === "RUN" && /\bnpm\s+(install|i|add)\b/.test(args)) {
        add("npm-ci", line, "npm install resolves versions anew; use npm ci on the lockfile");
      }
      if (keyword === "RUN" && /\bnpm\s+ci\b/.test(args) && !/--ignore-scripts\b/.test(args)) {
        add("npm-ci", line, "npm ci without --ignore-scripts runs install scripts, which may download");
      }
      if ((keyword === "COPY" || keyword === "ADD") && flags.from && !stageNames.has(flags.from)) {
        add("copy-from-stage", line, `COPY --from=${flags.from} names no earlier stage`);
      }
    }
    if (stage.name) stageNames.add(stage.name);
  }

  const last = finalStage(file);
  if (!last) return [{ rule: "multi-stage", line: 1, message: "no FROM" }];
  if (file.stages.length < 2 || !last.instructions.some((i) => i.keyword === "COPY" && i.flags.from)) {
    add("multi-stage", last.line, "build in earlier stages and COPY --from them into a final runtime stage");
  }
  const user = last.instructions.filter((i) => i.keyword === "USER").at(-1);
  if (!user || /^(root|0)(:|$)/.test(user.args)) {
    add("non-root", user?.line ?? last.line, "the final stage must switch to a non-root USER");
  }
  const health = last.instructions.filter((i) => i.keyword === "HEALTHCHECK").at(-1);
  if (!health) {
    add("healthcheck", last.line, "the final stage needs a HEALTHCHECK (or HEALTHCHECK NONE for a one-shot job)");
  } else if (health.args === "NONE" && !/one-shot|job/i.test(health.comment)) {
    add("healthcheck", health.line, "HEALTHCHECK NONE needs a comment saying why (a one-shot job)");
  } else if (health.args !== "NONE" && !execForm(health.args.replace(/^CMD\s+/, ""))) {
    add("healthcheck", health.line, "HEALTHCHECK CMD must be in exec form");
  }
  for (const keyword of ["CMD", "ENTRYPOINT"]) {
    const start = last.instructions.filter((i) => i.keyword === keyword).at(-1);
    if (!start) continue;
    const argv = execForm(start.args);
    if (!argv) add("exec-form", start.line, `${keyword} in shell form runs under sh, which does not pass SIGTERM on`);
    if (argv && /^(npm|npx|yarn|pnpm)$/.test(argv[0] ?? "")) {
      add("no-npm-at-runtime", start.line, `${keyword} starts ${argv[0]}: it may fetch packages and swallows signals`);
    }
  }
  if (!last.instructions.some((i) => i.keyword === "CMD" || i.keyword === "ENTRYPOINT")) {
    add("exec-form", last.line, "the final stage needs a CMD or ENTRYPOINT");
  }
  return problems;
}

/** The final stage's HEALTHCHECK command (exec form, without `CMD`), or null for none / NONE. */
export function healthcheckCommand(file: Dockerfile): string[] | null {
  const health = finalStage(file)
    ?.instructions.filter((i) => i.keyword === "HEALTHCHECK")
    .at(-1);
  if (!health || health.args === "NONE") return null;
  return execForm(health.args.replace(/^CMD\s+/, ""));
}
