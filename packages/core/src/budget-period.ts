/** The calendar periods token budgets reset on. */
export type BudgetPeriodKind = "day" | "week" | "month";

export interface BudgetPeriod {
  /** Inclusive start, epoch milliseconds. */
  startMs: number;
  /** Exclusive end (the next period's start), epoch milliseconds. */
  endMs: number;
}

interface LocalDate {
  year: number;
  month: number; // 1-12
  day: number;
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatter(timeZone: string): Intl.DateTimeFormat {
  let cached = formatters.get(timeZone);
  if (!cached) {
    cached = new Intl.DateTimeFormat("en-US", {
      timeZone,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
      second: "numeric",
    });
    formatters.set(timeZone, cached);
  }
  return cached;
}

/** The wall-clock fields of instant `ms` in `timeZone`. */
function wallClock(ms: number, timeZone: string) {
  const parts: Record<string, number> = {};
  for (const part of formatter(timeZone).formatToParts(ms)) {
    if (part.type !== "literal") parts[part.type] = Number(part.value);
  }
  return parts as { year: number; month: number; day: number; hour: number; minute: number; second: number };
}

/** How far `timeZone` is ahead of UTC at instant `ms`, in milliseconds. */
function offsetMs(ms: number, timeZone: string): number {
  const wall = wallClock(ms, timeZone);
  const asUtc = Date.UTC(wall.year, wall.month - 1, wall.day, wall.hour, wall.minute, wall.second);
  return asUtc - Math.floor(ms / 1000) * 1000;
}

/**
 * The instant local midnight of `date` falls on in `timeZone`. Where a DST change skips midnight, the
 * first instant of that local day; the offset is re-read after one correction, which settles it.
 */
function localMidnight(date: LocalDate, timeZone: string): number {
  const naive = Date.UTC(date.year, date.month - 1, date.day);
  let guess = naive - offsetMs(naive, timeZone);
  guess = naive - offsetMs(guess, timeZone);
  // A skipped midnight lands in the previous local day: move to the start of the right one.
  const wall = wallClock(guess, timeZone);
  if (wall.day !== date.day) guess += (24 - wall.hour) * 3_600_000 - wall.minute * 60_000 - wall.second * 1000;
  return guess;
}

function addDays(date: LocalDate, days: number): LocalDate {
  const moved = new Date(Date.UTC(date.year, date.month - 1, date.day + days));
  return { year: moved.getUTCFullYear(), month: moved.getUTCMonth() + 1, day: moved.getUTCDate() };
}

/**
 * The budget period containing instant `nowMs`: the calendar day, week (starting on `weekStartsOn`, ISO
 * numbering 1 = Monday … 7 = Sunday) or month in the organization's `timeZone` (an IANA name), as the
 * half-open UTC interval `[startMs, endMs)`. Days across a DST change are 23 or 25 hours long.
 */
export function budgetPeriod(kind: BudgetPeriodKind, nowMs: number, timeZone: string, weekStartsOn = 1): BudgetPeriod {
  // The gateway asks on every request; time-zone arithmetic is slow, and a period changes rarely.
  const key = `${kind}|${timeZone}|${weekStartsOn}`;
  const known = lastPeriods.get(key);
  if (known && nowMs >= known.startMs && nowMs < known.endMs) return known;
  const period = computePeriod(kind, nowMs, timeZone, weekStartsOn);
  if (lastPeriods.size > 1_000) lastPeriods.clear();
  lastPeriods.set(key, period);
  return period;
}

/** The last period computed for each kind, time zone and week start. */
const lastPeriods = new Map<string, BudgetPeriod>();

function computePeriod(kind: BudgetPeriodKind, nowMs: number, timeZone: string, weekStartsOn: number): BudgetPeriod {
  const wall = wallClock(nowMs, timeZone);
  const today: LocalDate = { year: wall.year, month: wall.month, day: wall.day };
  let start: LocalDate;
  let end: LocalDate;
  if (kind === "day") {
    start = today;
    end = addDays(today, 1);
  } else if (kind === "week") {
    const isoWeekday = ((new Date(Date.UTC(today.year, today.month - 1, today.day)).getUTCDay() + 6) % 7) + 1;
    start = addDays(today, -((isoWeekday - weekStartsOn + 7) % 7));
    end = addDays(start, 7);
  } else {
    start = { year: today.year, month: today.month, day: 1 };
    end =
      today.month === 12
        ? { year: today.year + 1, month: 1, day: 1 }
        : { year: today.year, month: today.month + 1, day: 1 };
  }
  return { startMs: localMidnight(start, timeZone), endMs: localMidnight(end, timeZone) };
}
