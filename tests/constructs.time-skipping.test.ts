/**
 * The second edition's constructs on the Java time-skipping server: `poll:` (ask a system until it reaches
 * a state, or an event ends the wait), `for-each:` (one Jira ticket and one task per country), roles chosen
 * by the data, and subprocesses whose ending decides the parent's. Activities reach the local Jira fake
 * over real sockets; assertions read what the fake received, the state query and the audit trail.
 */
import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import type { JiraFake } from '../fakes/jira/fake';
import { startProcess } from '../client/processes';
import { decideUpdate, eventSignal } from '../workflows/messages';
import { compile, openTask, person, state, terminateWhenIdle } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let env: TestWorkflowEnvironment;
let jira: JiraFake;

beforeAll(async () => {
  running = await startTimeSkippingWorker();
  env = running.env;
  jira = running.fake<JiraFake>('jira');
}, 180_000);

afterAll(() => running?.stop());

const HOUR = 3_600_000;

async function start(yaml: string, input: Record<string, unknown> = {}, ...others: string[]) {
  const definition = await compile(yaml, ...others);
  return startProcess(running.client, definition, input, { workflowId: `test-${randomUUID()}` });
}

/** How often the Jira fake was asked for this issue's status. */
function statusReads(key: string): number {
  return jira.journal.filter((e) => e.method === 'GET' && e.path === `/rest/api/3/issue/${key}`).length;
}

/** Polls the state query (real time) until `ready` holds of it. */
async function stateWhen(handle: Parameters<typeof state>[0], ready: (s: Awaited<ReturnType<typeof state>>) => boolean) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const now = await state(handle).catch(() => undefined);
    if (now && ready(now)) return now;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`state of ${handle.workflowId} never got there`);
}

describe('poll: waiting until an external system reaches a state', () => {
  const reservationTicket = (every: string) => `
process: reservation-ticket
version: 1
title: Open a reservation ticket and wait until IOD has done it
roles: { iod: IOD team }
input: { type: object, properties: { country: { type: string } } }
steps:
  - id: open-ticket
    call: jira.createTask
    with: { project: Customer Success, summary: "Reserve numbers in {{ input.country }}" }
    result: ticket
  - id: ticket-done
    poll:
      call: jira.getIssueStatus
      with: { issueKey: =ticket.key }
      every: ${every}
      until: result.statusCategory = "done"
      timeout: 3 days
      on-timeout: { end: cancelled, reason: "ticket {{ ticket.key }} not done in time" }
      event: jira-issue-done
      match: event.payload.issueKey = ticket.key
    result: done
`;

  it('asks Jira every hour until the ticket is Done, showing the wait in the state query', async () => {
    const handle = await start(reservationTicket('1 hour'), { country: 'PH' });
    const waiting = await stateWhen(handle, (s) => s.waiting[0]?.checks === 1 && s.waiting[0]?.nextCheckAt !== undefined);
    const key = (waiting.variables.ticket as { key: string }).key;
    expect(waiting.waiting).toEqual([{
      stepId: 'ticket-done',
      kind: 'poll',
      call: 'jira.getIssueStatus',
      checks: 1,
      nextCheckAt: expect.any(String),
      timeoutAt: expect.any(String),
      event: 'jira-issue-done',
    }]);
    // The timeout counts from the step's start, the next check from the end of the first call.
    const untilTimeout = new Date(waiting.waiting[0].timeoutAt!).getTime() - new Date(waiting.waiting[0].nextCheckAt!).getTime();
    expect(untilTimeout).toBeGreaterThan(3 * 24 * HOUR - HOUR - 60_000);
    expect(untilTimeout).toBeLessThanOrEqual(3 * 24 * HOUR - HOUR);

    await env.sleep(3 * HOUR + HOUR / 2); // three more checks, each finding the ticket still open
    await stateWhen(handle, (s) => s.waiting[0]?.checks === 4);
    expect(statusReads(key)).toBe(4);
    jira.closeIssue(key);
    await env.sleep(HOUR); // the next check finds it done

    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.variables.done).toEqual({ by: 'condition', checks: 5, result: { key, status: 'Done', statusCategory: 'done', resolution: 'Done' } });
    expect(statusReads(key)).toBe(5);
    const after = await state(handle);
    expect(after.waiting).toEqual([]);
    expect(after.audit.filter((e) => e.event === 'polled')).toEqual([
      expect.objectContaining({ stepId: 'ticket-done', detail: 'result.statusCategory = "done" held after 5 check(s)' }),
    ]);
  });

  it('ends early on a matching event, ignoring one about another ticket and asking Jira no more than once', async () => {
    const handle = await start(reservationTicket('1 hour'), { country: 'MY' });
    const waiting = await stateWhen(handle, (s) => s.waiting[0]?.nextCheckAt !== undefined);
    const key = (waiting.variables.ticket as { key: string }).key;
    await handle.signal(eventSignal, { name: 'jira-issue-done', payload: { issueKey: 'CS-99999' } });
    await handle.signal(eventSignal, { name: 'jira-issue-done', payload: { issueKey: key, status: 'Done' } });

    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.variables.done).toMatchObject({ by: 'event', checks: 1, event: { issueKey: key, status: 'Done' }, result: { statusCategory: 'new' } });
    expect(statusReads(key)).toBe(1);
    const audit = (await state(handle)).audit;
    expect(audit.filter((e) => e.event === 'event').map((e) => e.detail)).toEqual(['jira-issue-done', 'jira-issue-done']);
    expect(audit.find((e) => e.event === 'polled')?.detail).toBe("ended by event 'jira-issue-done' after 1 check(s)");
  });

  it('checks once before ending on an event that came before the poll began', async () => {
    // The event comes while a task before the poll is open: the poll reads Jira once, then the event ends it.
    // Ending before any check would give other commands on a replay that saw the event arrive later.
    const yaml = reservationTicket('1 hour').replace('  - id: ticket-done\n', '  - id: approve\n    task: { role: iod, title: Approve the reservation, outcomes: { ok: {} } }\n  - id: ticket-done\n');
    const handle = await start(yaml, { country: 'NZ' });
    const task = await openTask(handle, (t) => t.stepId === 'approve');
    const key = ((await state(handle)).variables.ticket as { key: string }).key;
    await handle.signal(eventSignal, { name: 'jira-issue-done', payload: { issueKey: key, status: 'Done' } });
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'ok', actor: person('ivy.chan') }] });

    const result = await handle.result();
    expect(result.variables.done).toMatchObject({ by: 'event', checks: 1, event: { issueKey: key, status: 'Done' }, result: { statusCategory: 'new' } });
    expect(statusReads(key)).toBe(1);
    expect((await state(handle)).audit.find((e) => e.event === 'polled')?.detail).toBe("ended by event 'jira-issue-done' after 1 check(s)");
  });

  it('gives up at the timeout and goes where on-timeout says, having asked every 12 hours', async () => {
    const handle = await start(reservationTicket('12 hours'), { country: 'JP' });
    await env.sleep(3 * 24 * HOUR + 60_000);
    const result = await handle.result();
    const key = (result.variables.ticket as { key: string }).key;
    expect(result).toMatchObject({ status: 'cancelled', reason: `ticket ${key} not done in time` });
    expect(statusReads(key)).toBe(6);
    const breach = (await state(handle)).audit.find((e) => e.event === 'deadline-breached');
    expect(breach).toMatchObject({ stepId: 'ticket-done', detail: `jira.getIssueStatus did not satisfy 'result.statusCategory = "done"' within 3 days (6 check(s))` });
  });
});

describe('for-each: steps once per item of a list', () => {
  const perCountry = `
process: number-reservations
version: 1
title: One reservation ticket and one confirmation per country
roles: { iod: IOD team, provisioning: Provisioning team }
input: { type: object, properties: { countries: { type: array, items: { type: string } } } }
steps:
  - id: per-country
    for-each:
      items: input.countries
      as: country
      max-parallel: 2
      steps:
        - id: reservation-ticket
          call: jira.createTask
          with: { project: Customer Success, summary: "Reserve numbers in {{ country }}" }
          result: ticket
        - id: confirm
          task:
            role: '=country = "HK" ? "iod" : "provisioning"'
            title: "Confirm the numbers reserved in {{ country }} ({{ ticket.key }})"
            outcomes: { confirmed: {} }
            due: 2 days
          result: confirmation
    result: reservations
  - id: done
    end: completed
`;

  it('opens one Jira ticket and one task per country, two at a time, each task with its own id, role and due date', async () => {
    const countries = ['HK', 'SG', 'US'];
    const handle = await start(perCountry, { countries });
    const first = await stateWhen(handle, (s) => s.openTasks.length === 2);
    const ids = first.openTasks.map((t) => t.id).sort();
    expect(ids).toEqual(['per-country#1.item-1.confirm#1', 'per-country#1.item-2.confirm#1']);
    const hk = first.openTasks.find((t) => t.id === ids[0])!;
    expect(hk.roles).toEqual(['iod']);
    expect(hk.dueAt).toBeDefined();
    expect(first.openTasks.find((t) => t.id === ids[1])!.roles).toEqual(['provisioning']);
    const created = () => jira.issues().filter((i) => countries.some((c) => i.summary === `Reserve numbers in ${c}`));
    expect(created().map((i) => i.summary).sort()).toEqual([`Reserve numbers in ${countries[0]}`, `Reserve numbers in ${countries[1]}`].sort());

    // The third country waits for a free slot; deciding the first lets it start.
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: ids[0], outcome: 'confirmed', actor: person('ivy.chan') }] });
    const third = await openTask(handle, (t) => t.id === 'per-country#1.item-3.confirm#1');
    expect(third.title).toMatch(new RegExp(`^Confirm the numbers reserved in ${countries[2]} \\(CS-\\d+\\)$`));
    expect(created()).toHaveLength(3);

    // The due dates of items are their own: past them, each open task is breached while it stays open.
    await env.sleep(new Date(third.dueAt!).getTime() - (await env.currentTimeMs()) + 60_000);
    const late = await stateWhen(handle, (s) => s.openTasks.every((t) => t.breached));
    expect(late.openTasks.map((t) => t.id).sort()).toEqual(['per-country#1.item-2.confirm#1', 'per-country#1.item-3.confirm#1']);
    expect(late.audit.filter((e) => e.event === 'deadline-breached').map((e) => e.taskId).sort()).toEqual(late.openTasks.map((t) => t.id).sort());

    for (const id of ['per-country#1.item-2.confirm#1', 'per-country#1.item-3.confirm#1']) {
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: id, outcome: 'confirmed', actor: person('pat.wong') }] });
    }
    const result = await handle.result();
    expect(result.status).toBe('completed');
    const reservations = result.variables.reservations as { country: string; index: number; ticket: { key: string }; confirmation: { by: string } }[];
    expect(reservations.map((r) => [r.country, r.index, r.confirmation.by])).toEqual([[countries[0], 0, 'ivy.chan'], [countries[1], 1, 'pat.wong'], [countries[2], 2, 'pat.wong']]);
    expect(new Set(reservations.map((r) => r.ticket.key)).size).toBe(3);
    expect(created().map((i) => i.key).sort()).toEqual(reservations.map((r) => r.ticket.key).sort());
    // Item variables stay with their item; the instance gains only the collected list.
    expect(result.variables.ticket).toBeUndefined();
    expect((await state(handle)).audit.filter((e) => e.event === 'item').map((e) => e.detail)).toEqual(['item 1 of 3', 'item 2 of 3', 'item 3 of 3']);
  });
});

describe('roles chosen by the data', () => {
  const sofCheck = `
process: sof-check
version: 1
title: The partner's manager checks a reseller's SOF, virtual sales their own
roles: { cam: "Channel account manager (the partner's manager)", sales: Virtual sales, admin: Administrator }
input: { type: object, properties: { partnerType: { type: string }, uploader: { type: string } } }
steps:
  - id: check-sof
    task:
      role: '=input.partnerType = "reseller" ? "cam" : "sales"'
      title: Check the signed SOF
      outcomes: { ok: {} }
  - id: upload-kyc
    task:
      role: { expression: input.uploader, one-of: [cam, sales] }
      title: Upload the KYC documents
      outcomes: { ok: {} }
`;

  it("gives a reseller's task to the partner's manager and an individual's to virtual sales, refusing the other role", async () => {
    const reseller = await start(sofCheck, { partnerType: 'reseller', uploader: 'cam' });
    const individual = await start(sofCheck, { partnerType: 'individual', uploader: 'sales' });
    const resellerTask = await openTask(reseller);
    expect(resellerTask.roles).toEqual(['cam']);
    expect((await openTask(individual)).roles).toEqual(['sales']);

    const refused = await reseller.executeUpdate(decideUpdate, { args: [{ taskId: resellerTask.id, outcome: 'ok', actor: person('sam.lee') }] }).catch((e) => e);
    expect(refused).toBeInstanceOf(WorkflowUpdateFailedError);
    expect(refused.cause?.message).toBe(`role 'sales' may not decide task '${resellerTask.id}'; it is assigned to cam`);
    await reseller.executeUpdate(decideUpdate, { args: [{ taskId: resellerTask.id, outcome: 'ok', actor: person('carla.mendes') }] });
    expect((await openTask(reseller, (t) => t.stepId === 'upload-kyc')).roles).toEqual(['cam']);
    await terminateWhenIdle(reseller);
    await terminateWhenIdle(individual);
  });

  it('opens an incident instead of a task nobody can take when the data names an undeclared role', async () => {
    const handle = await start(sofCheck, { partnerType: 'reseller', uploader: 'ceo' });
    const check = await openTask(handle);
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: check.id, outcome: 'ok', actor: person('carla.mendes') }] });
    const incident = await openTask(handle, (t) => t.kind === 'incident');
    expect(incident).toMatchObject({
      roles: ['admin'],
      title: `Step 'upload-kyc' failed: the role expression gave "ceo", which is not one of cam, sales`,
    });
    const now = await state(handle);
    expect(now.openTasks.map((t) => t.kind)).toEqual(['incident']);
    expect(now.audit.filter((e) => e.event === 'failed').map((e) => e.stepId)).toEqual(['upload-kyc']);
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: incident.id, outcome: 'cancel', comment: 'uploader unknown', actor: person('alex.admin') }] });
    expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'uploader unknown' });
  });
});

describe('subprocesses that do not complete', () => {
  const child = `
process: number-reservation
version: 1
title: Reserve virtual numbers
roles: { iod: IOD team }
input: { type: object, required: [dealId], properties: { dealId: { type: string } } }
steps:
  - id: reserve
    task:
      role: iod
      title: "Reserve numbers for {{ input.dealId }}"
      outcomes: { reserved: {}, refused: { end: rejected, reason: no numbers left } }
`;
  const parent = (onRejected: string) => `
process: provisioning
version: 1
title: Provision a deal
roles: { iod: IOD team, provisioning: Provisioning team }
steps:
  - id: reserve-numbers
    subprocess: number-reservation
    with: { dealId: D-7 }
    result: numbers
${onRejected}
  - id: after-numbers
    set: { provisioned: true }
    next: finish
  - id: by-hand
    set: { byHand: true }
  - id: finish
    end: completed
`;

  async function refuseChild(handle: { workflowId: string }) {
    const childHandle = running.client.workflow.getHandle(`${handle.workflowId}/reserve-numbers#1`);
    const task = await openTask(childHandle);
    await childHandle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'refused', actor: person('ivy.chan') }] });
  }

  it('ends the parent rejected, with the reason, when the child ends rejected and only on-cancelled is given', async () => {
    const handle = await start(parent('    on-cancelled: { next: by-hand }'), {}, child);
    await refuseChild(handle);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'rejected', reason: 'subprocess number-reservation ended rejected: no numbers left' });
    expect(result.variables.provisioned).toBeUndefined();
    expect(result.variables.numbers).toMatchObject({ status: 'rejected', reason: 'no numbers left' });
    const ended = (await state(handle)).audit.find((e) => e.event === 'subprocess-ended');
    expect(ended).toMatchObject({ stepId: 'reserve-numbers', outcome: 'rejected' });
  });

  it('goes where on-rejected says instead', async () => {
    const handle = await start(parent('    on-rejected: { next: by-hand }'), {}, child);
    await refuseChild(handle);
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', variables: { byHand: true } });
    expect(result.variables.provisioned).toBeUndefined();
  });
});
