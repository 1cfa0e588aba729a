/** A trimmed text field; empty or missing → undefined, so schema defaults and "optional" apply. */
export function text(form: FormData, name: string): string | undefined {
  const value = form.get(name);
  if (typeof value !== "string") return undefined;
  const trimmed = value.trim();
  return trimmed === "" ? undefined : trimmed;
}

/**
 * A whole-number field. Empty → `whenEmpty` (null clears a limit); digits (with optional `_` or `,`
 * separators) → the number; anything else is passed through as the string, so the schema rejects it
 * with a field message instead of being silently dropped.
 */
export function integer(
  form: FormData,
  name: string,
  whenEmpty: null | undefined = undefined,
): number | string | null | undefined {
  const value = text(form, name);
  if (value === undefined) return whenEmpty;
  const compact = value.replace(/[_,\s]/g, "");
  return /^-?\d+$/.test(compact) ? Number(compact) : value;
}

/** A date-time-local input (`2026-12-31T18:00`) read in the browser's offset sent alongside, as ISO 8601. */
export function localDateTime(form: FormData, name: string): string | undefined {
  const value = text(form, name);
  if (!value) return undefined;
  const offsetMinutes = Number(text(form, `${name}Offset`) ?? "0");
  const parsed = new Date(`${value}:00Z`);
  if (Number.isNaN(parsed.getTime())) return value;
  return new Date(parsed.getTime() + offsetMinutes * 60_000).toISOString();
}

/** Comma or newline separated names → a de-duplicated list; empty → []. */
export function list(form: FormData, name: string): string[] {
  return [
    ...new Set(
      (text(form, name) ?? "")
        .split(/[\n,]/)
        .map((item) => item.trim())
        .filter(Boolean),
    ),
  ];
}
