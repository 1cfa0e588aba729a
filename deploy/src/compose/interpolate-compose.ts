// Variable interpolation as the Compose Specification defines it (compose-spec `interpolation.md`):
// `$VAR` and `${VAR}`; `${VAR:-default}` when unset or empty, `${VAR-default}` when unset;
// `${VAR:?message}` / `${VAR?message}` fail; `${VAR:+alt}` / `${VAR+alt}` substitute when set;
// `$$` is a literal `$`. It runs on every string of the parsed file, keys excluded, as Compose does.

export class InterpolationError extends Error {
  override name = "InterpolationError";
}

const expression =
  /\$(\$|\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?)([-?+])((?:[^{}]|\{[^{}]*\})*))?\}|([A-Za-z_][A-Za-z0-9_]*))/g;

/** Substitutes the variables of one string from `env`; throws `InterpolationError` for `:?`/`?` on a missing value. */
export function interpolateString(value: string, env: Record<string, string | undefined>, where: string): string {
  return value.replace(expression, (_whole, dollar, braced, colon, operator, operand, bare) => {
    if (dollar === "$") return "$";
    const name = (braced ?? bare) as string;
    const current = env[name];
    const missing = colon ? current === undefined || current === "" : current === undefined;
    switch (operator) {
      case "-":
        return missing ? interpolateString(operand ?? "", env, where) : (current as string);
      case "?":
        if (missing) throw new InterpolationError(`${where}: required variable ${name} is missing a value: ${operand}`);
        return current as string;
      case "+":
        return missing ? "" : interpolateString(operand ?? "", env, where);
      default:
        return current ?? "";
    }
  });
}

/** Interpolates every string value of a parsed compose file (a new tree; the input is not changed). */
export function interpolateCompose(node: unknown, env: Record<string, string | undefined>, where = ""): unknown {
  if (typeof node === "string") return interpolateString(node, env, where || "compose file");
  if (Array.isArray(node)) return node.map((item, i) => interpolateCompose(item, env, `${where}[${i}]`));
  if (node && typeof node === "object") {
    return Object.fromEntries(
      Object.entries(node).map(([key, value]) => [
        key,
        interpolateCompose(value, env, where ? `${where}.${key}` : key),
      ]),
    );
  }
  return node;
}
