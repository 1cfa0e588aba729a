const numberFormat = new Intl.NumberFormat("en-US");

/** 1,234,567, or "—" for none. */
export function formatNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : numberFormat.format(value);
}

/** A date-time in the organization's time zone, e.g. "3 Dec 2026, 14:05". */
export function formatDateTime(date: Date | null | undefined, timeZone = "UTC"): string {
  if (!date) return "—";
  return new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone }).format(date);
}

/** "just now", "5 min ago", "3 h ago", "2 days ago", "in 4 days"; "never" for none. */
export function formatRelative(date: Date | null | undefined, now: Date = new Date()): string {
  if (!date) return "never";
  const seconds = Math.round((date.getTime() - now.getTime()) / 1000);
  const past = seconds < 0;
  const abs = Math.abs(seconds);
  const say = (n: number, unit: string) => (past ? `${n} ${unit} ago` : `in ${n} ${unit}`);
  if (abs < 60) return past ? "just now" : "in under a minute";
  if (abs < 3600) return say(Math.round(abs / 60), "min");
  if (abs < 86_400) return say(Math.round(abs / 3600), "h");
  const days = Math.round(abs / 86_400);
  return say(days, days === 1 ? "day" : "days");
}
