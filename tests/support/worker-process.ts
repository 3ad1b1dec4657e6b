/**
 * A worker in a process of its own, for tests that kill it with SIGKILL: `npx tsx tests/support/worker-process.ts`
 * with TEMPORAL_ADDRESS, WORKFLOW_BUNDLE (a file holding a bundle's code, so the child need not bundle
 * again) and the fakes' variables in its environment. Prints `worker ready` once it polls.
 * With PAYLOAD_KEYS it encrypts payloads as the product's worker does (the chaos run sets it); unlike the
 * product it never falls back to the embedded default's key file, so a test without the variable stays in clear.
 */
import { NativeConnection } from '@temporalio/worker';
import { readFileSync } from 'node:fs';
import { startActivities } from '../../activities';
import { dataConverterFor, payloadKeysFromEnv } from '../../client/payload-codec';
import { createWorker } from '../../worker';

async function main(): Promise<void> {
  const connection = await NativeConnection.connect({ address: process.env.TEMPORAL_ADDRESS! });
  // The product's worker settings (worker.ts), so a test sees how quickly the product recovers from a kill.
  const worker = await createWorker({
    connection,
    taskQueue: process.env.TASK_QUEUE || undefined,
    workflowBundle: { code: readFileSync(process.env.WORKFLOW_BUNDLE!, 'utf8') },
    activities: startActivities(process.env).activities,
    dataConverter: dataConverterFor(payloadKeysFromEnv(process.env)?.keys),
  });
  console.log('worker ready');
  await worker.run();
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
