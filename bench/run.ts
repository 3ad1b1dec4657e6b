/**
 * `npm run bench`: the cost of interpreting YAML against writing the workflow by hand.
 *
 * The same small process (one activity, one human task decided by update, a 1 s timer) runs N times as the
 * hand-written workflow (bench/handwritten-workflow.ts) and N times as YAML (bench/approval.yaml) on a
 * dev server. Printed: history events per instance, wall time per instance, their ratios, and the time to
 * load, validate and compile every file in definitions/. Targets: events ratio <= 1.00, wall ratio <= 1.10.
 * Not part of the tests: shared machines are noisy, so figures are printed, never asserted.
 *
 * Then the API (bench/api.ts): starts per second through HTTP against raw client starts, and decision-to-next-step
 * latency through the API; BENCH_API=0 leaves it out.
 *
 * BENCH_INSTANCES (default 20), BENCH_CONCURRENCY (default 1: latency without the variants competing for
 * two cores), BENCH_COMPILE_ROUNDS (20); BENCH_SHOW_EVENTS=1 prints one instance's event types per variant.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { Worker, bundleWorkflowCode } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { z } from 'zod';
import { catalogue } from '../activities';
import { catalogueOf, defineAction } from '../activities/shared/action';
import { compileFiles, definitionFiles } from '../client/definitions';
import { startProcess } from '../client/processes';
import { compileOne } from '../dsl/compile';
import { devServerEnvironment } from '../tests/support/environments';
import { decideUpdate, searchAttributes } from '../workflows/messages';
import { bundleWorkflows } from '../worker';
import { measureApi } from './api';

const INSTANCES = Number(process.env.BENCH_INSTANCES ?? 20);
/** Instances in flight at once; 1 measures latency without the two variants competing for 2 cores. */
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 1);
const COMPILE_ROUNDS = Number(process.env.BENCH_COMPILE_ROUNDS ?? 20);

const record = defineAction({
  name: 'bench.record',
  description: 'Records that a benchmark request was received.',
  input: z.object({ requestId: z.string(), what: z.string() }),
  mutates: false,
  run: async (_client: undefined, input) => ({ recorded: input.requestId }),
});
const activities = { 'bench.record': (input: unknown) => record.run(undefined, record.input.parse(input), { idempotencyKey: '', signal: new AbortController().signal, attempt: 1 }) };

async function main(): Promise<void> {
  await measureCompile();

  const env = await devServerEnvironment();
  try {
    const [interpreterBundle, handwrittenBundle] = await Promise.all([
      bundleWorkflows(),
      bundleWorkflowCode({ workflowsPath: require.resolve('./handwritten-workflow'), logger: { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error } }),
    ]);
    const workers = await Promise.all([
      Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-interpreter', workflowBundle: interpreterBundle, activities }),
      Worker.create({ connection: env.nativeConnection, taskQueue: 'bench-handwritten', workflowBundle: handwrittenBundle, activities }),
    ]);
    const file = path.join(__dirname, 'approval.yaml');
    const compiled = await compileOne({ file, text: readFileSync(file, 'utf8') }, catalogueOf([...catalogue.values(), record]));
    if (!compiled.definition) throw new Error(`bench/approval.yaml does not compile: ${JSON.stringify(compiled.issues)}`);
    const definition = compiled.definition;

    await Promise.all(workers.map((w) => w.run()).concat([
      (async () => {
        try {
          // Warm both paths once so bundling and first-task costs stay out of the figures.
          await runBatch('handwritten', 1, (id) => env.client.workflow.start('handwrittenApproval', { taskQueue: 'bench-handwritten', workflowId: `warm-hand-${id}`, args: [{ requestId: id }] }));
          await runBatch('interpreter', 1, (id) => startProcess(env.client, definition, { requestId: id }, { taskQueue: 'bench-interpreter', workflowId: `warm-yaml-${id}` }));
          const hand = await runBatch('handwritten', INSTANCES, (id) => env.client.workflow.start('handwrittenApproval', { taskQueue: 'bench-handwritten', workflowId: `hand-${id}`, args: [{ requestId: id }] }));
          const yaml = await runBatch('interpreter', INSTANCES, (id) => startProcess(env.client, definition, { requestId: id }, { taskQueue: 'bench-interpreter', workflowId: `yaml-${id}` }));
          report(hand, yaml);
          if (process.env.BENCH_API !== '0') await measureApi(env, interpreterBundle);
        } finally {
          workers.forEach((w) => w.shutdown());
        }
      })(),
    ]));
  } finally {
    await env.teardown();
  }
}

interface BatchFigures {
  name: string;
  eventsPerInstance: number;
  wallMsPerInstance: number;
  totalMs: number;
}

/** Runs N instances, CONCURRENCY at a time: start, approve once the task is open, await the result. */
async function runBatch(name: string, count: number, start: (id: string) => Promise<WorkflowHandle>): Promise<BatchFigures> {
  const began = performance.now();
  const runs: { wallMs: number; events: number }[] = [];
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) runs.push(await runOne(i));
  };
  const runOne = async (i: number) => {
    const t0 = performance.now();
    const handle = await start(`${name}-${i}-${Date.now()}`);
    await approve(handle);
    await handle.result();
    const wallMs = performance.now() - t0;
    const history = await handle.fetchHistory();
    if (process.env.BENCH_SHOW_EVENTS && i === 0) {
      console.log(name, (history.events ?? []).map((e) => temporal.api.enums.v1.EventType[e.eventType ?? 0].replace('EVENT_TYPE_', '')).join(' '));
    }
    return { wallMs, events: history.events?.length ?? 0 };
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, count) }, lane));
  return {
    name,
    eventsPerInstance: runs.reduce((sum, r) => sum + r.events, 0) / count,
    wallMsPerInstance: runs.reduce((sum, r) => sum + r.wallMs, 0) / count,
    totalMs: performance.now() - began,
  };
}

/**
 * Waits until the instance shows its approval task in search attributes (both variants publish
 * OpenTaskRoles), then approves it: the same client work for both, and no refused updates.
 */
async function approve(handle: WorkflowHandle): Promise<void> {
  for (;;) {
    const { typedSearchAttributes } = await handle.describe();
    if (typedSearchAttributes.get(searchAttributes.openTaskRoles)?.includes('approver')) break;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: 'approve#1', outcome: 'approve', actor: { id: 'bench', roles: ['approver'] } }] });
}

async function measureCompile(): Promise<void> {
  const files = await definitionFiles();
  const began = performance.now();
  for (let i = 0; i < COMPILE_ROUNDS; i++) {
    const results = await compileFiles(files);
    const broken = results.filter((r) => r.issues.length);
    if (broken.length) throw new Error(`${broken.map((r) => r.file).join(', ')} do not compile`);
  }
  const perRound = (performance.now() - began) / COMPILE_ROUNDS;
  console.log(`load + validate + compile definitions/ (${files.length} files): ${perRound.toFixed(1)} ms per round, ${(perRound / files.length).toFixed(1)} ms per file (mean of ${COMPILE_ROUNDS})`);
}

function report(hand: BatchFigures, yaml: BatchFigures): void {
  const row = (f: BatchFigures) => `${f.name.padEnd(12)} ${f.eventsPerInstance.toFixed(1).padStart(8)} ${f.wallMsPerInstance.toFixed(0).padStart(10)} ${f.totalMs.toFixed(0).padStart(10)}`;
  console.log(`\n${INSTANCES} instances each, ${CONCURRENCY} at a time, dev server, 1 s timer per instance`);
  console.log(`${'variant'.padEnd(12)} ${'events'.padStart(8)} ${'wall ms'.padStart(10)} ${'batch ms'.padStart(10)}`);
  console.log(row(hand));
  console.log(row(yaml));
  const events = yaml.eventsPerInstance / hand.eventsPerInstance;
  const wall = yaml.wallMsPerInstance / hand.wallMsPerInstance;
  console.log(`ratio interpreter / hand-written: events ${events.toFixed(2)} (target <= 1.00), wall ${wall.toFixed(2)} (target <= 1.10)`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
