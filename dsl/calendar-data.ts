/**
 * Holiday snapshots from the maintained `date-holidays` package. Compile-time only: the workflow never
 * imports this. A snapshot is copied into every compiled definition (workflow input), so a running
 * instance keeps counting business days on the data it started with, identical on replay, even after the
 * package is upgraded with new holidays.
 */
import Holidays from 'date-holidays';
import type { CalendarSnapshot } from './calendar';

interface CalendarSource {
  title: string;
  country: string;
  timeZone: string;
}

/** The calendars a definition may name. Public holidays only (not observances or bank-only days). */
const SOURCES: Record<string, CalendarSource> = {
  hk: { title: 'Hong Kong office', country: 'HK', timeZone: 'Asia/Hong_Kong' },
  us: { title: 'US office (federal holidays)', country: 'US', timeZone: 'America/New_York' },
};

/** The years every snapshot covers; business days outside them fail loudly rather than ignore holidays. */
export const SNAPSHOT_YEARS: [number, number] = [2024, 2040];

export function calendarNames(): string[] {
  return Object.keys(SOURCES);
}

const snapshots = new Map<string, CalendarSnapshot>();

/** Computing Chinese-calendar holidays for many years takes a while, so each snapshot is made once. */
export function snapshotCalendar(name: string, years: [number, number] = SNAPSHOT_YEARS): CalendarSnapshot {
  const key = `${name}:${years.join('-')}`;
  if (!snapshots.has(key)) snapshots.set(key, makeSnapshot(name, years));
  return snapshots.get(key)!;
}

function makeSnapshot(name: string, years: [number, number]): CalendarSnapshot {
  const source = SOURCES[name];
  if (!source) throw new Error(`unknown calendar '${name}'; known calendars: ${calendarNames().join(', ')}`);
  const holidays = new Holidays(source.country);
  const dates = new Set<string>();
  for (let year = years[0]; year <= years[1]; year++) {
    // Substitute days (e.g. US Independence Day observed on a Friday) are listed as public holidays too.
    for (const holiday of holidays.getHolidays(year)) if (holiday.type === 'public') dates.add(holiday.date.slice(0, 10));
  }
  return { name, title: source.title, timeZone: source.timeZone, weekend: [6, 7], holidays: [...dates].sort(), coversYears: years };
}
