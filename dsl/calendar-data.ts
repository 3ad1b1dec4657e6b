/**
 * Holiday snapshots from the maintained `date-holidays` package. Compile-time only: the workflow never
 * imports this (the package is neither deterministic nor sandbox-safe to load). A snapshot is plain JSON
 * copied into every compiled definition, i.e. into the workflow input, so a running instance keeps
 * counting business days on the data it started with, identically on replay, even after the package is
 * upgraded with new or corrected holidays. New definitions pick up new data when they are recompiled.
 *
 * What counts as a holiday, as date-holidays 3.37 reports it (checked for 2024–2040):
 *  - hk: every holiday is type 'public' and already sits on the date it is observed: "the day following
 *    Ching Ming Festival", "the fourth day of Lunar New Year" (when a day of Lunar New Year is a Sunday),
 *    "the first weekday after Christmas Day" are entries of their own, never `substitute` flags.
 *  - us: federal holidays, type 'public', plus their observed days, which it lists as substitutes: a
 *    Saturday holiday on the Friday before, a Sunday one on the Monday after (Independence Day 2026 →
 *    Fri 3 Jul; New Year 2028 → Fri 31 Dec 2027, listed in 2027). Veterans Day's observed day comes typed
 *    'bank', but federal offices close then too (5 U.S.C. 6103(b)), so substitutes typed 'bank' count.
 *    Observances (Christmas Eve, the day after Thanksgiving, Halloween, …) do not count.
 */
import Holidays from 'date-holidays';
import { intlOffsetAt, type CalendarSnapshot } from './calendar';

export interface KnownCalendar {
  title: string;
  timeZone: string;
  /** date-holidays country code. */
  country: string;
  weekend: number[];
  /** Local office hours; a business day ends at `closes`. */
  businessHours: { opens: string; closes: string };
}

/** The calendars a definition may name (the README's calendar table says the same). */
export const KNOWN_CALENDARS: Readonly<Record<string, KnownCalendar>> = {
  hk: { title: 'Hong Kong office', timeZone: 'Asia/Hong_Kong', country: 'HK', weekend: [6, 7], businessHours: { opens: '09:00', closes: '18:00' } },
  us: { title: 'US office (federal holidays)', timeZone: 'America/New_York', country: 'US', weekend: [6, 7], businessHours: { opens: '09:00', closes: '17:00' } },
};

/** The years every snapshot covers by default; business days outside them fail loudly rather than ignore holidays. */
export const SNAPSHOT_YEARS: [number, number] = [2024, 2040];

export function calendarNames(): string[] {
  return Object.keys(KNOWN_CALENDARS);
}

const snapshots = new Map<string, CalendarSnapshot>();

/**
 * The snapshot of a known calendar for a range of years (inclusive). Computing Chinese-calendar holidays
 * for many years takes a while, so each is made once; callers get their own copy.
 */
export function snapshotCalendar(name: string, years: [number, number] = SNAPSHOT_YEARS): CalendarSnapshot {
  const key = `${name}:${years[0]}-${years[1]}`;
  let snapshot = snapshots.get(key);
  if (!snapshot) {
    snapshot = makeSnapshot(name, years);
    snapshots.set(key, snapshot);
  }
  return {
    ...snapshot,
    weekend: [...snapshot.weekend],
    holidays: [...snapshot.holidays],
    coversYears: [...snapshot.coversYears],
    businessHours: { ...snapshot.businessHours! },
    utcOffsets: snapshot.utcOffsets!.map(([from, offset]) => [from, offset]),
  };
}

function makeSnapshot(name: string, years: [number, number]): CalendarSnapshot {
  const known = Object.prototype.hasOwnProperty.call(KNOWN_CALENDARS, name) ? KNOWN_CALENDARS[name] : undefined;
  if (!known) throw new Error(`unknown calendar '${name}'; known calendars: ${calendarNames().join(', ')}`);
  const [first, last] = years;
  if (!Number.isInteger(first) || !Number.isInteger(last) || first > last) {
    throw new Error(`calendar years must be two whole years, first <= last; got [${first}, ${last}]`);
  }
  const source = new Holidays(known.country);
  const dates = new Set<string>();
  for (let year = first; year <= last; year++) {
    for (const holiday of source.getHolidays(year)) {
      if (holiday.type !== 'public' && !(holiday.substitute && holiday.type === 'bank')) continue;
      // A snapshot has whole days only; a part-day public holiday would need a richer model, so refuse it.
      const hours = (holiday.end.getTime() - holiday.start.getTime()) / 3_600_000;
      if (holiday.date.slice(11, 19) !== '00:00:00' || hours < 23 || hours > 25) {
        throw new Error(`calendar '${name}': '${holiday.name}' on ${holiday.date} is not a whole day`);
      }
      dates.add(holiday.date.slice(0, 10));
    }
  }
  return {
    name,
    title: known.title,
    timeZone: known.timeZone,
    weekend: [...known.weekend],
    holidays: [...dates].filter((date) => Number(date.slice(0, 4)) >= first && Number(date.slice(0, 4)) <= last).sort(),
    coversYears: [first, last],
    businessHours: { ...known.businessHours },
    utcOffsets: zoneOffsets(known.timeZone, years),
  };
}

const MINUTE = 60_000;
const DAY = 86_400_000;

/**
 * Every UTC offset change of a zone from just before the first covered year to just after the last, read
 * from this machine's ICU data once, at compile time. Zones change offset at most once a day, so a day's
 * steps find each change and a search by minutes pins it.
 */
function zoneOffsets(timeZone: string, [first, last]: [number, number]): [number, number][] {
  const start = Date.parse(`${first - 1}-12-30T00:00:00Z`);
  const end = Date.parse(`${last + 1}-01-03T00:00:00Z`);
  const minutes = (at: number) => Math.round(intlOffsetAt(at, timeZone) / MINUTE);
  const offsets: [number, number][] = [[start, minutes(start)]];
  for (let day = start; day < end; day += DAY) {
    if (minutes(day + DAY) === offsets[offsets.length - 1][1]) continue;
    let low = day; // offset as before
    let high = day + DAY; // offset changed
    while (high - low > MINUTE) {
      const middle = low + Math.floor((high - low) / 2 / MINUTE) * MINUTE;
      if (minutes(middle) === offsets[offsets.length - 1][1]) low = middle;
      else high = middle;
    }
    offsets.push([high, minutes(high)]);
  }
  return offsets;
}
