/**
 * Bad definitions never crash anything: a few thousand mutated and generated definitions through the
 * compiler (tests/fuzz/definitions.ts), each answered with positioned issues within 2 seconds. The long
 * run is `npm run fuzz`.
 */
import fc from 'fast-check';
import { compilerProperty, misbehaviour, warmUp } from './fuzz/definitions';

beforeAll(warmUp, 60_000);

it('answers thousands of mutated and generated definitions with positioned issues, in time, never throwing', async () => {
  await fc.assert(compilerProperty(), { numRuns: Number(process.env.FUZZ_RUNS) || 2000, interruptAfterTimeLimit: 240_000 });
}, 300_000);

it.each([
  ['an alias that points nowhere', 'process: a\nversion: 1\nsteps: *nowhere\n'],
  ['an alias inside the node it names', 'process: a\nversion: 1\nsteps: &s [ { id: x, parallel: { b: *s } } ]\n'],
  ['an alias bomb', `process: bomb\nversion: 1\n${Array.from({ length: 9 }, (_, d) => `l${d}: &l${d} [${Array(9).fill(d ? `*l${d - 1}` : '"lol"').join(',')}]`).join('\n')}\nsteps: *l8\n`],
])('answers %s with a positioned issue', async (_name, text) => {
  expect(await misbehaviour(text)).toBeUndefined();
});
