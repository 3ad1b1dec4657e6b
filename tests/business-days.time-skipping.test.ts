/**
 * Business-day deadlines as people mean them, on the Java time-skipping server: a task due "same business
 * day" is due when the office closes in the calendar's zone (New York for `us`), not the instant it opens,
 * across a weekend and the end of daylight saving time. The server's clock only moves forward, so the
 * scenarios run in date order.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { startProcess } from '../client/processes';
import type { WorkflowHandle } from '@temporalio/client';
import { decideUpdate, searchAttributes, stateQuery } from '../workflows/messages';
import { compile, notified, openTask, person } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  running = await startTimeSkippingWorker();
  env = running.env;
}, 180_000);

afterAll(() => running?.stop());

/** Moves the server's clock forward to an instant. */
async function skipTo(iso: string) {
  const ms = Date.parse(iso) - (await env.currentTimeMs());
  if (ms <= 0) throw new Error(`the test server's clock is already past ${iso}`);
  await env.sleep(ms);
}

const sameDayTask = `
process: same-day-notice
version: 1
title: Tell Sales Ops the same business day
calendar: us
roles: { cam: Channel account manager }
input:
  type: object
  properties: { noticeDate: { type: string, format: date } }
deadlines:
  settle-by: { from: input.noticeDate, after: 30 calendar days }
steps:
  - id: tell-sales-ops
    task:
      role: cam
      title: Tell Sales Ops about the off-boarding
      due: same business day
      outcomes: { done: {} }
  - id: finished
    end: completed
`;

/** The state as of the test server's clock (a query alone does not move the workflow clock). */
async function state(handle: WorkflowHandle) {
  return handle.query(stateQuery, { at: new Date(await env.currentTimeMs()).toISOString() });
}

async function start(input: Record<string, unknown> = {}) {
  const definition = await compile(sameDayTask);
  return startProcess(running.client, definition, input, { workflowId: `business-days-${randomUUID()}` });
}

describe('a task due "same business day"', () => {
  it('opened on a Wednesday morning in New York is due at 17:00 that day, and is not breached on opening', async () => {
    await skipTo('2027-11-03T14:00:00Z'); // Wednesday 3 Nov 2027, 10:00 EDT
    const handle = await start();
    const task = await openTask(handle);
    expect(task.dueAt).toBe('2027-11-03T21:00:00.000Z'); // 17:00 EDT
    const now = await state(handle);
    expect(now.openTasks[0]).toMatchObject({ breached: false, timeLeft: '7 hours left' });
    expect(now.audit.map((entry) => entry.event)).not.toContain('deadline-breached');
    await notified(handle, task.id);
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'done', actor: person('carla.mendes') }] });
    expect((await handle.result()).status).toBe('completed');
  });

  it('opened on a Friday evening is due when the office closes on Monday, across the weekend and the end of DST', async () => {
    await skipTo('2027-11-05T23:00:00Z'); // Friday 5 Nov 2027, 19:00 EDT: the office has closed
    const handle = await start({ noticeDate: '2027-10-20' });
    const task = await openTask(handle);
    // DST ends on Sunday 7 Nov: Monday 17:00 is EST, 22:00 UTC.
    expect(task.dueAt).toBe('2027-11-08T22:00:00.000Z');
    let now = await state(handle);
    expect(now.openTasks[0]).toMatchObject({ breached: false, timeLeft: '2 days 23 hours left' });
    // 30 calendar days from 20 Oct (EDT) end at midnight on 19 Nov (EST), not at 23:00 the day before.
    expect(now.deadlines).toEqual([expect.objectContaining({ name: 'settle-by', at: '2027-11-19T05:00:00.000Z', breached: false })]);

    await skipTo('2027-11-08T21:59:00Z'); // Monday 16:59 EST
    now = await state(handle);
    expect(now.openTasks[0]).toMatchObject({ breached: false, timeLeft: '1 minute left' });
    expect(now.audit.map((entry) => entry.event)).not.toContain('deadline-breached');

    await skipTo('2027-11-08T22:00:05Z');
    for (let attempt = 0; attempt < 100 && !now.openTasks[0].breached; attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      now = await state(handle);
    }
    expect(now.openTasks[0]).toMatchObject({ breached: true, timeLeft: 'overdue by less than a minute' });
    expect(now.audit).toContainEqual(expect.objectContaining({ event: 'deadline-breached', taskId: task.id, detail: 'due 2027-11-08T22:00:00.000Z' }));
    // Overdue work is searchable the moment it is overdue: NextDeadline moves on, OverdueSince holds the due date.
    const overdueSince = async () => (await handle.describe()).typedSearchAttributes.get(searchAttributes.overdueSince)?.toISOString();
    expect(await overdueSince()).toBe('2027-11-08T22:00:00.000Z');
    // Breached, the task is still open for the person to finish.
    await notified(handle, task.id);
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'done', actor: person('carla.mendes') }] });
    expect((await handle.result()).status).toBe('completed');
    expect(await overdueSince()).toBeUndefined();
  });
});

describe('date functions inside a running instance', () => {
  it('count 3 business days from the New York date for a request taken at 20:30 on a Wednesday, not from Thursday UTC', async () => {
    await skipTo('2027-11-18T01:30:00Z'); // Wednesday 17 Nov 2027, 20:30 EST; already Thursday in UTC
    const definition = await compile(`
process: jira-dates
version: 1
title: Dates for a Jira task
calendar: us
roles: { ops: Operations }
steps:
  - id: dates
    set:
      requested: =$today()
      jiraDue: =$addBusinessDays($today(), 3)
      jiraDueText: =$formatDate($addBusinessDays($today(), 3), "long")
  - id: done
    end: completed
`);
    const handle = await startProcess(running.client, definition, {}, { workflowId: `jira-dates-${randomUUID()}` });
    const result = await handle.result();
    expect(result.variables).toEqual({ requested: '2027-11-17', jiraDue: '2027-11-22', jiraDueText: 'Monday 22 November 2027' });
  });
});
