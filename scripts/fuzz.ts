/**
 * `npm run fuzz`: the compiler's fuzzing harness (tests/fuzz/definitions.ts) for longer than the suite runs
 * it. FUZZ_RUNS inputs (default 20,000), FUZZ_SEED to repeat a run. Prints the first input the compiler
 * mishandles (shrunk to a small one) and exits 1, or the number of inputs it answered well.
 */
import fc from 'fast-check';
import { compilerProperty, TIME_LIMIT_MS, warmUp } from '../tests/fuzz/definitions';

async function main(): Promise<void> {
  const numRuns = Number(process.env.FUZZ_RUNS) || 20_000;
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : Date.now() ^ (Math.random() * 0x100000000);
  await warmUp();
  console.log(`fuzzing the definition compiler: ${numRuns} inputs, seed ${seed} (FUZZ_SEED=${seed} repeats this run)`);
  const started = Date.now();
  const details = await fc.check(compilerProperty(), { numRuns, seed });
  const seconds = ((Date.now() - started) / 1000).toFixed(1);
  if (details.failed) {
    console.error(`after ${details.numRuns} inputs (${seconds} s) the compiler mishandled this one:`);
    console.error(JSON.stringify(details.counterexample?.[0]));
    console.error(String(details.errorInstance));
    process.exit(1);
  }
  console.log(`${details.numRuns} inputs in ${seconds} s: every one answered with positioned issues within ${TIME_LIMIT_MS} ms, none threw`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
