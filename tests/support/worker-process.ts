/**
 * A worker in a process of its own, for tests that kill it with SIGKILL: `npx tsx tests/support/worker-process.ts`
 * with TEMPORAL_ADDRESS, WORKFLOW_BUNDLE (a file holding a bundle's code, so the child need not bundle
 * again) and the fakes' variables in its environment. Prints `worker ready` once it polls.
 */
import { NativeConnection } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { startActivities } from '../../activities';
import { createWorker } from '../../worker';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  // The product's worker settings (worker.ts), so a test sees how quickly the product recovers from a kill.
  const worker = await createWorker({
    connection,
    taskQueue: process.env.TASK_QUEUE || undefined,
    workflowBundle: { code: readFileSync(process.env.WORKFLOW_BUNDLE!, 'utf8') },
    activities: startActivities(process.env).activities,
  });
  console.log('worker ready');
  await worker.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
