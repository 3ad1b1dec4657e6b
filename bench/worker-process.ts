/**
 * One benchmark worker in a process of its own, so its RSS is its own: the interpreter's bundle or the
 * hand-written one, with the cache size the parent chose. Started by bench/run.ts with `fork`; it says
 * `ready`, answers `rss` with its resident set, and reports when each `email.send` attempt starts, so the
 * parent can time decision → next activity without a clock of its own in the worker.
 *
 * The activities stand in for the connectors (the benchmark measures the engine, not PartnerStack): they
 * answer at once with the shapes the definition reads.
 */
import { Context } from '@temporalio/activity';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';

const { BENCH_ADDRESS, BENCH_NAMESPACE, BENCH_TASK_QUEUE, BENCH_BUNDLE, BENCH_MAX_CACHED } = process.env;

const activities = {
  // The benchmark's partner e-mails are `<partnerKey>@bench.example`, so the partner found is always the one asked for.
  'partnerstack.findPartner': async ({ email }: { email: string }) => ({ found: true, partner: { key: email.split('@')[0]!, name: 'Bench partner', email, archived: false } }),
  'email.send': async () => {
    process.send?.({ activityStarted: Context.current().info.workflowExecution?.workflowId, at: Date.now() });
    return { messageId: `<${Context.current().info.activityId}@bench.example>` };
  },
  notify: async () => ({ to: [] as string[] }),
};

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect({ address: BENCH_ADDRESS });
  const worker = await Worker.create({
    connection,
    namespace: BENCH_NAMESPACE,
    taskQueue: BENCH_TASK_QUEUE!,
    workflowBundle: { codePath: BENCH_BUNDLE! },
    activities,
    ...(BENCH_MAX_CACHED && BENCH_MAX_CACHED !== 'default' ? { maxCachedWorkflows: Number(BENCH_MAX_CACHED) } : {}),
  });
  process.on('message', (message: { rss?: boolean; stop?: boolean }) => {
    if (message.rss) process.send?.({ rss: process.memoryUsage().rss });
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
