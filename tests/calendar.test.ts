/**
 * Business calendars on real dates: Hong Kong and US holidays from date-holidays, DST in New York, the
 * covered-years guard, and snapshots surviving a JSON round trip (as they do inside workflow input).
 */
import {
  addBusinessDays,
  addCalendarDays,
  businessDaysBetween,
  isBusinessDay,
  localDate,
  nextBusinessDay,
  startOfLocalDay,
  subtractBusinessDays,
  type CalendarSnapshot,
} from '../dsl/calendar';
import { KNOWN_CALENDARS, SNAPSHOT_YEARS, calendarNames, snapshotCalendar } from '../dsl/calendar-data';

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
