/**
 * A time-skipping test server with the interpreter's worker running on it, and every connector pointed at
 * its local fake: what the scenario tests (and the history recorder) need, set up once per file.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startActivities, type StartedActivities } from '../../activities';
import { bundleWorkflows, TASK_QUEUE } from '../../worker';
import { timeSkippingEnvironment } from './environments';

export interface RunningWorker {
  env: TestWorkflowEnvironment;
  connectors: StartedActivities;
  /** The fake of one system, typed by the caller (e.g. `fake<EmailFake>('email')`). */
  fake<T>(system: string): T;
  stop(): Promise<void>;
}

export async function startTimeSkippingWorker(): Promise<RunningWorker> {
  const [env, workflowBundle, connectors] = await Promise.all([timeSkippingEnvironment(), bundleWorkflows(), startActivities({}, { fakesOnly: true })]);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle, activities: connectors.activities });
  const running = worker.run();
  return {
    env,
    connectors,
    fake: <T>(system: string) => connectors.fakes.find((f) => f.system === system) as T,
    async stop() {
      worker.shutdown();
      await running;
      await Promise.all(connectors.fakes.map((fake) => fake.close()));
      await env.teardown();
    },
  };
}
