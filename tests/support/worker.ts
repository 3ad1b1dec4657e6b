/**
 * A time-skipping test server with the interpreter's worker running on it, and every connector pointed at
 * its local fake: what the scenario tests (and the history recorder) need, set up once per file.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startActivities } from '../../activities';
import { startFakes, type Sandbox } from '../../fakes';
import { bundleWorkflows, TASK_QUEUE } from '../../worker';
import { timeSkippingEnvironment } from './environments';

export interface RunningWorker {
  env: TestWorkflowEnvironment;
  sandbox: Sandbox;
  /** The fake of one system, typed by the caller (e.g. `fake<EmailFake>('email')`). */
  fake: Sandbox['fake'];
  stop(): Promise<void>;
}

export async function startTimeSkippingWorker(): Promise<RunningWorker> {
  const [env, workflowBundle, sandbox] = await Promise.all([timeSkippingEnvironment(), bundleWorkflows(), startFakes({})]);
  const { activities } = startActivities(sandbox.env);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle, activities });
  const running = worker.run();
  return {
    env,
    sandbox,
    fake: sandbox.fake,
    async stop() {
      worker.shutdown();
      await running;
      await sandbox.close();
      await env.teardown();
    },
  };
}
