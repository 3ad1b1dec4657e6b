/**
 * Instants and durations on the workflow clock, with business days counted on the calendar snapshots the
 * compiled definition carries (never on live holiday data, so replays compute the same instants).
 *
 * Time zones: every local date and clock time is read from the zone offsets inside the snapshot (see
 * dsl/calendar.ts), not from the worker's `Intl`, so a worker running a newer Node with other tz data still
 * replays the instants the original run computed.
 */
import { ApplicationFailure, patched } from '@temporalio/workflow';
import {
  addBusinessDays,
  addCalendarDays,
  businessDaysBetween,
  endOfBusinessDay,
  endOfNextBusinessDay,
  startOfLocalDay,
  subtractBusinessDays,
  type CalendarSnapshot,
} from '../dsl/calendar';
import type { CompiledDefinition } from '../dsl/compile';
import { duration } from '../dsl/durations';
import type { TimeContext } from '../dsl/expressions';

/**
 * Before this patch "same business day" was the instant a task opened, "next business day" the same clock
 * time a day later, and "N calendar days" N × 24 hours. Instances that started before it keep those
 * instants on replay; new ones get dates people mean.
 */
export const DATES_PEOPLE_MEAN = 'dates-people-mean';

function calendarFor(def: CompiledDefinition, name: string | undefined): CalendarSnapshot {
  const calendar = def.calendars[name ?? def.calendar ?? ''];
  if (!calendar) throw ApplicationFailure.nonRetryable(`no business calendar '${name ?? def.calendar}' in definition ${def.process}`);
  return calendar;
}

/** The step's calendar, else the process's, else none (calendar days are then whole 24-hour days). */
function zoneOf(def: CompiledDefinition, name: string | undefined): CalendarSnapshot | undefined {
  return def.calendars[name ?? def.calendar ?? ''];
}

export function addDuration(def: CompiledDefinition, from: Date, text: string, calendar?: string): Date {
  const parsed = duration(text);
  if (parsed.kind === 'fixed') return new Date(from.getTime() + parsed.ms);
  if (parsed.kind === 'calendar') {
    return patched(DATES_PEOPLE_MEAN) ? addCalendarDays(from, parsed.days, zoneOf(def, calendar)) : addCalendarDays(from, parsed.days);
  }
  if (parsed.kind === 'end-of-business-day') {
    const snapshot = calendarFor(def, calendar);
    if (patched(DATES_PEOPLE_MEAN)) return parsed.next ? endOfNextBusinessDay(snapshot, from) : endOfBusinessDay(snapshot, from);
    return addBusinessDays(snapshot, from, parsed.next ? 1 : 0);
  }
  return addBusinessDays(calendarFor(def, calendar), from, parsed.days);
}

export function subtractDuration(def: CompiledDefinition, from: Date, text: string, calendar?: string): Date {
  const parsed = duration(text);
  if (parsed.kind === 'fixed') return new Date(from.getTime() - parsed.ms);
  if (parsed.kind === 'calendar') {
    return patched(DATES_PEOPLE_MEAN) ? addCalendarDays(from, -parsed.days, zoneOf(def, calendar)) : addCalendarDays(from, -parsed.days);
  }
  // "next business day before" a deadline is one business day before it; "same business day" the day itself.
  const days = parsed.kind === 'business' ? parsed.days : parsed.next ? 1 : 0;
  return subtractBusinessDays(calendarFor(def, calendar), from, days);
}

/**
 * Reads an expression's value as an instant: an ISO date-time, epoch milliseconds, or a plain date
 * (`2026-11-20`), which means the start of that day in the calendar's time zone (UTC without a calendar).
 */
export function instantOf(value: unknown, def: CompiledDefinition, calendar?: string): Date {
  if (typeof value === 'number') return new Date(value);
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const name = calendar ?? def.calendar;
    return name ? startOfLocalDay(calendarFor(def, name), value) : new Date(`${value}T00:00:00Z`);
  }
  const date = typeof value === 'string' ? new Date(value) : undefined;
  if (!date || Number.isNaN(date.getTime())) {
    throw ApplicationFailure.nonRetryable(`expected a date or date-time, got ${JSON.stringify(value)}`, 'BadInstant');
  }
  return date;
}

/**
 * Time left until `due`, in words people read: "2 business days 3 hours left", "5 hours left",
 * "overdue by 4 hours". Whole business days are counted on the process's calendar (whole days without
 * one); the rest is wall-clock time. Pure: the state query calls it, and queries must not record anything.
 */
export function timeLeftInWords(def: CompiledDefinition, now: Date, due: Date, calendar?: string): string {
  const left = due.getTime() - now.getTime();
  if (left <= 0) return `overdue by ${clockWords(Math.floor(-left / 60_000), true) || 'less than a minute'}`;
  const snapshot = zoneOf(def, calendar);
  if (!snapshot) return `${clockWords(Math.ceil(left / 60_000), true)} left`;
  // The most whole business days that still fit before `due`, then what remains of the clock.
  let days = Math.max(0, businessDaysBetween(snapshot, now, due));
  let mark = days ? addBusinessDays(snapshot, now, days) : now;
  while (days > 0 && mark.getTime() > due.getTime()) {
    days--;
    mark = days ? addBusinessDays(snapshot, now, days) : now;
  }
  // No whole business day fits (e.g. after hours before a weekend): plain days and hours read better.
  // Minutes left are rounded up (10:00:01 until 17:00 is "7 hours left"); overdue time is rounded down.
  const rest = clockWords(Math.ceil((due.getTime() - mark.getTime()) / 60_000), days === 0);
  const words = [days ? `${days} business day${days === 1 ? '' : 's'}` : '', rest].filter(Boolean).join(' ');
  return `${words} left`;
}

/** "3 days 4 hours", "4 hours", "25 minutes"; whole days only when `withDays`, the two largest units. */
function clockWords(minutes: number, withDays: boolean): string {
  const days = withDays ? Math.floor(minutes / 1440) : 0;
  const hours = Math.floor((minutes - days * 1440) / 60);
  const mins = minutes % 60;
  const unit = (n: number, word: string) => (n ? `${n} ${word}${n === 1 ? '' : 's'}` : '');
  const parts = days ? [unit(days, 'day'), unit(hours, 'hour')] : hours ? [unit(hours, 'hour'), unit(mins, 'minute')] : [unit(mins, 'minute')];
  return parts.filter(Boolean).join(' ');
}

/** What expressions' date functions need: the process calendar (its zone) and the workflow clock. */
export function timeContext(def: CompiledDefinition, evaluatedHere?: TimeContext['evaluatedHere']): TimeContext {
  return { calendar: zoneOf(def, undefined), now: new Date().toISOString(), ...(evaluatedHere ? { evaluatedHere } : {}) };
}
