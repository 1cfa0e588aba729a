import { createHash } from "node:crypto";
import { stringify } from "yaml";
import {
  GoInt,
  goCompare,
  goEquals,
  isEmpty,
  isMap,
  isTruthy,
  printValue,
  TemplateRuntimeError,
  toPlainData,
} from "./template-values.ts";

// The functions the chart may call: Go's text/template builtins plus the Sprig and Helm functions in
// use, each with the argument order and edge cases of its original (Sprig `functions.go`, Helm
// `pkg/engine/funcs.go`). A name missing here is an error at render time, so a typo never renders.

export type TemplateFunction = (...args: unknown[]) => unknown;

function text(value: unknown, name: string): string {
  if (typeof value === "string") return value;
  if (value === undefined || value === null) return "";
  if (typeof value === "number" || typeof value === "boolean" || value instanceof GoInt) return printValue(value);
  throw new TemplateRuntimeError(`${name}: expected a string, got ${printValue(value)}`);
}

function toInt(value: unknown): bigint {
  if (value instanceof GoInt) return value.value;
  if (typeof value === "number") return BigInt(Math.trunc(value));
  if (typeof value === "string" && /^-?\d+$/.test(value.trim())) return BigInt(value.trim());
  if (typeof value === "boolean") return value ? 1n : 0n;
  // Sprig's toInt64 turns anything it cannot convert into 0.
  return 0n;
}

/** Go's %q for the strings a chart quotes; JSON's escapes agree with Go's for printable text. */
function goQuote(value: string): string {
  return JSON.stringify(value);
}

/** Sorted keys at every level, as Go's encoders write maps. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isMap(value)) {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, sortKeys(value[key])]),
    );
  }
  return value;
}

/** Helm's toYaml: the YAML of the value without its final newline. */
function toYaml(value: unknown): string {
  if (value === undefined) return "null";
  return stringify(sortKeys(toPlainData(value)), { lineWidth: 0 }).replace(/\n$/, "");
}

function indent(spaces: unknown, value: unknown): string {
  const pad = " ".repeat(Number(toInt(spaces)));
  return pad + text(value, "indent").replaceAll("\n", `\n${pad}`);
}

/** fmt.Sprintf for the verbs charts use: %s %d %v %q and %%. */
function printf(format: unknown, ...args: unknown[]): string {
  let next = 0;
  return text(format, "printf").replace(/%([sdvq%])/g, (_, verb: string) => {
    if (verb === "%") return "%";
    if (next >= args.length) return `%!${verb}(MISSING)`;
    const arg = args[next++];
    if (verb === "q") return goQuote(text(arg, "printf"));
    if (verb === "d" && !(arg instanceof GoInt)) return `%!d(${printValue(arg)})`;
    return printValue(arg);
  });
}

export const templateFunctions: Record<string, TemplateFunction> = {
  // text/template builtins (`and`, `or` are evaluated lazily by the executor).
  not: (value) => !isTruthy(value),
  eq: (left, ...rights) => {
    if (rights.length === 0) throw new TemplateRuntimeError("eq: missing argument for comparison");
    return rights.some((right) => goEquals(left, right));
  },
  ne: (left, right) => !goEquals(left, right),
  lt: (left, right) => goCompare(left, right) < 0,
  le: (left, right) => goCompare(left, right) <= 0,
  gt: (left, right) => goCompare(left, right) > 0,
  ge: (left, right) => goCompare(left, right) >= 0,
  len: (value) => {
    if (typeof value === "string" || Array.isArray(value)) return new GoInt(BigInt(value.length));
    if (isMap(value)) return new GoInt(BigInt(Object.keys(value).length));
    throw new TemplateRuntimeError(`len of ${printValue(value)}`);
  },
  index: (collection, ...keys) => {
    let current = collection;
    for (const key of keys) {
      if (Array.isArray(current)) current = current[Number(toInt(key))];
      else if (isMap(current)) current = current[text(key, "index")];
      else throw new TemplateRuntimeError(`index of untyped nil`);
    }
    return current;
  },
  printf,
  print: (...args) => args.map(printValue).join(""),

  // Sprig.
  default: (fallback, ...given) => (given.length === 0 || isEmpty(given[0]) ? fallback : given[0]),
  empty: (value) => isEmpty(value),
  ternary: (ifTrue, ifFalse, condition) => (isTruthy(condition) ? ifTrue : ifFalse),
  coalesce: (...values) => values.find((value) => !isEmpty(value)),
  quote: (...values) =>
    values
      .filter((value) => value !== undefined && value !== null)
      .map((value) => goQuote(printValue(value)))
      .join(" "),
  squote: (...values) =>
    values
      .filter((value) => value !== undefined && value !== null)
      .map((value) => `'${printValue(value)}'`)
      .join(" "),
  trunc: (length, value) => {
    const s = text(value, "trunc");
    const n = Number(toInt(length));
    return n >= 0 ? s.slice(0, n) : s.slice(Math.max(0, s.length + n));
  },
  trimSuffix: (suffix, value) => {
    const [s, end] = [text(value, "trimSuffix"), text(suffix, "trimSuffix")];
    return end && s.endsWith(end) ? s.slice(0, -end.length) : s;
  },
  trim: (value) => text(value, "trim").trim(),
  lower: (value) => text(value, "lower").toLowerCase(),
  upper: (value) => text(value, "upper").toUpperCase(),
  replace: (from, to, value) => text(value, "replace").replaceAll(text(from, "replace"), text(to, "replace")),
  contains: (needle, value) => text(value, "contains").includes(text(needle, "contains")),
  hasPrefix: (prefix, value) => text(value, "hasPrefix").startsWith(text(prefix, "hasPrefix")),
  join: (separator, list) => {
    if (!Array.isArray(list)) throw new TemplateRuntimeError("join: expected a list");
    return list.map(printValue).join(text(separator, "join"));
  },
  toString: (value: unknown) => printValue(value),
  int: (value) => new GoInt(toInt(value)),
  add: (...values) => new GoInt(values.reduce<bigint>((sum, value) => sum + toInt(value), 0n)),
  list: (...values) => values,
  first: (list) => (Array.isArray(list) ? list[0] : undefined),
  dict: (...pairs) => {
    const result: Record<string, unknown> = {};
    for (let i = 0; i < pairs.length; i += 2) result[text(pairs[i], "dict")] = pairs[i + 1];
    return result;
  },
  hasKey: (map, key) => isMap(map) && Object.hasOwn(map, text(key, "hasKey")),
  b64enc: (value) => Buffer.from(text(value, "b64enc"), "utf8").toString("base64"),
  sha256sum: (value) => createHash("sha256").update(text(value, "sha256sum")).digest("hex"),
  indent,
  nindent: (spaces, value) => `\n${indent(spaces, value)}`,
  toYaml,
  toJson: (value) => JSON.stringify(sortKeys(toPlainData(value)) ?? null),
  fail: (message) => {
    throw new TemplateRuntimeError(text(message, "fail"));
  },

  // Helm: `required` fails the render with its message when the value is nil or "".
  required: (message, value) => {
    if (value === undefined || value === null || value === "")
      throw new TemplateRuntimeError(text(message, "required"));
    return value;
  },
};
