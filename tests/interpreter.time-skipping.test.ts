/**
 * Scenarios on the Java time-skipping test server: long waits and business-day deadlines pass in seconds,
 * and human decisions are checked before anything is recorded. Activities reach the connectors' local
 * fakes over real sockets.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import { startProcess } from '../client/processes';
import { addBusinessDays } from '../dsl/calendar';
import { decideSignal, decideUpdate, eventSignal } from '../workflows/messages';
import { actor, compile, openTask, state } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  running = await startTimeSkippingWorker();
  env = running.env;
}, 180_000);

afterAll(() => running?.stop());

const DAY = 86_400_000;

async function start(yaml: string, input: Record<string, unknown> = {}, ...others: string[]) {
  const definition = await compile(yaml, ...others);
  return { definition, handle: await startProcess(env.client, definition, input, { workflowId: `test-${randomUUID()}` }) };
}

describe('timers', () => {
  it('finishes a 30-day wait in seconds of wall time, after 30 days of workflow time', async () => {
    const { handle } = await start(`
process: thirty-day-wait
version: 1
title: Wait out the notice period
roles: { ops: Operations }
steps:
  - id: notice-period
    wait: { for: 30 calendar days }
  - id: done
    end: completed
    reason: notice period over
`);
    const before = await env.currentTimeMs();
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.reason).toBe('notice period over');
    expect((await env.currentTimeMs()) - before).toBeGreaterThanOrEqual(30 * DAY);
  });

  it('reminds and escalates a task due in 3 business days while the task stays open, then lets the escalated role decide', async () => {
    const { definition, handle } = await start(`
process: business-day-deadline
version: 1
title: Approve within 3 Hong Kong business days
calendar: hk
roles: { iod: IOD team, management: Top management }
steps:
  - id: approve
    task:
      role: iod
      title: Approve the deal
      due: 3 business days
      outcomes: { approve: {} }
    remind: { every: 1 business day }
    escalate: { after: 2 business days, to: management }
  - id: done
    end: completed
`);
    const task = await openTask(handle);
    const hk = definition.calendars.hk;
    const opened = new Date(task.openedAt);
    expect(task.dueAt).toBe(addBusinessDays(hk, opened, 3).toISOString());

    const escalation = addBusinessDays(hk, opened, 2).getTime();
    await env.sleep(escalation - (await env.currentTimeMs()) + 1000);
    let now = await state(handle);
    expect(now.openTasks[0]).toMatchObject({ id: task.id, roles: ['iod', 'management'], escalatedTo: 'management', breached: false });
    expect(now.openTasks[0].reminders).toBeGreaterThanOrEqual(1);
    expect(now.audit.map((e) => e.event)).toEqual(expect.arrayContaining(['reminder', 'escalated']));

    await env.sleep(new Date(task.dueAt!).getTime() - (await env.currentTimeMs()) + 1000);
    now = await state(handle);
    expect(now.openTasks[0]).toMatchObject({ id: task.id, breached: true });
    expect(now.audit.filter((e) => e.event === 'deadline-breached')).toHaveLength(1);

    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', actor: actor('boss', 'management') }] });
    expect((await handle.result()).status).toBe('completed');
  });
});

describe('review loops', () => {
  const review = `
process: kyc-review
version: 1
title: IOD reviews the KYC documents prepared by sales
roles: { sales: Sales, iod: IOD team }
steps:
  - id: check-kyc
    review:
      owner: sales
      reviewer: iod
      title: Check the KYC documents
      max-rounds: 2
      on-cap: { end: rejected, reason: returned twice }
    result: review
  - id: done
    end: completed
`;

  it('returns the work to its owner with the reason, then approves the resubmission', async () => {
    const { handle } = await start(review);
    const first = await openTask(handle, (t) => t.kind === 'review');
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: first.id, outcome: 'return', comment: 'BR copy missing', actor: actor('ivy', 'iod') }] });
    const rework = await openTask(handle, (t) => t.kind === 'rework');
    expect(rework).toMatchObject({ roles: ['sales'], instructions: 'Returned by the reviewer: BR copy missing' });
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: rework.id, outcome: 'resubmit', actor: actor('sam', 'sales') }] });
    const second = await openTask(handle, (t) => t.kind === 'review');
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: second.id, outcome: 'approve', actor: actor('ivy', 'iod') }] });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.variables.review).toMatchObject({ outcome: 'approve', rounds: 2 });
    const decisions = (await state(handle)).audit.filter((e) => e.event === 'decision');
    expect(decisions.map((d) => [d.actor, d.outcome, d.comment])).toEqual([
      ['ivy', 'return', 'BR copy missing'],
      ['sam', 'resubmit', undefined],
      ['ivy', 'approve', undefined],
    ]);
  });

  it('ends the process through on-cap when the work is returned more often than allowed', async () => {
    const { handle } = await start(review);
    for (let round = 1; round <= 2; round++) {
      const task = await openTask(handle, (t) => t.kind === 'review');
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'return', comment: `round ${round}`, actor: actor('ivy', 'iod') }] });
      if (round < 2) {
        const rework = await openTask(handle, (t) => t.kind === 'rework');
        await handle.executeUpdate(decideUpdate, { args: [{ taskId: rework.id, outcome: 'resubmit', actor: actor('sam', 'sales') }] });
      }
    }
    expect(await handle.result()).toMatchObject({ status: 'rejected', reason: 'returned twice' });
  });
});

describe('parallel branches and subprocesses', () => {
  it('joins parallel branches before the next step, and runs a subprocess as a child instance', async () => {
    const child = `
process: number-reservation
version: 1
title: Reserve virtual numbers
roles: { iod: IOD team }
steps:
  - id: reserve
    task: { role: iod, title: "Reserve numbers for {{ input.dealId }}", outcomes: { reserved: {} } }
    result: reservation
`;
    const { handle } = await start(`
process: provisioning
version: 1
title: Provision a deal
roles: { provisioning: Provisioning team, iod: IOD team }
steps:
  - id: provision
    parallel:
      numbers:
        - id: reserve-numbers
          subprocess: number-reservation
          with: { dealId: =input.dealId }
          result: numbers
      service:
        - id: set-up
          task: { role: provisioning, title: Set up the service, outcomes: { done: {} } }
  - id: after-join
    set: { joined: true }
`, { dealId: 'D-42' }, child);

    const setUp = await openTask(handle, (t) => t.stepId === 'set-up');
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: setUp.id, outcome: 'done', actor: actor('pat', 'provisioning') }] });
    expect((await state(handle)).variables.joined).toBeUndefined();

    const childHandle = env.client.workflow.getHandle(`${handle.workflowId}/reserve-numbers#1`);
    const reserve = await openTask(childHandle);
    expect(reserve.title).toBe('Reserve numbers for D-42');
    expect((await childHandle.describe()).type).toBe('number-reservation');
    await childHandle.executeUpdate(decideUpdate, { args: [{ taskId: reserve.id, outcome: 'reserved', actor: actor('ivy', 'iod') }] });

    const result = await handle.result();
    expect(result.variables.joined).toBe(true);
    expect(result.variables.numbers).toMatchObject({ status: 'completed' });
  });
});

describe('waiting for events', () => {
  const waitForSignature = `
process: contract-signature
version: 1
title: Wait for the contract to be signed
roles: { sales: Sales }
input:
  type: object
  properties: { contractId: { type: string } }
steps:
  - id: signed
    wait-for:
      event: document-signed
      match: event.payload.contractId = input.contractId
      timeout: 14 days
      on-timeout: { end: cancelled, reason: contract not signed in time }
    result: signature
  - id: done
    end: completed
`;

  it('times out when the event never comes', async () => {
    const { handle } = await start(waitForSignature, { contractId: 'C-1' });
    expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'contract not signed in time' });
  });

  it('takes a matching event that arrived before the step started waiting, and ignores one for another contract', async () => {
    const { handle } = await start(`
process: early-event
version: 1
title: The signature arrives while the customer is still being checked
roles: { sales: Sales }
input:
  type: object
  properties: { contractId: { type: string } }
steps:
  - id: check-customer
    task: { role: sales, title: Check the customer, outcomes: { ok: {} } }
  - id: signed
    wait-for:
      event: document-signed
      match: event.payload.contractId = input.contractId
      timeout: 14 days
    result: signature
`, { contractId: 'C-2' });
    const task = await openTask(handle);
    await handle.signal(eventSignal, { name: 'document-signed', payload: { contractId: 'C-other' } });
    await handle.signal(eventSignal, { name: 'document-signed', payload: { contractId: 'C-2', by: 'customer' } });
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'ok', actor: actor('sam', 'sales') }] });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', variables: { signature: { contractId: 'C-2', by: 'customer' } } });
  });
});

describe('steps that fail for good', () => {
  const failing = `
process: ticket-move
version: 1
title: Move a ticket that does not exist
roles: { iod: IOD team, ops-lead: Operations lead }
incident-role: ops-lead
steps:
  - id: move
    call: hubspot.moveTicket
    with: { ticketId: "999999", pipeline: CINNOX service addition / amendment / termination, stage: IOD Team - Check and approval }
  - id: after
    set: { reached: true }
`;

  it('opens an incident for the incident role instead of failing the instance, and continues when it is skipped', async () => {
    const { handle } = await start(failing);
    const incident = await openTask(handle, (t) => t.kind === 'incident');
    expect(incident).toMatchObject({ roles: ['ops-lead'], outcomes: ['retry', 'skip', 'cancel'] });
    expect(incident.title).toMatch(/^Step 'move' failed: .*999999/);
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: incident.id, outcome: 'retry', actor: actor('lee', 'ops-lead') }] });
    const second = await openTask(handle, (t) => t.kind === 'incident' && t.id !== incident.id);
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: second.id, outcome: 'skip', comment: 'ticket was deleted', actor: actor('lee', 'ops-lead') }] });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', variables: { reached: true } });
    expect((await state(handle)).audit.filter((e) => e.event === 'failed')).toHaveLength(2);
  });

  it('ends the instance as cancelled, with the reason, when the incident role cancels it', async () => {
    const { handle } = await start(failing);
    const incident = await openTask(handle, (t) => t.kind === 'incident');
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: incident.id, outcome: 'cancel', comment: 'wrong ticket', actor: actor('lee', 'ops-lead') }] });
    expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'wrong ticket' });
  });
});

describe('decisions that are refused', () => {
  it('refuses a wrong role, an unknown outcome, a bad form and a second decision, leaving state and audit untouched', async () => {
    const { handle } = await start(`
process: credit-approval
version: 1
title: Approve a credit line
roles: { sales: Sales, iod: IOD team }
steps:
  - id: approve
    task:
      role: iod
      title: Approve the credit line
      form:
        type: object
        required: [limit]
        properties: { limit: { type: number, minimum: 1 } }
      outcomes: { approve: {}, reject: { end: rejected, comment: required } }
    result: decision
  - id: hold
    task: { role: iod, title: Hold, outcomes: { release: {} } }
`);
    const task = await openTask(handle);
    const before = await state(handle);
    const refused = async (decision: object) => {
      const error = await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, ...decision } as never] }).catch((e) => e);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      return (error as WorkflowUpdateFailedError).cause?.message;
    };
    expect(await refused({ outcome: 'approve', form: { limit: 5 }, actor: actor('sam', 'sales') })).toBe(
      `role 'sales' may not decide task '${task.id}'; it is assigned to iod`,
    );
    expect(await refused({ outcome: 'escalate', form: { limit: 5 }, actor: actor('ivy', 'iod') })).toBe(
      `unknown outcome 'escalate' for task '${task.id}'; choose one of: approve, reject`,
    );
    expect(await refused({ outcome: 'approve', form: { limit: 0 }, actor: actor('ivy', 'iod') })).toBe('form does not match: /limit must be >= 1');
    expect(await refused({ outcome: 'reject', form: { limit: 5 }, actor: actor('ivy', 'iod') })).toBe("outcome 'reject' needs a comment giving the reason");
    // The same refusals through the signal are dropped without failing the instance.
    await handle.signal(decideSignal, { taskId: task.id, outcome: 'approve', form: { limit: 5 }, actor: actor('sam', 'sales') });
    await handle.signal(decideSignal, { taskId: task.id } as never);
    expect(await state(handle)).toEqual(before);

    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', form: { limit: 5 }, actor: actor('ivy', 'iod') }] });
    await openTask(handle, (t) => t.stepId === 'hold');
    const afterFirst = await state(handle);
    expect(await refused({ outcome: 'approve', form: { limit: 9 }, actor: actor('ivy', 'iod') })).toBe(`task '${task.id}' is already closed`);
    expect(await state(handle)).toEqual(afterFirst);
    expect(afterFirst.variables.decision).toMatchObject({ outcome: 'approve', by: 'ivy', form: { limit: 5 } });
    await handle.terminate('test over');
  });
});
