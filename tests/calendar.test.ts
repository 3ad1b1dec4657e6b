/**
 * Business calendars on real dates: Hong Kong and US holidays from date-holidays, DST in New York, the
 * covered-years guard, and snapshots surviving a JSON round trip (as they do inside workflow input).
 */
import {
  addBusinessDays,
  addCalendarDays,
  businessDaysBetween,
  endOfBusinessDay,
  endOfNextBusinessDay,
  isBusinessDay,
  localDate,
  nextBusinessDay,
  startOfLocalDay,
  subtractBusinessDays,
  type CalendarSnapshot,
} from '../dsl/calendar';
import { KNOWN_CALENDARS, SNAPSHOT_YEARS, calendarNames, snapshotCalendar } from '../dsl/calendar-data';
import type { CompiledDefinition } from '../dsl/compile';
import { evaluate, TIME_CONTEXT, type Scope } from '../dsl/expressions';
import { timeLeftInWords } from '../workflows/time';

const hk = snapshotCalendar('hk');
const us = snapshotCalendar('us');
const at = (iso: string) => new Date(iso);
const iso = (date: Date) => date.toISOString();

describe('snapshots', () => {
  it('cover the default years with sorted holidays, and know their names', () => {
    expect(calendarNames()).toEqual(['hk', 'us']);
    expect(KNOWN_CALENDARS.hk.timeZone).toBe('Asia/Hong_Kong');
    for (const calendar of [hk, us]) {
      expect(calendar.coversYears).toEqual(SNAPSHOT_YEARS);
      expect(calendar.weekend).toEqual([6, 7]);
      expect([...calendar.holidays].sort()).toEqual(calendar.holidays);
      expect(calendar.holidays[0] >= `${SNAPSHOT_YEARS[0]}-01-01`).toBe(true);
      expect(calendar.holidays.at(-1)! <= `${SNAPSHOT_YEARS[1]}-12-31`).toBe(true);
    }
    expect(hk).toMatchObject({ name: 'hk', title: 'Hong Kong office', timeZone: 'Asia/Hong_Kong' });
    expect(us).toMatchObject({ name: 'us', timeZone: 'America/New_York' });
  });

  it('rejects an unknown calendar, listing the known ones', () => {
    expect(() => snapshotCalendar('hong-kong')).toThrow("unknown calendar 'hong-kong'; known calendars: hk, us");
  });

  it('can be made for other years', () => {
    expect(snapshotCalendar('hk', [2026, 2027])).toMatchObject({ coversYears: [2026, 2027] });
    expect(snapshotCalendar('hk', [2026, 2027]).holidays).toEqual(hk.holidays.filter((d) => d.startsWith('2026') || d.startsWith('2027')));
  });

  it('are plain JSON and give the same answers after a round trip', () => {
    const copy: CalendarSnapshot = JSON.parse(JSON.stringify(hk));
    expect(copy).toEqual(hk);
    const from = at('2026-12-23T02:00:00Z');
    for (const days of [0, 1, 3, 10, 60]) expect(iso(addBusinessDays(copy, from, days))).toBe(iso(addBusinessDays(hk, from, days)));
    const usCopy: CalendarSnapshot = JSON.parse(JSON.stringify(us));
    expect(usCopy).toEqual(us);
    expect(iso(addBusinessDays(usCopy, at('2026-10-30T14:00:00Z'), 20))).toBe(iso(addBusinessDays(us, at('2026-10-30T14:00:00Z'), 20)));
  });
});

describe('Hong Kong', () => {
  it('knows Christmas 2026: Friday 25 Dec and Saturday 26 Dec', () => {
    expect(isBusinessDay(hk, '2026-12-24')).toBe(true);
    expect(hk.holidays).toEqual(expect.arrayContaining(['2026-12-25', '2026-12-26']));
    expect(isBusinessDay(hk, '2026-12-25')).toBe(false);
    expect(isBusinessDay(hk, '2026-12-28')).toBe(true);
  });

  it('counts business days at the same Hong Kong time, skipping weekends and Christmas', () => {
    // Friday 18 Dec 10:00 HKT (02:00Z): Mon 21, Tue 22, Wed 23.
    expect(iso(addBusinessDays(hk, at('2026-12-18T02:00:00Z'), 3))).toBe('2026-12-23T02:00:00.000Z');
    // … and the fifth is Mon 28, after Thu 24, the Christmas holidays and the weekend.
    expect(iso(addBusinessDays(hk, at('2026-12-18T02:00:00Z'), 5))).toBe('2026-12-28T02:00:00.000Z');
    // Wednesday 23 Dec 10:00: Thu 24, Mon 28, Tue 29.
    expect(iso(addBusinessDays(hk, at('2026-12-23T02:00:00Z'), 3))).toBe('2026-12-29T02:00:00.000Z');
  });

  it('uses the Hong Kong date, not the UTC one', () => {
    // Thursday 24 Dec 2026 20:00Z is already Friday 25 Dec 04:00 in Hong Kong (a holiday).
    const lateThursdayUtc = at('2026-12-24T20:00:00Z');
    expect(localDate(lateThursdayUtc, 'Asia/Hong_Kong')).toBe('2026-12-25');
    // So "same business day" rolls to Monday 28 Dec 04:00 HKT; by the UTC date it would stay on Thursday.
    expect(iso(addBusinessDays(hk, lateThursdayUtc, 0))).toBe('2026-12-27T20:00:00.000Z');
    expect(iso(addBusinessDays(hk, lateThursdayUtc, 1))).toBe('2026-12-27T20:00:00.000Z'); // also Mon 28 Dec
    expect(iso(addBusinessDays(hk, lateThursdayUtc, 2))).toBe('2026-12-28T20:00:00.000Z'); // Tue 29 Dec 04:00 HKT
  });

  it('skips Lunar New Year 2027 (Sat 6, Mon 8 and Tue 9 Feb)', () => {
    expect(isBusinessDay(hk, '2027-02-05')).toBe(true);
    expect(isBusinessDay(hk, '2027-02-08')).toBe(false);
    expect(isBusinessDay(hk, '2027-02-09')).toBe(false);
    expect(isBusinessDay(hk, '2027-02-10')).toBe(true);
    // Friday 5 Feb 2027 10:00 HKT → Wednesday 10 Feb 10:00 HKT.
    expect(iso(nextBusinessDay(hk, at('2027-02-05T02:00:00Z')))).toBe('2027-02-10T02:00:00.000Z');
    expect(businessDaysBetween(hk, at('2027-02-05T02:00:00Z'), at('2027-02-12T02:00:00Z'))).toBe(3);
  });

  it('treats 0 business days as the same day, or the next business day on a holiday', () => {
    const monday = at('2026-12-21T02:00:00Z');
    expect(iso(addBusinessDays(hk, monday, 0))).toBe(iso(monday));
    // Christmas Day 2026 10:00 HKT → Monday 28 Dec 10:00 HKT.
    expect(iso(addBusinessDays(hk, at('2026-12-25T02:00:00Z'), 0))).toBe('2026-12-28T02:00:00.000Z');
  });

  it('gives the next business day after a Saturday, and keeps milliseconds', () => {
    // Saturday 19 Dec 2026 15:30:12.345 HKT → Monday 21 Dec, same time.
    expect(iso(nextBusinessDay(hk, at('2026-12-19T07:30:12.345Z')))).toBe('2026-12-21T07:30:12.345Z');
    // A Friday goes to Monday: "next" is strictly after the local date.
    expect(iso(nextBusinessDay(hk, at('2026-12-18T02:00:00Z')))).toBe('2026-12-21T02:00:00.000Z');
  });

  it('counts backwards for reminders before a deadline', () => {
    // 2 business days before Tuesday 29 Dec 10:00 HKT: Mon 28, Thu 24.
    expect(iso(subtractBusinessDays(hk, at('2026-12-29T02:00:00Z'), 2))).toBe('2026-12-24T02:00:00.000Z');
    // 0 business days before a holiday rolls back to the last business day.
    expect(iso(subtractBusinessDays(hk, at('2026-12-26T02:00:00Z'), 0))).toBe('2026-12-24T02:00:00.000Z');
  });

  it('counts business days between two instants, negative once a deadline has passed', () => {
    const wednesday = at('2026-12-23T02:00:00Z');
    const tuesday = at('2026-12-29T09:00:00Z');
    expect(businessDaysBetween(hk, wednesday, tuesday)).toBe(3);
    expect(businessDaysBetween(hk, tuesday, wednesday)).toBe(-3);
    expect(businessDaysBetween(hk, wednesday, at('2026-12-23T15:59:59Z'))).toBe(0); // still Wed 23:59 HKT
    expect(businessDaysBetween(hk, wednesday, at('2026-12-23T16:00:00Z'))).toBe(1); // Thu 00:00 HKT
  });

  it('starts a local day at Hong Kong midnight', () => {
    expect(iso(startOfLocalDay(hk, '2026-12-24'))).toBe('2026-12-23T16:00:00.000Z');
  });
});

describe('United States', () => {
  it('skips Thanksgiving 2026 (Thu 26 Nov) but not the day after', () => {
    expect(isBusinessDay(us, '2026-11-26')).toBe(false);
    expect(isBusinessDay(us, '2026-11-27')).toBe(true);
    // Wednesday 25 Nov 10:00 EST (15:00Z): Fri 27, Mon 30.
    expect(iso(addBusinessDays(us, at('2026-11-25T15:00:00Z'), 1))).toBe('2026-11-27T15:00:00.000Z');
    expect(iso(addBusinessDays(us, at('2026-11-25T15:00:00Z'), 2))).toBe('2026-11-30T15:00:00.000Z');
  });

  it('observes weekend holidays on the Friday before or the Monday after', () => {
    expect(isBusinessDay(us, '2026-07-03')).toBe(false); // Independence Day (Sat 4 Jul) observed
    expect(isBusinessDay(us, '2027-06-18')).toBe(false); // Juneteenth (Sat 19 Jun) observed
    expect(isBusinessDay(us, '2027-07-05')).toBe(false); // Independence Day (Sun 4 Jul) observed
    expect(isBusinessDay(us, '2027-12-31')).toBe(false); // New Year's Day 2028 (Sat) observed
    expect(isBusinessDay(us, '2028-11-10')).toBe(false); // Veterans Day (Sat 11 Nov) observed
    expect(isBusinessDay(us, '2026-12-24')).toBe(true); // Christmas Eve is not a federal holiday
  });

  it('keeps 10:00 New York time across the end of DST (Sunday 1 Nov 2026)', () => {
    // Friday 30 Oct 10:00 EDT is 14:00Z; Monday 2 Nov 10:00 EST is 15:00Z.
    expect(iso(addBusinessDays(us, at('2026-10-30T14:00:00Z'), 1))).toBe('2026-11-02T15:00:00.000Z');
    expect(iso(nextBusinessDay(us, at('2026-10-31T14:00:00Z')))).toBe('2026-11-02T15:00:00.000Z'); // from a Saturday
    // And back into DST on Sunday 8 Mar 2026: Friday 6 Mar 10:00 EST → Monday 9 Mar 10:00 EDT.
    expect(iso(addBusinessDays(us, at('2026-03-06T15:00:00Z'), 1))).toBe('2026-03-09T14:00:00.000Z');
  });

  it('starts a local day at New York midnight, whatever the offset', () => {
    expect(iso(startOfLocalDay(us, '2026-11-01'))).toBe('2026-11-01T04:00:00.000Z'); // EDT
    expect(iso(startOfLocalDay(us, '2026-11-02'))).toBe('2026-11-02T05:00:00.000Z'); // EST
  });
});

describe('calendar days', () => {
  it('add whole 24-hour days without a time zone', () => {
    expect(iso(addCalendarDays(at('2026-10-31T14:00:00Z'), 2))).toBe('2026-11-02T14:00:00.000Z');
  });

  it('keep the wall-clock time in a time zone, through DST gaps and folds', () => {
    const zone = 'America/New_York';
    expect(iso(addCalendarDays(at('2026-10-31T14:00:00Z'), 2, zone))).toBe('2026-11-02T15:00:00.000Z');
    // 02:30 does not exist on 8 Mar 2026: it becomes 03:30 EDT.
    expect(iso(addCalendarDays(at('2026-03-07T07:30:00Z'), 1, zone))).toBe('2026-03-08T07:30:00.000Z');
    // 01:30 happens twice on 1 Nov 2026: the earlier one (EDT).
    expect(iso(addCalendarDays(at('2026-10-31T05:30:00Z'), 1, zone))).toBe('2026-11-01T05:30:00.000Z');
  });
});

describe('covered years', () => {
  it('throws rather than assume there are no holidays', () => {
    expect(() => isBusinessDay(hk, '2041-01-02')).toThrow(
      "calendar 'hk' has holiday data for 2024–2040 only; 2041-01-02 is outside it",
    );
    // Friday 28 Dec 2040: Mon 31 Dec is covered, Tue 1 Jan 2041 is not.
    const friday = at('2040-12-28T02:00:00Z');
    expect(iso(addBusinessDays(hk, friday, 1))).toBe('2040-12-31T02:00:00.000Z');
    expect(() => addBusinessDays(hk, friday, 2)).toThrow(/calendar 'hk' has holiday data for 2024–2040 only; 2041-01-01/);
    expect(() => addBusinessDays(us, at('2023-12-29T15:00:00Z'), 1)).toThrow(/calendar 'us' has holiday data for 2024–2040 only/);
  });

  it('rejects negative or fractional business days', () => {
    expect(() => addBusinessDays(hk, at('2026-12-18T02:00:00Z'), -1)).toThrow('whole number >= 0');
    expect(() => addBusinessDays(hk, at('2026-12-18T02:00:00Z'), 1.5)).toThrow('whole number >= 0');
  });
});

describe('the end of a business day', () => {
  it('carries each calendar\'s office hours in its snapshot', () => {
    expect(hk.businessHours).toEqual({ opens: '09:00', closes: '18:00' });
    expect(us.businessHours).toEqual({ opens: '09:00', closes: '17:00' });
  });

  it('makes "same business day" the end of today while the office is open', () => {
    // Wednesday 4 Nov 2026 10:00 EST (15:00Z) → 17:00 EST the same day (22:00Z).
    expect(iso(endOfBusinessDay(us, at('2026-11-04T15:00:00Z')))).toBe('2026-11-04T22:00:00.000Z');
    // Before opening counts as that day too: 07:00 HKT Wednesday 23 Dec → 18:00 HKT (10:00Z).
    expect(iso(endOfBusinessDay(hk, at('2026-12-22T23:00:00Z')))).toBe('2026-12-23T10:00:00.000Z');
  });

  it('moves "same business day" to the end of the next business day after hours, at weekends and on holidays', () => {
    // Wednesday 4 Nov 2026 20:30 EST (01:30Z Thursday) → Thursday 5 Nov 17:00 EST.
    expect(iso(endOfBusinessDay(us, at('2026-11-05T01:30:00Z')))).toBe('2026-11-05T22:00:00.000Z');
    // Exactly at closing time the day is over.
    expect(iso(endOfBusinessDay(us, at('2026-11-04T22:00:00Z')))).toBe('2026-11-05T22:00:00.000Z');
    // Saturday 19 Dec 2026 in Hong Kong → Monday 21 Dec 18:00 HKT.
    expect(iso(endOfBusinessDay(hk, at('2026-12-19T02:00:00Z')))).toBe('2026-12-21T10:00:00.000Z');
    // Christmas Day (Friday) in Hong Kong, then Boxing Day and the weekend → Monday 28 Dec 18:00 HKT.
    expect(iso(endOfBusinessDay(hk, at('2026-12-25T02:00:00Z')))).toBe('2026-12-28T10:00:00.000Z');
  });

  it('keeps 17:00 New York time across the end of DST', () => {
    // Friday 5 Nov 2027 19:00 EDT (23:00Z), after hours; DST ends Sunday 7 Nov → Monday 8 Nov 17:00 EST = 22:00Z.
    expect(iso(endOfBusinessDay(us, at('2027-11-05T23:00:00Z')))).toBe('2027-11-08T22:00:00.000Z');
    // The same Friday at 10:00 EDT is due 17:00 EDT that day (21:00Z): an hour earlier in UTC than Monday's.
    expect(iso(endOfBusinessDay(us, at('2027-11-05T14:00:00Z')))).toBe('2027-11-05T21:00:00.000Z');
  });

  it('makes "next business day" the end of the following business day', () => {
    // Wednesday 10:00 EST → Thursday 17:00 EST; Friday → Monday; Wednesday 25 Nov 2026 → Friday 27 (Thanksgiving).
    expect(iso(endOfNextBusinessDay(us, at('2026-11-04T15:00:00Z')))).toBe('2026-11-05T22:00:00.000Z');
    expect(iso(endOfNextBusinessDay(us, at('2026-11-06T15:00:00Z')))).toBe('2026-11-09T22:00:00.000Z');
    expect(iso(endOfNextBusinessDay(us, at('2026-11-25T15:00:00Z')))).toBe('2026-11-27T22:00:00.000Z');
  });
});

describe('time zone rules carried in the snapshot', () => {
  it('list every offset change of New York over the covered years, and none for Hong Kong', () => {
    // Two changes a year (March and November) after the starting offset.
    expect(us.utcOffsets!.length).toBe(1 + 2 * (SNAPSHOT_YEARS[1] - SNAPSHOT_YEARS[0] + 1));
    expect(us.utcOffsets).toEqual(expect.arrayContaining([[Date.parse('2026-11-01T06:00:00Z'), -300], [Date.parse('2027-03-14T07:00:00Z'), -240]]));
    expect(hk.utcOffsets!.map(([, offset]) => offset)).toEqual([480]);
  });

  it('are what dates are computed from, not the worker\'s own time zone data', () => {
    // A snapshot compiled when New York had no DST keeps giving winter time on replay.
    const noDst: CalendarSnapshot = { ...us, utcOffsets: [[us.utcOffsets![0][0], -300]] };
    expect(iso(endOfBusinessDay(noDst, at('2027-07-07T14:00:00Z')))).toBe('2027-07-07T22:00:00.000Z');
    expect(iso(endOfBusinessDay(us, at('2027-07-07T14:00:00Z')))).toBe('2027-07-07T21:00:00.000Z');
  });

  it('refuse an instant outside the covered years instead of guessing the offset', () => {
    expect(() => addCalendarDays(at('2040-12-30T12:00:00Z'), 5, us)).toThrow(/calendar 'us' has holiday data for 2024–2040 only \(its time zone rules too\); 2041-01-0\d/);
  });
});

describe('30 calendar days across the end of DST', () => {
  it('land at the same New York clock time, not an hour early', () => {
    // Tuesday 20 Oct 2026 00:00 EDT (04:00Z) + 30 days = Thursday 19 Nov 00:00 EST (05:00Z); 30 × 24 h would be 23:00 the day before.
    expect(iso(addCalendarDays(startOfLocalDay(us, '2026-10-20'), 30, us))).toBe('2026-11-19T05:00:00.000Z');
    expect(iso(addCalendarDays(startOfLocalDay(us, '2026-10-20'), 30))).toBe('2026-11-19T04:00:00.000Z');
  });
});

describe('date functions in expressions', () => {
  const scope = (now: string, calendar: CalendarSnapshot | null = us): Scope => ({ input: { requested: now }, [TIME_CONTEXT]: { calendar: calendar ?? undefined, now } });
  // Wednesday 4 Nov 2026 20:30 EST is already Thursday 01:30 UTC.
  const wednesdayEvening = '2026-11-05T01:30:00.000Z';

  it('give today in the process\'s zone, not in UTC', async () => {
    expect(await evaluate('$today()', scope(wednesdayEvening))).toBe('2026-11-04');
    expect(await evaluate('$today()', scope(wednesdayEvening, null))).toBe('2026-11-05');
  });

  it('count 3 business days from Wednesday for a request taken at 20:30 New York time', async () => {
    expect(await evaluate('$addBusinessDays($today(), 3)', scope(wednesdayEvening))).toBe('2026-11-09');
    // A date-time keeps its local clock time: Monday 9 Nov 20:30 EST.
    expect(await evaluate('$addBusinessDays(input.requested, 3)', scope(wednesdayEvening))).toBe('2026-11-10T01:30:00.000Z');
  });

  it('add calendar days at the same local time, and format dates people read', async () => {
    expect(await evaluate('$addCalendarDays("2026-10-20", 30)', scope(wednesdayEvening))).toBe('2026-11-19');
    expect(await evaluate('$formatDate(input.requested)', scope(wednesdayEvening))).toBe('2026-11-04');
    expect(await evaluate('$formatDate(input.requested, "long")', scope(wednesdayEvening))).toBe('Wednesday 4 November 2026');
    expect(await evaluate('$formatDate(input.requested, "datetime")', scope(wednesdayEvening))).toBe('2026-11-04 20:30 America/New_York');
  });

  it('explain a wrong argument', async () => {
    await expect(evaluate('$addBusinessDays("soon", 3)', scope(wednesdayEvening))).rejects.toThrow(
      '$addBusinessDays: expected a date (YYYY-MM-DD) or an ISO date-time, got "soon"',
    );
    await expect(evaluate('$addBusinessDays($today(), 3)', scope(wednesdayEvening, null))).rejects.toThrow('the process has no calendar');
  });
});

describe('time left, in words', () => {
  const def = { calendar: 'us', calendars: { us } } as unknown as CompiledDefinition;

  it('counts whole business days, then hours', () => {
    // Wednesday 4 Nov 2026 14:00 EST → Friday 6 Nov 17:00 EST: 2 business days and 3 hours.
    expect(timeLeftInWords(def, at('2026-11-04T19:00:00Z'), at('2026-11-06T22:00:00Z'))).toBe('2 business days 3 hours left');
    expect(timeLeftInWords(def, at('2026-11-06T19:00:00Z'), at('2026-11-06T22:00:00Z'))).toBe('3 hours left');
    expect(timeLeftInWords(def, at('2026-11-06T21:35:00Z'), at('2026-11-06T22:00:00Z'))).toBe('25 minutes left');
  });

  it('skips the weekend: Friday 10:00 to Monday 17:00 is 1 business day 7 hours', () => {
    expect(timeLeftInWords(def, at('2026-11-06T15:00:00Z'), at('2026-11-09T22:00:00Z'))).toBe('1 business day 7 hours left');
  });

  it('says how long ago a deadline passed', () => {
    expect(timeLeftInWords(def, at('2026-11-07T02:00:00Z'), at('2026-11-06T22:00:00Z'))).toBe('overdue by 4 hours');
    expect(timeLeftInWords(def, at('2026-11-09T02:00:00Z'), at('2026-11-06T22:00:00Z'))).toBe('overdue by 2 days 4 hours');
  });

  it('uses plain days without a calendar', () => {
    const plain = { calendars: {} } as unknown as CompiledDefinition;
    expect(timeLeftInWords(plain, at('2026-11-04T19:00:00Z'), at('2026-11-06T22:00:00Z'))).toBe('2 days 3 hours left');
  });
});
