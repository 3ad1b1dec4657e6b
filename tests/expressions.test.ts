/**
 * Expressions that are plain paths (`input.partnerEmail`) are read without JSONata's asynchronous evaluator
 * (dsl/expressions.ts): they must give exactly what JSONata gives, for values and for `when:` tests, whatever
 * the data holds on the way (missing fields, nulls, texts, arrays, empty objects).
 */
import jsonata from 'jsonata';
import { evaluate, test as truthTest, type Scope } from '../dsl/expressions';

const scope: Scope = {
  input: { partnerEmail: 'ops@acme.example', nested: { deep: { value: 0 } }, empty: {}, blank: '', none: null, one: [7], many: [{ id: 1 }, { id: 2 }], yes: true },
  offboardDate: '2026-12-31',
  found: { found: false, partner: null },
  count: 3,
};

const paths = [
  'input.partnerEmail', 'offboardDate', 'input.nested.deep.value', 'input.nested.deep', 'input.empty', 'input.blank', 'input.none',
  'input.none.field', 'input.partnerEmail.length', 'input.missing', 'input.missing.deeper', 'input.one', 'input.many', 'input.many.id',
  'input.yes', 'found.found', 'found.partner', 'found.partner.key', 'count', 'constructor', 'input.toString', '`offboardDate`',
];

describe('plain-path expressions', () => {
  it.each(paths)('%s gives what JSONata gives, as a value and as a when: test', async (source) => {
    const expected = await jsonata(source).evaluate(scope);
    expect(await evaluate(source, scope)).toEqual(expected === undefined ? undefined : JSON.parse(JSON.stringify(expected)));
    expect(await truthTest(source, scope)).toBe(Boolean(await jsonata(`$boolean(${source})`).evaluate(scope)));
  });
});
