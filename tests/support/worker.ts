/**
 * A time-skipping test server with the interpreter's worker running on it, and every connector pointed at
 * its local fake: what the scenario tests (and the history recorder) need, set up once per file.
 *
 * Time moves only when a test says so (`env.sleep`, which stops at its target). The environment's own
 * client also skips time while it waits for a result, and the server then races ahead to whatever timer
 * comes next, even one left over from a finished instance (an activity's hour-long schedule-to-close,
 * a ten-year default run timeout): test after test, the clock drifted decades past the calendars' holiday
 * data. `client` never moves the clock.
 */
import { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startActivities } from '../../activities';
import { startFakes, type Sandbox } from '../../fakes';
import { bundleWorkflows, TASK_QUEUE } from '../../worker';
import { timeSkippingEnvironment } from './environments';

export interface RunningWorker {
  env: TestWorkflowEnvironment;
  /** A client on the server that leaves its clock alone: waiting for a result takes real time. */
  client: Client;
  sandbox: Sandbox;
  /** The fake of one system, typed by the caller (e.g. `fake<EmailFake>('email')`). */
  fake: Sandbox['fake'];
  stop(): Promise<void>;
}

/** `extraEnv` adds settings for the connectors besides the fakes' addresses, e.g. `OPS_UPLOADS_DIR`. */
export async function startTimeSkippingWorker(extraEnv: NodeJS.ProcessEnv = {}): Promise<RunningWorker> {
  const [env, workflowBundle, sandbox] = await Promise.all([timeSkippingEnvironment(), bundleWorkflows(), startFakes({})]);
  const { activities } = startActivities({ ...sandbox.env, ...extraEnv });
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle, activities });
  const running = worker.run();
  return {
    env,
    client: new Client({ connection: env.connection, namespace: env.namespace }),
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
