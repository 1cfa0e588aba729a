// How Go's text/template sees JavaScript values. Helm reads values.yaml into Go maps whose numbers are
// float64, while template literals and Sprig's arithmetic give int64; Go refuses to compare the two, and
// prints float64 with %v (1e+06 for a million). Keeping that distinction here makes the renderer fail
// or print exactly where Helm would, instead of quietly doing better.

/** A Go int64: template integer literals and the results of `int`, `len`, `add`. */
export class GoInt {
  constructor(readonly value: bigint) {}
}

export class TemplateRuntimeError extends Error {
  override name = "TemplateRuntimeError";
}

export function isMap(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value) && !(value instanceof GoInt);
}

/** Go's %v for a float64: shortest digits, in exponent form below 1e-4 and from 1e6 up. */
export function formatFloat(value: number): string {
  if (!Number.isFinite(value)) return value > 0 ? "+Inf" : value < 0 ? "-Inf" : "NaN";
  if (value === 0) return "0";
  const [mantissa, exponentText] = value.toExponential().split("e") as [string, string];
  const exponent = Number(exponentText);
  // strconv.FormatFloat(f, 'g', -1, 64) switches to %e when the exponent is < -4 or >= 6 (eprec 6 for
  // the shortest representation), and writes at least two exponent digits.
  if (exponent < -4 || exponent >= 6) {
    const sign = exponent < 0 ? "-" : "+";
    return `${mantissa}e${sign}${String(Math.abs(exponent)).padStart(2, "0")}`;
  }
  return String(value);
}

/** What `{{ value }}` prints: Go's fmt %v, with Helm's "<no value>" replaced by nothing. */
export function printValue(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (typeof value === "boolean") return String(value);
  if (typeof value === "number") return formatFloat(value);
  if (value instanceof GoInt) return value.value.toString();
  if (Array.isArray(value)) return `[${value.map(printValue).join(" ")}]`;
  if (isMap(value)) {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${key}:${printValue(value[key])}`);
    return `map[${entries.join(" ")}]`;
  }
  return String(value);
}

/** text/template's truth: false, 0, nil and empty strings, lists and maps are false. */
export function isTruthy(value: unknown): boolean {
  if (value === undefined || value === null || value === false || value === "" || value === 0) return false;
  if (value instanceof GoInt) return value.value !== 0n;
  if (Array.isArray(value)) return value.length > 0;
  if (isMap(value)) return Object.keys(value).length > 0;
  return true;
}

type BasicKind = "bool" | "int" | "float" | "string" | "nil" | "other";

function basicKind(value: unknown): BasicKind {
  if (value === undefined || value === null) return "nil";
  if (typeof value === "boolean") return "bool";
  if (value instanceof GoInt) return "int";
  if (typeof value === "number") return "float";
  if (typeof value === "string") return "string";
  return "other";
}

/** Go's `eq` on two values: same basic kind or an error, as text/template's `eq` reports it. */
export function goEquals(left: unknown, right: unknown): boolean {
  const [a, b] = [basicKind(left), basicKind(right)];
  if (a === "nil" || b === "nil") return a === b;
  if (a !== b || a === "other") {
    throw new TemplateRuntimeError(`incompatible types for comparison: ${a} and ${b}`);
  }
  if (left instanceof GoInt && right instanceof GoInt) return left.value === right.value;
  return left === right;
}

/** Go's `lt` and friends: ints with ints, floats with floats, strings with strings. */
export function goCompare(left: unknown, right: unknown): number {
  const [a, b] = [basicKind(left), basicKind(right)];
  if (a !== b || !["int", "float", "string"].includes(a)) {
    throw new TemplateRuntimeError(`incompatible types for comparison: ${a} and ${b}`);
  }
  const [x, y] = left instanceof GoInt && right instanceof GoInt ? [left.value, right.value] : [left, right];
  return (x as number) < (y as number) ? -1 : (x as number) > (y as number) ? 1 : 0;
}

/** Sprig's `empty`: the zero value of its type. */
export function isEmpty(value: unknown): boolean {
  return !isTruthy(value);
}

/** Converts a template value to plain data for YAML/JSON output (GoInt becomes a number). */
export function toPlainData(value: unknown): unknown {
  if (value instanceof GoInt) return Number(value.value);
  if (Array.isArray(value)) return value.map(toPlainData);
  if (isMap(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toPlainData(v)]));
  return value;
}
