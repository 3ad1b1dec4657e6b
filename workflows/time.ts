/**
 * Instants and durations on the workflow clock, with business days counted on the calendar snapshots the
 * compiled definition carries (never on live holiday data, so replays compute the same instants).
 */
import { ApplicationFailure } from '@temporalio/workflow';
import { addBusinessDays, startOfLocalDay, subtractBusinessDays, type CalendarSnapshot } from '../dsl/calendar';
import type { CompiledDefinition } from '../dsl/compile';
import { duration } from '../dsl/durations';

function calendarFor(def: CompiledDefinition, name: string | undefined): CalendarSnapshot {
  const calendar = def.calendars[name ?? def.calendar ?? ''];
  if (!calendar) throw ApplicationFailure.nonRetryable(`no business calendar '${name ?? def.calendar}' in definition ${def.process}`);
  return calendar;
}

export function addDuration(def: CompiledDefinition, from: Date, text: string, calendar?: string): Date {
  const parsed = duration(text);
  if (parsed.kind === 'fixed') return new Date(from.getTime() + parsed.ms);
  return addBusinessDays(calendarFor(def, calendar), from, parsed.days);
}

export function subtractDuration(def: CompiledDefinition, from: Date, text: string, calendar?: string): Date {
  const parsed = duration(text);
  if (parsed.kind === 'fixed') return new Date(from.getTime() - parsed.ms);
  return subtractBusinessDays(calendarFor(def, calendar), from, parsed.days);
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

