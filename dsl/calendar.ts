/**
 * Business calendars: "N business days after", "next business day", counted on a snapshot of a region's
 * weekends and public holidays. Pure and deterministic (no holiday library, no clock): the interpreter
 * workflow calls these with the snapshot carried inside its compiled definition, so a replay computes the
 * same instants even after the holiday data is updated. Snapshots are made by `calendar-data.ts`.
 *
 * Business days keep the wall-clock time: 3 business days after Friday 10:00 in Hong Kong is the following
 * Wednesday 10:00 Hong Kong time (holidays permitting), computed in the calendar's time zone, DST included.
 */

export interface CalendarSnapshot {
  /** The name a definition uses: `hk`, `us`. */
  name: string;
  title: string;
  /** IANA zone in which days begin and end, e.g. `Asia/Hong_Kong`. */
  timeZone: string;
  /** ISO weekday numbers that are never business days (6 = Saturday, 7 = Sunday). */
  weekend: number[];
  /** Public holidays as `YYYY-MM-DD`, sorted. */
  holidays: string[];
  /** First and last year the holiday list covers. */
  coversYears: [number, number];
}

const DAY_MS = 86_400_000;

export function isBusinessDay(calendar: CalendarSnapshot, date: string): boolean {
  const year = Number(date.slice(0, 4));
  const [first, last] = calendar.coversYears;
  if (year < first || year > last) {
    throw new Error(`calendar '${calendar.name}' has holiday data for ${first}–${last} only; ${date} is outside it (recompile the definition with newer holiday data)`);
  }
  const weekday = new Date(`${date}T00:00:00Z`).getUTCDay() || 7;
  return !calendar.weekend.includes(weekday) && !calendar.holidays.includes(date);
}

/**
 * The instant `days` business days after `from`'s local date, at the same local time. With 0 days: `from`
 * itself if it falls on a business day, else the same time on the next business day ("same business day").
 */
export function addBusinessDays(calendar: CalendarSnapshot, from: Date, days: number): Date {
  return shiftBusinessDays(calendar, from, days, 1);
}

/** The instant `days` business days before `from`'s local date, at the same local time. */
export function subtractBusinessDays(calendar: CalendarSnapshot, from: Date, days: number): Date {
  return shiftBusinessDays(calendar, from, days, -1);
}

export function nextBusinessDay(calendar: CalendarSnapshot, from: Date): Date {
  return addBusinessDays(calendar, from, 1);
}

/** Business days after `from`'s local date up to and including `to`'s (0 when `to` is not later). */
export function businessDaysBetween(calendar: CalendarSnapshot, from: Date, to: Date): number {
  let date = localDate(from, calendar.timeZone);
  const end = localDate(to, calendar.timeZone);
  let count = 0;
  while (date < end) {
    date = addDays(date, 1);
    if (isBusinessDay(calendar, date)) count++;
  }
  return count;
}

/** Midnight at the start of a local date in the calendar's zone. */
export function startOfLocalDay(calendar: CalendarSnapshot, date: string): Date {
  return atLocalTime(date, 0, calendar.timeZone);
}

/** The local date (`YYYY-MM-DD`) of an instant in a time zone. */
export function localDate(instant: Date, timeZone: string): string {
  return wallClock(instant, timeZone).date;
}

function shiftBusinessDays(calendar: CalendarSnapshot, from: Date, days: number, direction: 1 | -1): Date {
  if (!Number.isInteger(days) || days < 0) throw new Error(`business days must be a whole number >= 0, got ${days}`);
  const { date: start, msOfDay } = wallClock(from, calendar.timeZone);
  let date = start;
  let counted = 0;
  if (days === 0) {
    while (!isBusinessDay(calendar, date)) date = addDays(date, direction);
  }
  while (counted < days) {
    date = addDays(date, direction);
    if (isBusinessDay(calendar, date)) counted++;
  }
  return date === start ? from : atLocalTime(date, msOfDay, calendar.timeZone);
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

/** The local date and time of day of an instant in a zone. */
function wallClock(instant: Date, timeZone: string): { date: string; msOfDay: number } {
  let format = formatters.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat('en-CA', {
      timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
    });
    formatters.set(timeZone, format);
  }
  const part = Object.fromEntries(format.formatToParts(instant).map((p) => [p.type, p.value]));
  const msOfDay = ((Number(part.hour) * 60 + Number(part.minute)) * 60 + Number(part.second)) * 1000 + instant.getUTCMilliseconds();
  return { date: `${part.year}-${part.month}-${part.day}`, msOfDay };
}

/** The instant a local wall-clock time occurs in a zone (the offset is re-read after a DST change). */
function atLocalTime(date: string, msOfDay: number, timeZone: string): Date {
  const wanted = Date.parse(`${date}T00:00:00Z`) + msOfDay;
  let instant = wanted;
  for (let i = 0; i < 2; i++) {
    const seen = wallClock(new Date(instant), timeZone);
    const offset = Date.parse(`${seen.date}T00:00:00Z`) + seen.msOfDay - instant;
    instant = wanted - offset;
  }
  return new Date(instant);
}
