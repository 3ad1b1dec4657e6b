/**
 * Continue-as-new around the new constructs, on the dev server with a threshold low enough that Temporal
 * suggests it every few events: a long `poll:` continues as new between two calls and picks up where it
 * was (checks counted on, the same timeout), and a `for-each:`'s collected results survive the runs after it.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import { startActivities } from '../activities';
import { startFakes, type Sandbox } from '../fakes';
import type { JiraFake } from '../fakes/jira/fake';
import { startProcess } from '../client/processes';
import { bundleWorkflows, TASK_QUEUE } from '../worker';
import { devServerEnvironment } from './support/environments';
import { compile, state } from './support/processes';

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let worker: Worker;
let running: Promise<void>;

beforeAll(async () => {
  let bundle;
  [bundle, sandbox, env] = await Promise.all([
    bundleWorkflows(),
    startFakes({}),
    devServerEnvironment({ extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=30'] }),
  ]);
  const { activities } = startActivities(sandbox.env);
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities });
  running = worker.run();
}, 180_000);

afterAll(async () => {
  worker?.shutdown();
  await running;
  await sandbox?.close();
  await env?.teardown();
});

it('keeps polling across continue-as-new, with the for-each results made before it, until the ticket is Done', async () => {
  const jira = sandbox.fake<JiraFake>('jira');
  const definition = await compile(`
process: countries-then-ticket
version: 1
title: Note each country, then wait for the provisioning ticket
roles: { iod: IOD team }
input: { type: object, properties: { countries: { type: array }, issueKey: { type: string } } }
steps:
  - id: per-country
    for-each:
      items: input.countries
      as: country
      steps:
        - id: note
          set: { note: "numbers for {{ country }}" }
    result: notes
  - id: ticket-done
    poll:
      call: jira.getIssueStatus
      with: { issueKey: =input.issueKey }
      every: 1 second
      until: result.statusCategory = "done"
      timeout: 10 minutes
    result: done
`);
  const [issueKey] = jira.seed({ issues: [{ projectKey: 'CS', summary: `Provision ${randomUUID()}` }] }).issues;
  const reads = () => jira.journal.filter((e) => e.method === 'GET' && e.path === `/rest/api/3/issue/${issueKey}`).length;
  const handle = await startProcess(env.client, definition, { countries: ['HK', 'SG'], issueKey }, { workflowId: `test-${randomUUID()}` });

  // Wait (real time) until the instance has continued as new at least once while polling.
  const firstRun = (await handle.describe()).runId;
  let description = await handle.describe();
  for (let i = 0; i < 300 && description.runId === firstRun; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    description = await handle.describe();
  }
  expect(description.runId).not.toBe(firstRun);
  const resumed = await state(handle);
  expect(resumed.waiting[0]).toMatchObject({ stepId: 'ticket-done', call: 'jira.getIssueStatus' });
  expect(resumed.waiting[0].checks).toBeGreaterThanOrEqual(2);
  expect(resumed.variables.notes).toEqual([
    { country: 'HK', index: 0, note: 'numbers for HK' },
    { country: 'SG', index: 1, note: 'numbers for SG' },
  ]);

  jira.closeIssue(issueKey);
  const result = await handle.result();
  expect(result.status).toBe('completed');
  const done = result.variables.done as { by: string; checks: number };
  expect(done.by).toBe('condition');
  // Every call Jira saw is counted once, across all the runs.
  expect(done.checks).toBe(reads());
  expect(result.variables.notes).toHaveLength(2);
  const audit = (await state(handle)).audit;
  expect(audit.filter((e) => e.event === 'started')).toHaveLength(1);
  expect(audit.filter((e) => e.event === 'item')).toHaveLength(2);
}, 120_000);
