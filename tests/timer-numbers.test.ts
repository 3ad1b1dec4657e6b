/**
 * Timer numbers, on the dev server. Temporal numbers an instance's timers in the order the workflow starts
 * them, and does not check those numbers on replay. A worker that replays an instance can get the same
 * events grouped otherwise than the worker that ran it live: under `npm run chaos` (worker kills, queries,
 * restarts) an event that came after a step had started waiting was replayed in one activation with the
 * work before that step. If the step then takes a timer fewer, every later timer is numbered one lower than
 * the server knows it, and the next decision cancels a timer the server no longer has: every workflow task
 * of the instance fails with BadCancelTimerAttributes and the instance is lost.
 *
 * So a wait for an event must take the same timer numbers whether the event is already there when the wait
 * begins (same workflow task) or comes while it waits (a later one). Both are made to happen here, and the
 * next task's timer must carry the same number.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { temporal } from '@temporalio/proto';
import type { WorkflowBundle } from '@temporalio/worker';
import type { WorkflowHandle } from '@temporalio/client';
import { startActivities, type StartedActivities } from '../activities';
import { startFakes, type Sandbox } from '../fakes';
import type { JiraFake } from '../fakes/jira/fake';
import { DEFAULT_PROJECT } from '../fakes/jira/store';
import { startProcess } from '../client/processes';
import { bundleWorkflows, createWorker } from '../worker';
import { decideUpdate, eventSignal } from '../workflows/messages';
import { devServerEnvironment } from './support/environments';
import { compile, openTask, person } from './support/processes';

const goAhead = `
process: go-ahead
version: 1
title: Pause, wait for the go-ahead, then a task
roles: { cam: Channel account manager }
steps:
  - id: pause
    wait: { for: 2 seconds }
  - id: go-ahead
    wait-for: { event: go, timeout: 20 calendar days }
  - id: first
    task: { role: cam, title: First, outcomes: { done: {} }, due: 30 calendar days }
`;

const pollForGo = `
process: poll-for-go
version: 1
title: Ask Jira, wake early for the go-ahead, then a task
roles: { cam: Channel account manager }
input: { type: object, properties: { issueKey: { type: string } } }
steps:
  - id: pause
    wait: { for: 2 seconds }
  - id: ready
    poll:
      call: jira.getIssueStatus
      with: { issueKey: =input.issueKey }
      every: 4 hours
      until: result.statusCategory = "done"
      timeout: 20 calendar days
      event: go
  - id: first
    task: { role: cam, title: First, outcomes: { done: {} }, due: 30 calendar days }
`;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let sandbox: Sandbox;
let connectors: StartedActivities;
let jira: JiraFake;

beforeAll(async () => {
  [env, bundle, sandbox] = await Promise.all([devServerEnvironment(), bundleWorkflows(), startFakes({})]);
  connectors = startActivities(sandbox.env);
  jira = sandbox.fake<JiraFake>('jira');
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  await env?.teardown();
});

type Event = temporal.api.history.v1.IHistoryEvent;

async function until(handle: WorkflowHandle, done: (events: Event[]) => boolean, what: string): Promise<Event[]> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const events = (await handle.fetchHistory()).events ?? [];
    if (done(events)) return events;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const timersStarted = (events: Event[]) => events.filter((e) => e.timerStartedEventAttributes).map((e) => e.timerStartedEventAttributes!.timerId!);
const timerFired = (events: Event[]) => events.some((e) => e.timerFiredEventAttributes);

/** Until a worker runs the instance's activity (its started event is written only once it ends). */
async function checkRunning(handle: WorkflowHandle): Promise<void> {
  for (let attempt = 0; attempt < 300; attempt++) {
    const { raw } = await handle.describe();
    if (raw.pendingActivities?.some((a) => a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED)) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the check never started');
}

async function withWorker<T>(work: () => Promise<T>): Promise<T> {
  const worker = await createWorker({ connection: env.nativeConnection, activities: connectors.activities, workflowBundle: bundle });
  return worker.runUntil(work);
}

type Moment = 'while-waiting' | 'with-the-pause-end' | 'during-the-check';

/** Runs the definition with the go-ahead sent when `send` says; returns the first task's timer number once it is decided. */
async function firstTaskTimer(yaml: string, send: Moment): Promise<string> {
  const [issueKey] = jira.seed({ issues: [{ projectKey: DEFAULT_PROJECT.key, summary: 'Configure the partner', status: 'In Progress' }] }).issues;
  const handle = await startProcess(env.client, await compile(yaml), { issueKey });
  await withWorker(() => until(handle, (events) => timersStarted(events).length === 1, 'the pause'));
  if (send === 'with-the-pause-end') {
    // No worker while the pause ends and the event comes: the next workflow task brings both at once.
    await until(handle, timerFired, 'the pause to end');
    await handle.signal(eventSignal, { name: 'go' });
  }
  return withWorker(async () => {
    if (send === 'while-waiting') {
      // The pause ends, the step starts its timer and waits; the event comes in a workflow task of its own.
      await until(handle, (events) => timerFired(events) && timersStarted(events).length === 2, 'the step to wait');
      await handle.signal(eventSignal, { name: 'go' });
    }
    if (send === 'during-the-check') {
      // Jira takes three seconds to answer the check; the event comes meanwhile.
      jira.injectFault({ kind: 'delay', delayMs: 3000 });
      await checkRunning(handle);
      await handle.signal(eventSignal, { name: 'go' });
    }
    const task = await openTask(handle, (t) => t.stepId === 'first');
    const timers = timersStarted(await handle.fetchHistory().then((h) => h.events ?? []));
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'done', actor: person('carla.mendes') }] });
    expect((await handle.result()).status).toBe('completed');
    return timers[timers.length - 1];
  });
}

it('numbers the next timer the same whether the event comes with the end of the step before a wait-for or while it waits', async () => {
  const whileWaiting = await firstTaskTimer(goAhead, 'while-waiting');
  expect(await firstTaskTimer(goAhead, 'with-the-pause-end')).toBe(whileWaiting);
}, 120_000);

it('ends a poll on an event that comes while its check runs, numbering the next timer as when it comes while the poll sleeps', async () => {
  const whileWaiting = await firstTaskTimer(pollForGo, 'while-waiting');
  expect(await firstTaskTimer(pollForGo, 'during-the-check')).toBe(whileWaiting);
}, 120_000);
