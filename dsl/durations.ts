/**
 * Durations as a definition writes them. Pure: the workflow parses them again at run time, so the
 * compiled form can keep the words the author wrote.
 *
 *   `500 milliseconds`, `90 seconds`, `5 minutes`, `4 hours`, `2 days`, `1 week`   a fixed length of time
 *   `30 calendar days`      local dates in the calendar's zone, at the same local clock time (DST included)
 *   `3 business days`       business days counted from the local date, at the same local clock time
 *   `same business day`     the end of today's business day, or of the next one when opened after hours
 *   `next business day`     the end of the next business day
 */

export type Duration =
  | { kind: 'fixed'; ms: number }
  | { kind: 'calendar'; days: number }
  | { kind: 'business'; days: number }
  | { kind: 'end-of-business-day'; next: boolean };

const UNIT_MS: Record<string, number> = {
  millisecond: 1,
  second: 1_000,
  minute: 60_000,
  hour: 3_600_000,
  day: 86_400_000,
  week: 604_800_000,
};

const PATTERN = /^(\d+)\s+(?:(calendar|business)\s+)?(millisecond|second|minute|hour|day|week)s?$/;

/** Parses a duration, or returns the reason it is not one. */
export function parseDuration(text: string): Duration | { error: string } {
  const words = text.trim().toLowerCase().replace(/\s+/g, ' ');
  if (words === 'same business day') return { kind: 'end-of-business-day', next: false };
  if (words === 'next business day') return { kind: 'end-of-business-day', next: true };
  const match = PATTERN.exec(words);
  if (!match) {
    return { error: `'${text}' is not a duration` };
  }
  const [, count, qualifier, unit] = match;
  if (qualifier && unit !== 'day') return { error: `'${qualifier}' applies to days only, as in '3 ${qualifier} days'` };
  if (qualifier === 'business') return { kind: 'business', days: Number(count) };
  if (qualifier === 'calendar') return { kind: 'calendar', days: Number(count) };
  return { kind: 'fixed', ms: Number(count) * UNIT_MS[unit] };
}

export const DURATION_HINT =
  "write e.g. '5 minutes', '30 calendar days', '3 business days', 'same business day' or 'next business day'";

/** Whether a duration needs a business calendar to be computed. */
export function needsCalendar(parsed: Duration): boolean {
  return parsed.kind === 'business' || parsed.kind === 'end-of-business-day';
}

/** Parses a duration that the compiler has already checked. */
export function duration(text: string): Duration {
  const parsed = parseDuration(text);
  if ('error' in parsed) throw new Error(parsed.error);
  return parsed;
}
