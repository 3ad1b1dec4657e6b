/**
 * Plain paths (`input.partnerEmail`), literals, date-function calls and operators on them are evaluated
 * without JSONata's asynchronous evaluator (dsl/expressions.ts): they must give exactly what JSONata gives,
 * for values, for `when:` tests and in templates, whatever the data holds on the way (missing fields, nulls,
 * texts, numbers, arrays, empty objects), and fail with the same message. JSONata's answer is had by wrapping
 * the expression in parentheses, a form it alone evaluates, with the same date functions bound.
 */
import fc from 'fast-check';
import jsonata from 'jsonata';
import { promiseHooks } from 'node:v8';
import { snapshotCalendar } from '../dsl/calendar-data';
import { evaluate, evaluateEagerly, render, renderEagerly, resolveEagerly, resolveValue, test as truthTest, testEagerly, TIME_CONTEXT, type Scope } from '../dsl/expressions';

const scope: Scope = {
  input: { partnerEmail: 'ops@acme.example', nested: { deep: { value: 0 } }, empty: {}, blank: '', none: null, one: [7], many: [{ id: 1 }, { id: 2 }], yes: true, requestedBy: 'partner', partnerKey: 'acme' },
  partnerFound: { found: true, partner: { key: 'acme', archived: false } },
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

// Every operator form the definitions use, and the cases where JSONata raises an error or sees an array.
const operators = [
  'found.found and found.partner.key = input.partnerKey and $not(found.partner.archived)',
  'partnerFound.found and partnerFound.partner.key = input.partnerKey and $not(partnerFound.partner.archived)', 'input.yes and count > 2', 'input.blank or input.none',
  'input.missing or count', "input.requestedBy = 'partner'", "input.requestedBy != 'partner'", 'input.missing = input.missing', 'input.none = null',
  'count = 3 and input.nested.deep.value = 0', 'count >= 3', 'count < 2.5', "input.partnerEmail > 'a'", "count < 'text'", 'input.yes > 1', 'input.missing > 1',
  "offboardDate < $addCalendarDays(offboardDate, 30)", 'count + 1', 'count / 0', 'count % 2', 'count - input.missing', 'input.yes + 1', 'count * 0.1',
  "'Open orders: ' & input.partnerEmail", 'input.none & input.missing & count & input.yes', '0.1 + 0.2 & \'\'', 'input.empty & 1',
  "count > 2 ? 'many' : 'few'", "input.missing ? 'yes'", "input.blank ? 1 : input.none ? 2 : 3", "input.requestedBy in ['partner', 'cam']", 'count in [1, 2]',
  'count in input.one', 'input.one = 7', 'input.many.id = 1', 'input.empty = input.empty', 'found.partner = null', '$not(input.empty)', '$not(input.missing)',
  '$exists(input.missing)', '$exists(input.none)', '$boolean(input.blank)', '$not()', '$exists(count, 1)', '$not(input.one)', 'constructor = 1',
];

/** The value an evaluation gives and how many promises it made on the way, once its expression is compiled. */
async function promisesMadeBy(evaluation: () => Promise<unknown>): Promise<{ value: unknown; promises: number }> {
  await evaluation();
  let promises = 0;
  const stop = promiseHooks.onInit(() => promises++);
  try {
    const pending = evaluation();
    const value = await pending;
    return { value, promises };
  } finally {
    stop();
  }
}

const outcome = (value: Promise<unknown>) => value.then((v) => ({ value: v }), (e: Error) => ({ error: e.message }));

describe('expressions evaluated without JSONata', () => {
  it.each([...expressions, ...operators])('%s gives what JSONata gives, as a value and as a when: test', async (source) => {
    expect(await outcome(evaluate(source, scope))).toEqual(await outcome(evaluate(`(${source})`, scope)));
    expect(await outcome(truthTest(source, scope))).toEqual(await outcome(truthTest(`(${source})`, scope)));
  });

  it('agree with JSONata itself on paths', async () => {
    for (const source of expressions.slice(0, 26)) {
      const expected = await jsonata(source).evaluate(scope);
      expect(await evaluate(source, scope)).toEqual(expected === undefined ? undefined : JSON.parse(JSON.stringify(expected)));
    }
  });

  it('give what JSONata gives on operators, functions and values combined at random', async () => {
    const values = ['input.partnerEmail', 'input.blank', 'input.none', 'input.missing', 'input.yes', 'input.empty', 'input.one', 'input.nested', 'count', 'found.found', 'found.partner',
      "''", "'partner'", "'b'", '0', '3', '-2', '2.5', '0.1', 'true', 'false', 'null', 'offboardDate', '$today()'];
    const binaryOps = ['=', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', '&', 'and', 'or', 'in'];
    const { expression } = fc.letrec<{ expression: string; operand: string }>((tie) => ({
      operand: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.constantFrom(...values),
        fc.tuple(fc.constantFrom('not', 'exists', 'boolean'), tie('expression')).map(([name, arg]) => `$${name}(${arg})`),
        fc.array(fc.constantFrom("'partner'", '3', 'null', 'true'), { maxLength: 3 }).map((items) => `[${items.join(', ')}]`),
      ),
      expression: fc.oneof(
        { depthSize: 'small' },
        tie('operand'),
        fc.tuple(tie('operand'), fc.array(fc.tuple(fc.constantFrom(...binaryOps), tie('operand')), { minLength: 1, maxLength: 3 }))
          .map(([first, rest]) => rest.reduce((text, [op, operand]) => `${text} ${op} ${operand}`, first)),
        fc.tuple(tie('operand'), tie('operand'), fc.option(tie('operand'))).map(([c, t, e]) => `${c} ? ${t}${e === null ? '' : ` : ${e}`}`),
      ),
    }));
    await fc.assert(
      fc.asyncProperty(expression, async (source) => {
        expect(await outcome(evaluate(source, scope))).toEqual(await outcome(evaluate(`(${source})`, scope)));
        expect(await outcome(truthTest(source, scope))).toEqual(await outcome(truthTest(`(${source})`, scope)));
      }),
      { numRuns: 1000 },
    );
  });

  it('make no promise of JSONata for them, except in instances started before they were evaluated here', async () => {
    // Each promise made inside a workflow costs a captured stack trace: what this evaluation exists to save.
    const source = "partnerFound.found and partnerFound.partner.key = input.partnerKey and input.requestedBy in ['partner'] ? 'yes' : 'no'";
    const older = (evaluatedHere: 'plain' | 'none'): Scope => ({ ...scope, [TIME_CONTEXT]: { ...scope[TIME_CONTEXT]!, evaluatedHere } });
    // Evaluated here, an expression makes only its async call's own promises (two or three); JSONata makes about 100.
    const direct = await promisesMadeBy(() => evaluate(source, scope));
    expect(direct.value).toBe('yes');
    expect(direct.promises).toBeLessThanOrEqual(3);
    const plain = await promisesMadeBy(() => evaluate(source, older('plain')));
    expect(plain.value).toBe('yes');
    expect(plain.promises).toBeGreaterThan(20);
    expect((await promisesMadeBy(() => evaluate('input.partnerEmail', older('plain')))).promises).toBeLessThanOrEqual(3);
    // Function calls too; before `synchronous-operators` they went to JSONata (JSONata's call nodes carry a
    // `name` the first check did not expect), so such instances keep that.
    const call = "$formatDate($addCalendarDays(offboardDate, 1), 'long')";
    expect(await promisesMadeBy(() => evaluate(call, scope))).toEqual({ value: 'Friday 1 January 2027', promises: expect.any(Number) });
    expect((await promisesMadeBy(() => evaluate(call, scope))).promises).toBeLessThanOrEqual(3);
    expect((await promisesMadeBy(() => evaluate(call, older('plain')))).promises).toBeGreaterThan(10);
    expect((await promisesMadeBy(() => evaluate('input.partnerEmail', older('none')))).promises).toBeGreaterThan(10);
  });

  it('are handed back at once by the eager forms the steps use, and JSONata\'s promise only for what it alone evaluates', async () => {
    // The steps of instances started under `eager-steps` (a branch, a `set:`, a `when:`) make no promise at all for these.
    const count = (work: () => unknown) => {
      let promises = 0;
      const stop = promiseHooks.onInit(() => promises++);
      try {
        return { value: work(), promises };
      } finally {
        stop();
      }
    };
    const here = [
      () => evaluateEagerly("count > 2 ? 'many' : 'few'", scope),
      () => testEagerly('found.found or input.yes', scope),
      () => renderEagerly("Ends {{ $formatDate(offboardDate, 'long') }}", scope),
      () => resolveEagerly({ to: '=input.partnerEmail', subject: 'For {{ input.partnerKey }}', tags: ['x', '=count + 1'] }, scope),
    ];
    expect(here.map(count)).toEqual([
      { value: 'many', promises: 0 },
      { value: true, promises: 0 },
      { value: 'Ends Thursday 31 December 2026', promises: 0 },
      { value: { to: 'ops@acme.example', subject: 'For acme', tags: ['x', 4] }, promises: 0 },
    ]);
    // A filter is JSONata's alone: the same answer as the async forms give, as a promise.
    const filter = 'input.many[id = 2].id';
    const eager = [evaluateEagerly(filter, scope), testEagerly(filter, scope), renderEagerly(`#{{ ${filter} }}`, scope), resolveEagerly({ id: `=${filter}` }, scope)];
    expect(eager.every((value) => value instanceof Promise)).toBe(true);
    expect(await Promise.all(eager)).toEqual([2, true, '#2', { id: 2 }]);
    expect([await evaluate(filter, scope), await truthTest(filter, scope), await render(`#{{ ${filter} }}`, scope), await resolveValue({ id: `=${filter}` }, scope)]).toEqual([2, true, '#2', { id: 2 }]);
  });

  it('render templates and resolve step arguments as before', async () => {
    expect(await render("Ends {{ $formatDate(offboardDate, 'long') }} for {{ input.partnerEmail }}{{ input.missing }}", scope)).toBe('Ends Thursday 31 December 2026 for ops@acme.example');
    expect(await render('{{ input.many.id }} and {{ count + 1 }}', scope)).toBe('[1,2] and 4');
    expect(await resolveValue({ to: '=input.partnerEmail', days: ['=count', 2], note: 'on {{ offboardDate }}', n: 1 }, scope)).toEqual({ to: 'ops@acme.example', days: [3, 2], note: 'on 2026-12-31', n: 1 });
  });
});
