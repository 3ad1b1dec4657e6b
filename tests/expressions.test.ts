/**
 * Plain paths (`input.partnerEmail`), literals and date-function calls on them are evaluated without JSONata's
 * asynchronous evaluator (dsl/expressions.ts): they must give exactly what JSONata gives, for values, for
 * `when:` tests and in templates, whatever the data holds on the way (missing fields, nulls, texts, arrays,
 * empty objects), and fail with the same message. JSONata's answer is had by wrapping the expression in
 * parentheses, a form it alone evaluates, with the same date functions bound.
 */
import jsonata from 'jsonata';
import { snapshotCalendar } from '../dsl/calendar-data';
import { evaluate, render, resolveValue, test as truthTest, TIME_CONTEXT, type Scope } from '../dsl/expressions';

const scope: Scope = {
  input: { partnerEmail: 'ops@acme.example', nested: { deep: { value: 0 } }, empty: {}, blank: '', none: null, one: [7], many: [{ id: 1 }, { id: 2 }], yes: true },
  offboardDate: '2026-12-31',
  found: { found: false, partner: null },
  count: 3,
  [TIME_CONTEXT]: { calendar: snapshotCalendar('us'), now: '2026-12-02T15:00:00Z' },
};

const expressions = [
  'input.partnerEmail', 'offboardDate', 'input.nested.deep.value', 'input.nested.deep', 'input.empty', 'input.blank', 'input.none',
  'input.none.field', 'input.partnerEmail.length', 'input.missing', 'input.missing.deeper', 'input.one', 'input.many', 'input.many.id',
  'input.yes', 'found.found', 'found.partner', 'found.partner.key', 'count', 'constructor', 'input.toString', '`offboardDate`',
  "'text'", '42', 'true', 'null',
  "$formatDate(offboardDate, 'long')", '$addCalendarDays($today(), 30)', "$formatDate($addBusinessDays(offboardDate, 1), 'datetime')",
  '$today()', '$formatDate(input.missing)', '$addCalendarDays(input.many, 1)', "$formatDate(offboardDate, 'weekday')",
];

const outcome = (value: Promise<unknown>) => value.then((v) => ({ value: v }), (e: Error) => ({ error: e.message }));

describe('expressions evaluated without JSONata', () => {
  it.each(expressions)('%s gives what JSONata gives, as a value and as a when: test', async (source) => {
    expect(await outcome(evaluate(source, scope))).toEqual(await outcome(evaluate(`(${source})`, scope)));
    expect(await outcome(truthTest(source, scope))).toEqual(await outcome(truthTest(`(${source})`, scope)));
  });

  it('agree with JSONata itself on paths', async () => {
    for (const source of expressions.slice(0, 26)) {
      const expected = await jsonata(source).evaluate(scope);
      expect(await evaluate(source, scope)).toEqual(expected === undefined ? undefined : JSON.parse(JSON.stringify(expected)));
    }
  });

  it('render templates and resolve step arguments as before', async () => {
    expect(await render("Ends {{ $formatDate(offboardDate, 'long') }} for {{ input.partnerEmail }}{{ input.missing }}", scope)).toBe('Ends Thursday 31 December 2026 for ops@acme.example');
    expect(await render('{{ input.many.id }} and {{ count + 1 }}', scope)).toBe('[1,2] and 4');
    expect(await resolveValue({ to: '=input.partnerEmail', days: ['=count', 2], note: 'on {{ offboardDate }}', n: 1 }, scope)).toEqual({ to: 'ops@acme.example', days: [3, 2], note: 'on 2026-12-31', n: 1 });
  });
});
