/**
 * One benchmark worker in a process of its own, so its RSS is its own: the interpreter's bundle or the
 * hand-written one, with the cache size the parent chose. Started by bench/run.ts with `fork`; it says
 * `ready`, answers `memory` with its resident set and heaps, and reports when each `email.send` attempt
 * starts, so the parent can time decision → next activity without a clock of its own in the worker.
 *
 * Workflows run in the SDK's workflow thread (a worker_threads Worker), not in this process's main thread:
 * its heap is where cached instances live, so the heap figures, heap snapshots and CPU profiles asked for
 * are taken of that thread (and of the main thread, where the SDK's bridge and the activities run).
 *
 * The activities stand in for the connectors (the benchmark measures the engine, not PartnerStack): they
 * answer at once with the shapes the definition reads.
 */
import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createWriteStream, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector/promises';
import { pipeline } from 'node:stream/promises';
import { writeHeapSnapshot } from 'node:v8';
import workerThreads from 'node:worker_threads';
import { dataConverterFor, parsePayloadKeys } from '../client/payload-codec';

const { BENCH_ADDRESS, BENCH_NAMESPACE, BENCH_TASK_QUEUE, BENCH_BUNDLE, BENCH_MAX_CACHED, BENCH_PAYLOAD_KEYS } = process.env;

// The SDK starts its workflow thread with `new Worker(...)` when the worker is created: keep hold of it.
const workflowThreads: workerThreads.Worker[] = [];
const ThreadClass = workerThreads.Worker;
workerThreads.Worker = class extends ThreadClass {
  constructor(...args: ConstructorParameters<typeof ThreadClass>) {
    super(...args);
    workflowThreads.push(this);
  }
};

const activities = {
  // The benchmark's partner e-mails are `<partnerKey>@bench.example`, so the partner found is always the one asked for.
  'partnerstack.findPartner': async ({ email }: { email: string }) => ({ found: true, partner: { key: email.split('@')[0]!, name: 'Bench partner', email, archived: false } }),
  'email.send': async () => {
    process.send?.({ activityStarted: Context.current().info.workflowExecution?.workflowId, at: Date.now() });
    return { messageId: `<${Context.current().info.activityId}@bench.example>` };
  },
  notify: async () => ({ to: [] as string[] }),
};

interface Message {
  memory?: boolean;
  stop?: boolean;
  /** Path prefix: `<prefix>-main.heapsnapshot` and `<prefix>-workflows.heapsnapshot`. */
  heapSnapshot?: string;
  profileStart?: boolean;
  /** Path prefix: `<prefix>-main.cpuprofile` and `<prefix>-workflows.cpuprofile`. */
  profileTo?: string;
}

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: BENCH_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: BENCH_NAMESPACE,
    taskQueue: BENCH_TASK_QUEUE!,
    workflowBundle: { codePath: BENCH_BUNDLE! },
    // Sealed and compressed as in production (the parent's key).
    dataConverter: dataConverterFor(BENCH_PAYLOAD_KEYS ? parsePayloadKeys(BENCH_PAYLOAD_KEYS, 'BENCH_PAYLOAD_KEYS') : undefined),
    activities,
    ...(BENCH_MAX_CACHED && BENCH_MAX_CACHED !== 'default' ? { maxCachedWorkflows: Number(BENCH_MAX_CACHED) } : {}),
  });
  const profiler = new Session();
  let threadProfiles: { stop(): Promise<string> }[] = [];
  process.on('message', async (message: Message) => {
    if (message.memory) {
      // Main-thread garbage first (the parent starts this process with --expose-gc); the workflow thread's
      // heap is read as it stands (a heap snapshot, when asked for, collects it first).
      global.gc?.();
      const threads = await Promise.all(workflowThreads.map((thread) => thread.getHeapStatistics()));
      const main = process.memoryUsage();
      const sum = (field: 'used_heap_size' | 'total_physical_size' | 'external_memory' | 'malloced_memory') => threads.reduce((total, s) => total + s[field], 0);
      process.send?.({
        rss: main.rss, mainHeap: main.heapUsed, mainHeapTotal: main.heapTotal, external: main.external, workflowHeap: sum('used_heap_size'),
        workflowHeapPhysical: sum('total_physical_size'), workflowExternal: sum('external_memory'), workflowMalloced: sum('malloced_memory'),
      });
    }
    if (message.heapSnapshot) {
      writeHeapSnapshot(`${message.heapSnapshot}-main.heapsnapshot`);
      for (const [i, thread] of workflowThreads.entries()) await pipeline(await thread.getHeapSnapshot(), createWriteStream(`${message.heapSnapshot}-workflows${i || ''}.heapsnapshot`));
      process.send?.({ heapSnapshot: message.heapSnapshot });
    }
    // A CPU profile of one phase (the parent's BENCH_CPU_PROFILE), readable in Chrome DevTools or bench/profile-summary.ts.
    if (message.profileStart) {
      profiler.connect();
      await profiler.post('Profiler.enable');
      await profiler.post('Profiler.start');
      threadProfiles = await Promise.all(workflowThreads.map((thread) => thread.startCpuProfile()));
      process.send?.({ profiling: true });
    }
    if (message.profileTo) {
      const { profile } = await profiler.post('Profiler.stop');
      writeFileSync(`${message.profileTo}-main.cpuprofile`, JSON.stringify(profile));
      profiler.disconnect();
      for (const [i, handle] of threadProfiles.entries()) writeFileSync(`${message.profileTo}-workflows${i || ''}.cpuprofile`, await handle.stop());
      process.send?.({ profile: message.profileTo });
    }
    if (message.stop) worker.shutdown();
  });
  process.send?.({ ready: true });
  await worker.run();
  await connection.close();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
