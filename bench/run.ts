/**
 * `npm run bench`: what an instance costs interpreted from YAML against the same process written by hand.
 *
 * Like with like: definitions/reseller-offboarding.yaml runs on the interpreter, and bench/offboarding-handwritten.ts
 * is its opening written by hand with the same activities, task, timers and search-attribute upserts. Each
 * variant runs in a worker process of its own (bench/worker-process.ts) on one dev server, once per cache
 * size asked for, and the benchmark measures what users feel:
 *   - worker RSS idle (one instance run, so the sandbox has loaded the bundle) and per 1,000 instances parked on the legal-review task (open task, deadline timer),
 *     read after BENCH_QUIET_SECONDS (15) quiet seconds, with the workflow thread's heap (where cached instances live) beside it;
 *   - history bytes per parked instance (payloads sealed and compressed by the production codec), and the server's database growth per instance;
 *   - Update latency p50/p99 for a decision on a cached instance (the newest parked) and on an evicted one
 *     (the oldest: a miss whenever more are parked than the cache holds);
 *   - decision → next activity (`email.send`) started, p50/p99;
 *   - decisions per second at concurrency 1 and 10;
 *   - bundle size; the time to list overdue instances with the README's query among all parked;
 *   - what a cache miss adds, without the server's noise: a parked history replayed BENCH_REPLAYS (50) times in
 *     this process, the promises the workflow makes per replay and the time per replay (bench/replay-cost.ts);
 *     BENCH_PROMISE_CENSUS=1 also prints which functions make those promises.
 * A third variant, `unshared`, is the interpreter bundled without the modules its workers share across
 * instances (worker.ts, `preloadModules`): what sharing them saves. A fourth, `stack-traces` (not run unless
 * asked for), is the interpreter with OPS_WORKFLOW_STACK_TRACES=true: what the JavaScript stack traces cost.
 * Printed as a table with ratios to the hand-written workflow. Then the API (bench/api.ts): starts per second
 * through HTTP against raw client starts. Not part of the tests: figures are printed, never asserted.
 *
 * Sizes (env): BENCH_PARKED (200; 10000 for the load figures), BENCH_DECISIONS (10 per measure),
 * BENCH_CACHE ("default,50": maxCachedWorkflows per run, `default` = the SDK's), BENCH_VARIANTS
 * ("handwritten,interpreter,unshared"; also `stack-traces`), BENCH_COMPILE_ROUNDS (20),
 * BENCH_QUIET_SECONDS (15) the wait before memory is read, BENCH_API=0 leaves the API out. A default run takes a few minutes.
 * To find where memory and CPU go: BENCH_HEAP_SNAPSHOTS=<dir> writes a heap snapshot of each worker idle and
 * with all parked; BENCH_CPU_PROFILE=<dir> a CPU profile of each worker's concurrency-10 decisions, and of each variant's replays
 * (summarised by `npx tsx bench/profile-summary.ts <file>`).
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { bundleWorkflowCode, DefaultLogger, Runtime } from '@temporalio/worker';
import { fork, type ChildProcess } from 'node:child_process';
import { mkdtempSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { compileFiles, definitionFiles } from '../client/definitions';
import { SQLITE_FLAGS } from '../client/dev-server';
import { dataConverterFor, parsePayloadKeys } from '../client/payload-codec';
import { startProcess } from '../client/processes';
import { devServerEnvironment } from '../tests/support/environments';
import { decideUpdate, type Decision } from '../workflows/messages';
import { bundleWorkflows, WITHOUT_STACK_TRACES, WORKFLOWS_PATH } from '../worker';
import { measureApi } from './api';
import { replayCosts, type ReplayCost, type ReplaySubject } from './replay-cost';

const PARKED = Number(process.env.BENCH_PARKED ?? 200);
const DECISIONS = Number(process.env.BENCH_DECISIONS ?? 10);
const CACHES = (process.env.BENCH_CACHE ?? 'default,50').split(',').map((s) => s.trim());
const COMPILE_ROUNDS = Number(process.env.BENCH_COMPILE_ROUNDS ?? 20);
const HEAP_SNAPSHOTS = process.env.BENCH_HEAP_SNAPSHOTS;
const CPU_PROFILE = process.env.BENCH_CPU_PROFILE;
const START_LANES = 10;
const QUIET_SECONDS = Number(process.env.BENCH_QUIET_SECONDS ?? 15);
const REPLAYS = Number(process.env.BENCH_REPLAYS ?? 50);
const MiB = 1024 * 1024;

/**
 * `unshared`: the interpreter bundled without the shared (preloaded) modules, to show what sharing them saves;
 * `stack-traces`: with the workflows' JavaScript stack traces kept, to show what they cost.
 */
const VARIANT_NAMES = ['handwritten', 'interpreter', 'unshared', 'stack-traces'] as const;
type Variant = (typeof VARIANT_NAMES)[number];
const VARIANTS = (process.env.BENCH_VARIANTS ?? 'handwritten,interpreter,unshared').split(',').map((s) => s.trim() as Variant);
const unknownVariant = VARIANTS.find((variant) => !VARIANT_NAMES.includes(variant));
if (unknownVariant) throw new Error(`BENCH_VARIANTS: no variant '${unknownVariant}'; the variants are ${VARIANT_NAMES.join(', ')}`);

interface Figures {
  variant: Variant;
  cache: string;
  idleMiB: number;
  perThousandMiB: number;
  /** The workflow thread's JavaScript heap per 1,000 parked: where cached instances live. */
  heapPerThousandMiB: number;
  historyBytes: number;
  dbBytesPerInstance: number;
  hit: number[];
  miss: number[];
  nextActivity: number[];
  perSecond1: number;
  perSecond10: number;
  overdueListMs: number;
  /** Replaying a parked instance's history, what a cache miss adds (bench/replay-cost.ts); the same for every cache size. */
  replay?: ReplayCost;
}

async function main(): Promise<void> {
  // The replays (bench/replay-cost.ts) run SDK workers in this process: only their warnings are wanted.
  Runtime.install({ logger: new DefaultLogger('WARN') });
  await measureCompile();
  const work = mkdtempSync(path.join(tmpdir(), 'bench-'));
  const { env, dbFile } = await serverWithDatabaseFile(work);
  try {
    const files = await definitionFiles();
    const results = await compileFiles(files);
    const definition = results.find((r) => r.definition?.process === 'reseller-offboarding')?.definition;
    if (!definition) throw new Error('definitions/reseller-offboarding.yaml does not compile');

    const logger = { log() {}, trace() {}, debug() {}, info() {}, warn: console.warn, error: console.error };
    const interpreterBundle = await bundleWorkflows();
    const handwrittenBundle = await bundleWorkflowCode({ workflowsPath: require.resolve('./offboarding-handwritten'), logger });
    const codes: Record<Variant, string> = {
      interpreter: interpreterBundle.code,
      handwritten: handwrittenBundle.code,
      unshared: (await bundleWorkflowCode({ workflowsPath: WORKFLOWS_PATH, preloadModules: [WITHOUT_STACK_TRACES], logger })).code,
      'stack-traces': VARIANTS.includes('stack-traces') ? (await bundleWorkflows({ stackTraces: true })).code : '',
    };
    const bundles = Object.fromEntries(VARIANT_NAMES.map((variant) => [variant, path.join(work, `${variant}.js`)])) as Record<Variant, string>;
    for (const variant of VARIANT_NAMES) writeFileSync(bundles[variant], codes[variant]);

    const address = env.address;
    const connection = await Connection.connect({ address });
    // Payloads sealed (and compressed) as in production, by the client and by every benchmark worker alike.
    const payloadKeys = `bench:${randomBytes(32).toString('base64')}`;
    const client = new Client({ connection, namespace: env.namespace, dataConverter: dataConverterFor(parsePayloadKeys(payloadKeys)) });
    const calendar = definition.calendars.us;
    const today = new Date().toISOString().slice(0, 10);
    const inputOf = (key: string) => ({
      partnerKey: key, partnerName: `Partner ${key}`, partnerEmail: `${key}@bench.example`, cam: 'carla.mendes',
      requestedOn: today, requestedBy: 'company' as const, reason: 'benchmark', salesOpsEmail: 'sales-ops@bench.example',
    });
    const starters: Record<Variant, (key: string, taskQueue: string) => Promise<WorkflowHandle>> = {
      interpreter: (key, taskQueue) => startProcess(client, definition, inputOf(key), { taskQueue, workflowId: `bench-${key}` }),
      unshared: (key, taskQueue) => startProcess(client, definition, inputOf(key), { taskQueue, workflowId: `bench-${key}` }),
      'stack-traces': (key, taskQueue) => startProcess(client, definition, inputOf(key), { taskQueue, workflowId: `bench-${key}` }),
      handwritten: (key, taskQueue) => client.workflow.start('handwrittenOffboarding', { taskQueue, workflowId: `bench-${key}`, args: [{ ...inputOf(key), calendar }] }),
    };

    const figures: Figures[] = [];
    const parked: Partial<Record<Variant, ReplaySubject>> = {};
    for (const cache of CACHES) {
      for (const variant of VARIANTS) {
        const { parkedHistory, decidedHistory, ...measured } = await measureVariant(variant, cache, { address, namespace: env.namespace!, bundle: bundles[variant], client, start: starters[variant], dbFile, payloadKeys });
        parked[variant] = { bundlePath: bundles[variant], history: parkedHistory, decided: decidedHistory };
        figures.push(measured);
        // Each row as soon as it is measured: a 10,000-instance run takes long enough to be worth reading as it goes.
        console.log(`measured: ${JSON.stringify({ ...measured, hit: summary(measured.hit), miss: summary(measured.miss), nextActivity: summary(measured.nextActivity) })}`);
      }
    }
    const replays = await replayCosts(parked as Record<Variant, ReplaySubject>, dataConverterFor(parsePayloadKeys(payloadKeys)), REPLAYS, { census: process.env.BENCH_PROMISE_CENSUS === '1', profileDir: CPU_PROFILE });
    for (const f of figures) f.replay = replays[f.variant];
    report(figures, { interpreter: interpreterBundle.code.length, handwritten: handwrittenBundle.code.length });
    await connection.close();
    if (process.env.BENCH_API !== '0') await measureApi(env, interpreterBundle);
  } finally {
    await env.teardown();
  }
}

/**
 * A dev server keeping its state in a file, so its growth can be measured. A start that timed out on a busy
 * machine leaves a half-made database the next attempt cannot open, so each attempt gets a new file.
 */
async function serverWithDatabaseFile(dir: string): Promise<{ env: Awaited<ReturnType<typeof devServerEnvironment>>; dbFile: string }> {
  for (let attempt = 1; ; attempt++) {
    const dbFile = path.join(dir, `server-${attempt}.sqlite`);
    try {
      return { env: await devServerEnvironment({ dbFilename: dbFile, extraArgs: SQLITE_FLAGS }), dbFile };
    } catch (err) {
      if (attempt === 3) throw err;
    }
  }
}

interface Context {
  address: string;
  namespace: string;
  bundle: string;
  client: Client;
  start: (key: string, taskQueue: string) => Promise<WorkflowHandle>;
  dbFile: string;
  payloadKeys: string;
}

async function measureVariant(variant: Variant, cache: string, ctx: Context): Promise<Figures & { parkedHistory: temporal.api.history.v1.IHistory; decidedHistory: temporal.api.history.v1.IHistory }> {
  const run = `${variant}-${cache}-${Date.now()}`;
  const taskQueue = `bench-${run}`;
  const worker = fork(require.resolve('./worker-process'), [], {
    execArgv: ['--import', 'tsx', '--expose-gc'],
    env: { ...process.env, BENCH_ADDRESS: ctx.address, BENCH_NAMESPACE: ctx.namespace, BENCH_TASK_QUEUE: taskQueue, BENCH_BUNDLE: ctx.bundle, BENCH_MAX_CACHED: cache, BENCH_PAYLOAD_KEYS: ctx.payloadKeys },
  });
  const activityStarts = new Map<string, number>();
  worker.on('message', (m: { activityStarted?: string; at?: number }) => {
    if (m.activityStarted && !activityStarts.has(m.activityStarted)) activityStarts.set(m.activityStarted, m.at!);
  });
  try {
    await reply(worker, (m) => m.ready === true);
    // One instance first, so loading the bundle into the workflow sandbox counts as idle, not as parked.
    const parkedQuery = `TaskQueue = '${taskQueue}' AND OpenTaskRoles = 'cam'`;
    const parkedCount = async (count: number) => {
      // A loaded dev server may briefly answer "namespace not found" while its registry refreshes: ask again.
      while ((await ctx.client.workflow.count(parkedQuery).catch(() => ({ count: -1 }))).count < count) await new Promise((resolve) => setTimeout(resolve, 500));
    };
    await ctx.start(`${run}-warm`, taskQueue);
    await parkedCount(1);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idle = await memory(worker);
    if (HEAP_SNAPSHOTS) await heapSnapshot(worker, path.join(HEAP_SNAPSHOTS, `${variant}-${cache}-idle`));
    const dbBefore = dbSize(ctx.dbFile);

    // Park: every instance waits on its legal-review task (open task, first-business-day timer). Starts go in
    // lanes, each retried: a dev server loaded by thousands of starts answers some with "namespace not found".
    const keys = Array.from({ length: PARKED }, (_, i) => `${run}-${i}`);
    await inLanes(keys.length, START_LANES, (i) => retried(() => ctx.start(keys[i], taskQueue)));
    await parkedCount(PARKED + 1);
    // Parked means quiet: give V8's memory reducer the few idle seconds it waits for before it gives back the
    // heap the burst of starts grew, as it would between people's decisions.
    await new Promise((resolve) => setTimeout(resolve, QUIET_SECONDS * 1000));
    const parked = await memory(worker);
    console.log(`${variant} (${cache}) ${describeMemory('idle', idle)}; ${describeMemory(`${PARKED} parked`, parked)}`);
    if (HEAP_SNAPSHOTS) await heapSnapshot(worker, path.join(HEAP_SNAPSHOTS, `${variant}-${cache}-parked`));
    const dbAfter = dbSize(ctx.dbFile);
    const history = await ctx.client.workflow.getHandle(`bench-${keys[0]}`).fetchHistory();
    // The warm-up instance stays parked: its history is what a decision on an evicted instance replays.
    const parkedHistory = await ctx.client.workflow.getHandle(`bench-${run}-warm`).fetchHistory();
    const historyBytes = temporal.api.history.v1.History.encode(history).finish().length;

    const overdueBegan = performance.now();
    for await (const _ of ctx.client.workflow.list({ query: `TaskQueue = '${taskQueue}' AND ExecutionStatus = 'Running' AND OverdueSince IS NOT NULL` })) void _;
    const overdueListMs = performance.now() - overdueBegan;

    const decideOne = async (key: string, into: number[], next: number[]) => {
      const workflowId = `bench-${key}`;
      const decision: Decision = { taskId: 'legal-review#1', outcome: 'send-notice', actor: { id: 'carla.mendes', roles: ['cam'] } };
      const t0 = Date.now();
      await ctx.client.workflow.getHandle(workflowId).executeUpdate(decideUpdate, { args: [decision] });
      into.push(Date.now() - t0);
      for (let waited = 0; !activityStarts.has(workflowId) && waited < 120_000; waited += 10) await new Promise((resolve) => setTimeout(resolve, 10));
      next.push((activityStarts.get(workflowId) ?? NaN) - t0);
    };
    const d = Math.min(DECISIONS, Math.floor(PARKED / 4));
    const hit: number[] = [], miss: number[] = [], nextActivity: number[] = [], unused: number[] = [];
    // Cached: the newest parked instances, one at a time.
    const newest = keys.slice(-d);
    const began1 = performance.now();
    for (const key of newest) await decideOne(key, hit, nextActivity);
    const perSecond1 = d / ((performance.now() - began1) / 1000);
    // Evicted (when more are parked than the cache holds): the oldest, one at a time.
    for (const key of keys.slice(0, d)) await decideOne(key, miss, nextActivity);
    // Ten at a time, from the middle.
    const middle = keys.slice(d, d + Math.min(d * 2, PARKED - 3 * d));
    if (CPU_PROFILE) await ask(worker, { profileStart: true }, (m) => m.profiling === true);
    const began10 = performance.now();
    await inLanes(middle.length, 10, (i) => decideOne(middle[i], unused, nextActivity));
    const perSecond10 = middle.length / ((performance.now() - began10) / 1000);
    if (CPU_PROFILE) {
      const prefix = path.join(CPU_PROFILE, `${variant}-${cache}-c10`);
      await ask(worker, { profileTo: prefix }, (m) => m.profile === prefix);
      console.log(`CPU profiles of ${variant} (${cache}) deciding at concurrency 10: ${prefix}-{main,workflows}.cpuprofile`);
    }
    // Decided, and parked again at the next wait: replayed, what a decision and the steps after it cost.
    const decidedHistory = await ctx.client.workflow.getHandle(`bench-${newest[0]}`).fetchHistory();

    return {
      variant, cache, idleMiB: idle.rss / MiB, perThousandMiB: ((parked.rss - idle.rss) / MiB / PARKED) * 1000,
      heapPerThousandMiB: ((parked.workflowHeap - idle.workflowHeap) / MiB / PARKED) * 1000, historyBytes,
      dbBytesPerInstance: (dbAfter - dbBefore) / PARKED, hit, miss, nextActivity, perSecond1, perSecond10, overdueListMs, parkedHistory, decidedHistory,
    };
  } finally {
    worker.send({ stop: true });
    await new Promise((resolve) => {
      const timer = setTimeout(() => (worker.kill(), resolve(undefined)), 15_000);
      worker.once('exit', () => (clearTimeout(timer), resolve(undefined)));
    });
  }
}

function reply(worker: ChildProcess, matches: (m: any) => boolean): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  return new Promise((resolve, reject) => {
    const onMessage = (m: unknown) => matches(m) && (worker.off('message', onMessage), worker.off('exit', onExit), resolve(m));
    const onExit = (code: number) => reject(new Error(`the benchmark worker exited (${code})`));
    worker.on('message', onMessage);
    worker.once('exit', onExit);
  });
}

function ask(worker: ChildProcess, message: object, matches: (m: any) => boolean): Promise<any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  const answer = reply(worker, matches);
  worker.send(message);
  return answer;
}

/** The worker's resident set, its main thread's heap (after a collection) and its workflow thread's heap. */
interface Memory {
  rss: number;
  mainHeap: number;
  mainHeapTotal: number;
  external: number;
  workflowHeap: number;
  workflowHeapPhysical: number;
  /** Outside the workflow thread's heap but its own: array buffers (activations come in them) and V8's own mallocs. */
  workflowExternal: number;
  workflowMalloced: number;
}

async function memory(worker: ChildProcess): Promise<Memory> {
  return ask(worker, { memory: true }, (m) => typeof m.rss === 'number');
}

/** Where the resident set is: what neither heap explains is native (the SDK's core, buffers, the allocator). */
function describeMemory(label: string, m: Memory): string {
  const mib = (n: number) => (n / MiB).toFixed(0);
  const native = m.rss - m.mainHeapTotal - m.workflowHeapPhysical;
  return `${label}: RSS ${mib(m.rss)} MiB = main heap ${mib(m.mainHeap)} used of ${mib(m.mainHeapTotal)} + workflow heap ${mib(m.workflowHeap)} used of ${mib(m.workflowHeapPhysical)} resident + the rest ${mib(native)} (external: main ${mib(m.external)}, workflow thread ${mib(m.workflowExternal)}; V8 malloc in the workflow thread ${mib(m.workflowMalloced)})`;
}

async function heapSnapshot(worker: ChildProcess, prefix: string): Promise<void> {
  await ask(worker, { heapSnapshot: prefix }, (m) => m.heapSnapshot === prefix);
  console.log(`heap snapshots: ${prefix}-{main,workflows}.heapsnapshot`);
}

/**
 * A start retried on a transient refusal, up to ten times with a growing pause: a dev server busy with a
 * burst of starts answers "unavailable", or even "namespace not found" while it reloads its shard.
 */
async function retried(start: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await start();
      return;
    } catch (err) {
      // Already started on a retry: the attempt that seemed to fail reached the server.
      if (attempt > 1 && (err as Error).name === 'WorkflowExecutionAlreadyStartedError') return;
      if (attempt === 10) throw err;
      await new Promise((resolve) => setTimeout(resolve, attempt * 1000));
    }
  }
}

/** The dev server's SQLite file with its write-ahead log. */
function dbSize(file: string): number {
  return [file, `${file}-wal`].filter(existsSync).reduce((sum, f) => sum + statSync(f).size, 0);
}

async function inLanes(count: number, lanes: number, work: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const lane = async () => {
    for (let i = next++; i < count; i = next++) await work(i);
  };
  await Promise.all(Array.from({ length: Math.min(lanes, count) }, lane));
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
}

function summary(values: number[]): { p50: number; p99: number } {
  return { p50: percentile(values, 50), p99: percentile(values, 99) };
}

function report(figures: Figures[], bundleBytes: { interpreter: number; handwritten: number }): void {
  const columns: [string, (f: Figures) => number, number][] = [
    ['idle MiB', (f) => f.idleMiB, 0],
    ['MiB/1k parked', (f) => f.perThousandMiB, 0],
    ['wf heap MiB/1k', (f) => f.heapPerThousandMiB, 0],
    ['history B', (f) => f.historyBytes, 0],
    ['DB B/inst', (f) => f.dbBytesPerInstance, 0],
    ['upd hit p50', (f) => percentile(f.hit, 50), 0],
    ['hit p99', (f) => percentile(f.hit, 99), 0],
    ['upd miss p50', (f) => percentile(f.miss, 50), 0],
    ['miss p99', (f) => percentile(f.miss, 99), 0],
    ['→act p50', (f) => percentile(f.nextActivity, 50), 0],
    ['→act p99', (f) => percentile(f.nextActivity, 99), 0],
    ['dec/s c1', (f) => f.perSecond1, 1],
    ['dec/s c10', (f) => f.perSecond10, 1],
    ['overdue list ms', (f) => f.overdueListMs, 0],
    ['replay promises', (f) => f.replay?.promisesPerReplay ?? NaN, 0],
    ['replay ms', (f) => f.replay?.msPerReplay ?? NaN, 1],
  ];
  const width = (title: string) => Math.max(title.length, 8);
  const line = (label: string, cells: string[]) => `${label.padEnd(26)}${cells.map((c, i) => c.padStart(width(columns[i][0]) + 2)).join('')}`;
  console.log(`\nreseller-offboarding, ${PARKED} parked per run, ${DECISIONS} decisions per measure, dev server; latencies in ms`);
  console.log(line('variant (maxCachedWorkflows)', columns.map(([title]) => title)));
  for (const cache of CACHES) {
    const hand = figures.find((f) => f.cache === cache && f.variant === 'handwritten');
    for (const f of figures.filter((g) => g.cache === cache)) {
      console.log(line(`${f.variant} (${cache})`, columns.map(([, get, digits]) => get(f).toFixed(digits))));
      if (hand && f !== hand) console.log(line(`  ratio ${f.variant} / hand`, columns.map(([, get]) => (get(f) / get(hand)).toFixed(2))));
    }
  }
  console.log(`workflow bundle: interpreter ${(bundleBytes.interpreter / MiB).toFixed(2)} MiB, hand-written ${(bundleBytes.handwritten / MiB).toFixed(2)} MiB, ratio ${(bundleBytes.interpreter / bundleBytes.handwritten).toFixed(2)}`);
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

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
