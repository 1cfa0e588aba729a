// A Dockerfile read into stages and instructions, following the Dockerfile reference: `\` continues a
// line, comment lines inside a continued instruction are dropped, `--flag=value` options precede the
// arguments of RUN/COPY/ADD/HEALTHCHECK/FROM, and ARGs declared before the first FROM may be used in
// FROM (their defaults are substituted here).

export interface Instruction {
  keyword: string;
  /** `--from=build` → { from: "build" }; repeated flags (`--mount`) keep the last value. */
  flags: Record<string, string>;
  /** The arguments after the flags, as written (continuations joined with a space). */
  args: string;
  line: number;
  /** The comment lines directly above the instruction, without `#`. */
  comment: string;
}

export interface Stage {
  /** The base image with global ARG defaults substituted, or the name of an earlier stage. */
  base: string;
  name: string | null;
  line: number;
  instructions: Instruction[];
}

export interface Dockerfile {
  globalArgs: Record<string, string>;
  stages: Stage[];
}

function splitFlags(rest: string): { flags: Record<string, string>; args: string } {
  const flags: Record<string, string> = {};
  let args = rest;
  for (;;) {
    const match = args.match(/^--([a-z-]+)(?:=(\S*))?\s*/);
    if (!match) break;
    flags[match[1] as string] = match[2] ?? "true";
    args = args.slice(match[0].length);
  }
  return { flags, args: args.trim() };
}

function substitute(value: string, vars: Record<string, string>): string {
  return value.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (whole, name: string) => vars[name] ?? whole);
}

/** Parses Dockerfile text; throws on an instruction before the first FROM other than ARG. */
export function parseDockerfile(text: string): Dockerfile {
  const lines = text.split("\n");
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  let comment: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i] as string;
    const trimmed = raw.trim();
    if (trimmed === "") {
      comment = [];
      continue;
    }
    if (trimmed.startsWith("#")) {
      comment.push(trimmed.replace(/^#\s?/, ""));
      continue;
    }
    const start = i;
    let joined = trimmed;
    let continued = joined.endsWith("\\");
    while (continued && i + 1 < lines.length) {
      if (joined.endsWith("\\")) joined = joined.slice(0, -1);
      i++;
      const next = (lines[i] as string).trim();
      // A comment inside a continued instruction is dropped and the continuation goes on past it.
      if (next.startsWith("#")) continue;
      joined += ` ${next}`;
      continued = next.endsWith("\\");
    }
    const [keywordText, ...restWords] = joined.split(/\s+/);
    const keyword = (keywordText as string).toUpperCase();
    const { flags, args } = splitFlags(restWords.join(" "));
    const instruction: Instruction = { keyword, flags, args, line: start + 1, comment: comment.join("\n") };
    comment = [];
    if (keyword === "FROM") {
      const match = args.match(/^(\S+)(?:\s+AS\s+(\S+))?$/i);
      if (!match) throw new Error(`line ${start + 1}: FROM needs an image`);
      stages.push({
        base: substitute(match[1] as string, globalArgs),
        name: match[2] ?? null,
        line: start + 1,
        instructions: [],
      });
    } else if (stages.length === 0) {
      if (keyword !== "ARG") throw new Error(`line ${start + 1}: ${keyword} before the first FROM`);
      const [name, value = ""] = args.split("=", 2) as [string, string?];
      globalArgs[name] = value;
    } else {
      (stages[stages.length - 1] as Stage).instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

/** CMD/ENTRYPOINT/HEALTHCHECK arguments in exec form (a JSON array of strings), else null. */
export function execForm(args: string): string[] | null {
  if (!args.startsWith("[")) return null;
  try {
    const parsed = JSON.parse(args) as unknown;
    return Array.isArray(parsed) && parsed.every((part) => typeof part === "string") ? parsed : null;
  } catch {
    return null;
  }
}
