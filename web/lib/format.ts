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

const hourShort = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "UTC" });
const dayShort = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", timeZone: "UTC" });
const hourLong = new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "short", timeZone: "UTC" });
const dayLong = new Intl.DateTimeFormat("en-GB", {
  weekday: "short",
  day: "numeric",
  month: "short",
  year: "numeric",
  timeZone: "UTC",
});

/**
 * A usage bucket's start (rollup buckets are UTC hours and days): under an axis `14:00`, or the date
 * at midnight; in a tooltip `3 Mar 2026, 14:00 UTC` or `Tue, 3 Mar 2026 (UTC)`.
 */
export function formatBucket(start: string, width: "1h" | "1d", short: boolean): string {
  const date = new Date(start);
  if (width === "1d") return short ? dayShort.format(date) : `${dayLong.format(date)} (UTC)`;
  if (!short) return `${hourLong.format(date)} UTC`;
  return date.getUTCHours() === 0 ? dayShort.format(date) : hourShort.format(date);
}

/** 1.2 s, 840 ms; "—" for none. */
export function formatMs(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return value >= 1000 ? `${(value / 1000).toFixed(1)} s` : `${Math.round(value)} ms`;
}
