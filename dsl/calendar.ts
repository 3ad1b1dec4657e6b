/**
 * Business calendars: "N business days after", "next business day", counted on a snapshot of a region's
 * weekends and public holidays. Pure and deterministic (no imports, no holiday library, no clock): the
 * interpreter workflow calls these with the snapshot carried inside its compiled definition, so a replay
 * computes the same instants even after the holiday data is updated. Snapshots are made by `calendar-data.ts`.
 *
 * Semantics, all in the calendar's own time zone (DST included):
 *  - Days are local dates; a result keeps `from`'s local wall-clock time. 3 business days after Friday 10:00
 *    in Hong Kong is the following Wednesday 10:00 Hong Kong time, holidays permitting.
 *  - 0 business days ("same business day") is `from` itself on a business day, else the same time on the
 *    next business day.
 *  - A wall-clock time that does not exist on the result date (a spring-forward gap) moves forward by the
 *    gap (02:30 → 03:30); one that occurs twice (fall back) means the earlier instant.
 *  - A date outside the snapshot's `coversYears` throws: no holiday data must never mean "no holidays".
 *  - "Same business day" and "next business day" mean the END of that business day (`businessHours.closes`
 *    in the calendar's zone): see `endOfBusinessDay` and `endOfNextBusinessDay`.
 *
 * Time zone rules come from the snapshot too (`utcOffsets`, every offset change of the zone over the covered
 * years, taken from the compiling machine's ICU data), not from the worker's `Intl`: a worker whose Node ships
 * newer tz data would otherwise compute other instants on replay than the run it replays. `Intl` is only the
 * fallback for a bare zone name and for snapshots compiled before `utcOffsets` existed.
 */

export interface CalendarSnapshot {
  /** The name a definition uses: `hk`, `us`. */
  name: string;
  title: string;
  /** IANA zone in which days begin and end, e.g. `Asia/Hong_Kong`. */
  timeZone: string;
  /** ISO weekday numbers that are never business days (6 = Saturday, 7 = Sunday). */
  weekend: number[];
  /** Public holidays (the dates they are observed on) as `YYYY-MM-DD`, sorted. */
  holidays: string[];
  /** First and last year the holiday list covers. */
  coversYears: [number, number];
  /** Office hours as local `HH:MM`: a business day ends at `closes` ("same business day" is due then). */
  businessHours?: { opens: string; closes: string };
  /**
   * The zone's UTC offsets over the covered years: `[from epoch ms, offset in minutes]`, sorted, each in
   * force until the next. Instants outside them throw, like dates outside `coversYears`.
   */
  utcOffsets?: [number, number][];
}

/** Zone rules: a snapshot (with its carried offsets), or a bare IANA zone name read through `Intl`. */
export type Zone = CalendarSnapshot | string;

/** For snapshots compiled before business hours were carried. */
const DEFAULT_BUSINESS_HOURS = { opens: '09:00', closes: '17:00' };

const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isBusinessDay(calendar: CalendarSnapshot, date: string): boolean {
  const match = DATE.exec(date);
  if (!match) throw new Error(`expected a date as YYYY-MM-DD, got '${date}'`);
  const year = Number(match[1]);
  const [first, last] = calendar.coversYears;
  if (year < first || year > last) {
    throw new Error(
      `calendar '${calendar.name}' has holiday data for ${first}–${last} only; ${date} is outside it ` +
        `(recompile the definition with a wider year range or newer holiday data)`,
    );
  }
  return !calendar.weekend.includes(isoWeekday(date)) && !holidaySet(calendar).has(date);
}

/**
 * The instant `days` business days after `from`'s local date, at the same local time. With 0 days: `from`
 * itself if it falls on a business day, else the same time on the next business day ("same business day").
 */
export function addBusinessDays(calendar: CalendarSnapshot, from: Date, days: number): Date {
  return shiftBusinessDays(calendar, from, days, 1);
}

/**
 * The instant `days` business days before `from`'s local date, at the same local time. With 0 days: `from`
 * itself on a business day, else the same time on the previous business day.
 */
export function subtractBusinessDays(calendar: CalendarSnapshot, from: Date, days: number): Date {
  return shiftBusinessDays(calendar, from, days, -1);
}

/** The same local time on the first business day strictly after `from`'s local date (= 1 business day after). */
export function nextBusinessDay(calendar: CalendarSnapshot, from: Date): Date {
  return addBusinessDays(calendar, from, 1);
}

/**
 * Business days after `from`'s local date up to and including `to`'s: 0 on the same date, 1 when `to` is
 * the next business day. Negative when `to` is earlier (an overdue deadline): minus the business days
 * after `to`'s date up to and including `from`'s.
 */
export function businessDaysBetween(calendar: CalendarSnapshot, from: Date, to: Date): number {
  const start = localDate(from, calendar);
  const end = localDate(to, calendar);
  if (end < start) return -businessDaysBetween(calendar, to, from);
  let count = 0;
  for (let date = start; date < end; ) {
    date = addDays(date, 1);
    if (isBusinessDay(calendar, date)) count++;
  }
  return count;
}

/**
 * `days` calendar days after `from`. With a time zone: the same local wall-clock time `days` local dates
 * later (a day across a DST change is 23 or 25 hours); without: exactly `days` × 24 hours.
 */
export function addCalendarDays(from: Date, days: number, zone?: Zone): Date {
  if (!Number.isInteger(days)) throw new Error(`calendar days must be a whole number, got ${days}`);
  if (!zone) return new Date(from.getTime() + days * DAY_MS);
  const { date, msOfDay } = wallClock(from, zone);
  return days === 0 ? new Date(from.getTime()) : atLocalTime(addDays(date, days), msOfDay, zone);
}

/**
 * "Same business day": the end of `from`'s local date when it is a business day and the office has not
 * closed yet; otherwise (after hours, a weekend, a holiday) the end of the next business day.
 */
export function endOfBusinessDay(calendar: CalendarSnapshot, from: Date): Date {
  const closes = minutesOf(hoursOf(calendar).closes) * 60_000;
  const { date, msOfDay } = wallClock(from, calendar);
  if (isBusinessDay(calendar, date) && msOfDay < closes) return atLocalTime(date, closes, calendar);
  return atLocalTime(followingBusinessDate(calendar, date), closes, calendar);
}

/** "Next business day": the end of the first business day after `from`'s local date. */
export function endOfNextBusinessDay(calendar: CalendarSnapshot, from: Date): Date {
  const closes = minutesOf(hoursOf(calendar).closes) * 60_000;
  return atLocalTime(followingBusinessDate(calendar, wallClock(from, calendar).date), closes, calendar);
}

/** Midnight at the start of a local date in the calendar's zone. */
export function startOfLocalDay(calendar: Zone, date: string): Date {
  if (!DATE.test(date)) throw new Error(`expected a date as YYYY-MM-DD, got '${date}'`);
  return atLocalTime(date, 0, calendar);
}

/** The local date (`YYYY-MM-DD`) of an instant in a time zone. */
export function localDate(instant: Date, zone: Zone): string {
  return wallClock(instant, zone).date;
}

/** The local date and time of an instant, `YYYY-MM-DD HH:MM`, for messages. */
export function localDateTime(instant: Date, zone: Zone): string {
  const { date, msOfDay } = wallClock(instant, zone);
  const minutes = Math.floor(msOfDay / 60_000);
  return `${date} ${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;
}

/** The calendar's office hours (a default for snapshots compiled before they were carried). */
export function hoursOf(calendar: CalendarSnapshot): { opens: string; closes: string } {
  return calendar.businessHours ?? DEFAULT_BUSINESS_HOURS;
}

function minutesOf(time: string): number {
  const [hours, minutes] = time.split(':').map(Number);
  return hours * 60 + minutes;
}

function followingBusinessDate(calendar: CalendarSnapshot, date: string): string {
  let next = addDays(date, 1);
  while (!isBusinessDay(calendar, next)) next = addDays(next, 1);
  return next;
}

function shiftBusinessDays(calendar: CalendarSnapshot, from: Date, days: number, direction: 1 | -1): Date {
  if (!Number.isInteger(days) || days < 0) throw new Error(`business days must be a whole number >= 0, got ${days}`);
  if ([1, 2, 3, 4, 5, 6, 7].every((day) => calendar.weekend.includes(day))) {
    throw new Error(`calendar '${calendar.name}' has no business days: every weekday is a weekend day`);
  }
  const { date: start, msOfDay } = wallClock(from, calendar);
  let date = start;
  if (days === 0) {
    while (!isBusinessDay(calendar, date)) date = addDays(date, direction);
  }
  for (let counted = 0; counted < days; ) {
    date = addDays(date, direction);
    if (isBusinessDay(calendar, date)) counted++;
  }
  // Same date: return `from` itself rather than re-reading its wall clock (which is ambiguous in a DST fold).
  return date === start ? new Date(from.getTime()) : atLocalTime(date, msOfDay, calendar);
}

// A snapshot is never changed once made, so its holiday set can be built once per snapshot object.
const holidaySets = new WeakMap<CalendarSnapshot, Set<string>>();

function holidaySet(calendar: CalendarSnapshot): Set<string> {
  let set = holidaySets.get(calendar);
  if (!set) {
    set = new Set(calendar.holidays);
    holidaySets.set(calendar, set);
  }
  return set;
}

/** ISO weekday of a `YYYY-MM-DD` date: 1 = Monday … 7 = Sunday. */
function isoWeekday(date: string): number {
  return new Date(Date.parse(`${date}T00:00:00Z`)).getUTCDay() || 7;
}

function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let format = formatters.get(timeZone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat('en-CA', {
        timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit',
      });
    } catch {
      throw new Error(`unknown time zone '${timeZone}'`);
    }
    formatters.set(timeZone, format);
  }
  return format;
}

/** The local date and time of day (in ms) of an instant in a zone. */
function wallClock(instant: Date, zone: Zone): { date: string; msOfDay: number } {
  if (Number.isNaN(instant.getTime())) throw new Error('expected a valid date-time, got an invalid Date');
  const local = instant.getTime() + offsetAt(instant.getTime(), zone);
  const day = Math.floor(local / DAY_MS) * DAY_MS;
  return { date: new Date(day).toISOString().slice(0, 10), msOfDay: local - day };
}

/** Local time minus UTC, in ms, at an instant: from the snapshot's carried offsets, else from `Intl`. */
function offsetAt(instant: number, zone: Zone): number {
  if (typeof zone !== 'string' && zone.utcOffsets?.length) {
    const offsets = zone.utcOffsets;
    if (instant < offsets[0][0] || instant >= coverageEnd(zone)) {
      throw new Error(
        `calendar '${zone.name}' has holiday data for ${zone.coversYears[0]}–${zone.coversYears[1]} only (its time zone rules too); ` +
          `${new Date(instant).toISOString()} is outside it (recompile the definition with a wider year range or newer holiday data)`,
      );
    }
    let low = 0;
    let high = offsets.length - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (offsets[middle][0] <= instant) low = middle;
      else high = middle - 1;
    }
    return offsets[low][1] * 60_000;
  }
  return intlOffsetAt(instant, typeof zone === 'string' ? zone : zone.timeZone);
}

/** A day past the last covered year, so that local dates on 31 December still resolve. */
function coverageEnd(calendar: CalendarSnapshot): number {
  return Date.parse(`${calendar.coversYears[1] + 1}-01-02T00:00:00Z`);
}

/** Local time minus UTC, in ms, as this machine's `Intl` knows the zone. */
export function intlOffsetAt(instant: number, timeZone: string): number {
  const part: Record<string, string> = {};
  for (const { type, value } of formatterFor(timeZone).formatToParts(new Date(instant))) part[type] = value;
  // Some ICU versions print midnight as hour 24 of the same date.
  const hour = Number(part.hour) % 24;
  const ms = ((instant % 1000) + 1000) % 1000;
  const wall = Date.parse(`${part.year}-${part.month}-${part.day}T00:00:00Z`) + ((hour * 60 + Number(part.minute)) * 60 + Number(part.second)) * 1000 + ms;
  return wall - instant;
}

/**
 * The instant a local wall-clock time occurs in a zone. The offsets a day either side are the only ones
 * that can apply (zones change offset at most once a day); whichever reproduces the wall clock wins, the
 * earlier if both do (fall-back fold). If neither does the time is in a spring-forward gap: the offset in
 * force before the change puts it as far past the gap as it was into it.
 */
function atLocalTime(date: string, msOfDay: number, zone: Zone): Date {
  const wall = Date.parse(`${date}T00:00:00Z`) + msOfDay;
  const before = offsetAt(wall - DAY_MS, zone);
  const after = offsetAt(wall + DAY_MS, zone);
  const matches = [wall - before, wall - after].filter((instant) => instant + offsetAt(instant, zone) === wall);
  return new Date(matches.length ? Math.min(...matches) : wall - before);
}
