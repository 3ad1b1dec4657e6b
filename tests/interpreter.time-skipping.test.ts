/**
 * Scenarios on the Java time-skipping test server: long waits and business-day deadlines pass in seconds,
 * and human decisions are checked before anything is recorded. Activities reach the connectors' local
 * fakes over real sockets.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { randomUUID } from 'node:crypto';
import type { EmailFake } from '../fakes/email/fake';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import { startProcess } from '../client/processes';
import { addBusinessDays } from '../dsl/calendar';
import { decideSignal, decideUpdate, eventSignal } from '../workflows/messages';
import { bundleWorkflows } from '../worker';
import { compile, openTask, person, state, terminateWhenIdle, waitFor } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let env: TestWorkflowEnvironment;

beforeAll(async () => {
  running = await startTimeSkippingWorker();
  env = running.env;
}, 180_000);

afterAll(() => running?.stop());

const DAY = 86_400_000;

/** An e-mail's text as written (SMTP carries CRLF line ends). */
const body = (mail: { text?: string }) => mail.text?.replace(/\r\n/g, '\n').trim();

/** Instances a test leaves open would keep reminding (and e-mailing) through every later test's skipped time. */
const started: WorkflowHandle[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map(terminateWhenIdle));
});

async function start(yaml: string, input: Record<string, unknown> = {}, ...others: string[]) {
  const definition = await compile(yaml, ...others);
  const handle = await startProcess(running.client, definition, input, { workflowId: `test-${randomUUID()}` });
  started.push(handle);
  return { definition, handle };
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
    await env.sleep(30 * DAY + 1000);
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
    await openTask(handle, (t) => t.escalatedTo !== undefined); // the timer's workflow task has run
    let now = await state(handle);
    expect(now.openTasks[0]).toMatchObject({ id: task.id, roles: ['iod', 'management'], escalatedTo: 'management', breached: false });
    expect(now.openTasks[0].reminders).toBeGreaterThanOrEqual(1);
    expect(now.audit.map((e) => e.event)).toEqual(expect.arrayContaining(['reminder', 'escalated']));

    await env.sleep(new Date(task.dueAt!).getTime() - (await env.currentTimeMs()) + 1000);
    await openTask(handle, (t) => t.breached);
    now = await state(handle);
    expect(now.openTasks[0]).toMatchObject({ id: task.id, breached: true });
    expect(now.audit.filter((e) => e.event === 'deadline-breached')).toHaveLength(1);

    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', actor: person('martin.cho') }] });
    expect((await handle.result()).status).toBe('completed');
  });
});

describe('review loops', () => {
  const review = (onCap = '') => `
process: kyc-review
version: 1
title: IOD reviews the KYC documents prepared by sales
roles: { sales: Sales, iod: IOD team, management: Top management }
steps:
  - id: check-kyc
    review:
      owner: sales
      reviewer: iod
      title: Check the KYC documents
      max-rounds: 2
      ${onCap}
    result: review
  - id: done
    end: completed
`;

  async function returnTwice(handle: WorkflowHandle) {
    for (let round = 1; round <= 2; round++) {
      const task = await openTask(handle, (t) => t.kind === 'review' && t.id.endsWith(`review-${round}`));
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'return', comment: `round ${round}`, actor: person('ivy.chan') }] });
      const rework = await openTask(handle, (t) => t.kind === 'rework' && t.id.endsWith(`rework-${round}`));
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: rework.id, outcome: 'resubmit', actor: person('sam.lee') }] });
    }
  }

  it('returns the work to its owner with the reason, then approves the resubmission', async () => {
    const { handle } = await start(review());
    const first = await openTask(handle, (t) => t.kind === 'review');
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: first.id, outcome: 'return', comment: 'BR copy missing', actor: person('ivy.chan') }] });
    const rework = await openTask(handle, (t) => t.kind === 'rework');
    expect(rework).toMatchObject({ roles: ['sales'], instructions: 'Returned by the reviewer: BR copy missing' });
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: rework.id, outcome: 'resubmit', actor: person('sam.lee') }] });
    const second = await openTask(handle, (t) => t.kind === 'review');
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: second.id, outcome: 'approve', actor: person('ivy.chan') }] });
    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.variables.review).toMatchObject({ outcome: 'approve', rounds: 2 });
    const decisions = (await state(handle)).audit.filter((e) => e.event === 'decision');
    expect(decisions.map((d) => [d.actor, d.outcome, d.comment])).toEqual([
      ['ivy.chan', 'return', 'BR copy missing'],
      ['sam.lee', 'resubmit', undefined],
      ['ivy.chan', 'approve', undefined],
    ]);
  });

  it('never rejects by reaching the round cap: the reviewer must then approve or reject, and an approval completes', async () => {
    const { handle } = await start(review());
    await returnTwice(handle);
    const final = await openTask(handle, (t) => t.kind === 'review' && t.id.endsWith('review-3'));
    expect(final).toMatchObject({ roles: ['iod'], outcomes: ['approve', 'reject'], instructions: 'Returned 2 times, the round cap: approve or reject, giving the reason.' });
    expect((await state(handle)).status).toBe('running');
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: final.id, outcome: 'approve', actor: person('kenji.ito') }] });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    const capped = (await state(handle)).audit.find((e) => e.event === 'review-capped');
    expect(capped).toMatchObject({ stepId: 'check-kyc', detail: 'returned 2 times; the reviewer must approve or reject' });
  });

  it('at the cap, escalates to the role the definition names, and only that person\'s reject rejects', async () => {
    const { handle } = await start(review('on-cap: { escalate: management }'));
    await returnTwice(handle);
    const final = await openTask(handle, (t) => t.id.endsWith('review-3'));
    expect(final).toMatchObject({ roles: ['iod', 'management'], outcomes: ['approve', 'reject'] });
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: final.id, outcome: 'reject', comment: 'documents never complete', actor: person('martin.cho') }] });
    expect(await handle.result()).toMatchObject({ status: 'rejected', reason: 'documents never complete' });
    const trail = (await state(handle)).audit;
    expect(trail.find((e) => e.event === 'review-capped')?.detail).toBe('returned 2 times; escalated to management to approve or reject');
    expect(trail.filter((e) => e.event === 'decision').at(-1)).toMatchObject({ actor: 'martin.cho', outcome: 'reject' });
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
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: setUp.id, outcome: 'done', actor: person('pat.wong') }] });
    expect((await state(handle)).variables.joined).toBeUndefined();

    const childHandle = running.client.workflow.getHandle(`${handle.workflowId}/reserve-numbers#1`);
    const reserve = await openTask(childHandle);
    expect(reserve.title).toBe('Reserve numbers for D-42');
    expect((await childHandle.describe()).type).toBe('number-reservation');
    await childHandle.executeUpdate(decideUpdate, { args: [{ taskId: reserve.id, outcome: 'reserved', actor: person('ivy.chan') }] });

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
    await env.sleep(14 * DAY + 1000);
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
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'ok', actor: person('sam.lee') }] });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', variables: { signature: { contractId: 'C-2', by: 'customer' } } });
  });
});

describe('steps that fail for good', () => {
  const failing = `
process: ticket-move
version: 1
title: Move a ticket that does not exist
roles: { iod: IOD team }
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
    expect(incident).toMatchObject({ roles: ['admin'], outcomes: ['retry', 'skip', 'cancel'] });
    expect(incident.title).toMatch(/^Step 'move' failed: .*999999/);
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: incident.id, outcome: 'retry', actor: person('alex.admin') }] });
    const second = await openTask(handle, (t) => t.kind === 'incident' && t.id !== incident.id);
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: second.id, outcome: 'skip', comment: 'ticket was deleted', actor: person('alex.admin') }] });
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', variables: { reached: true } });
    expect((await state(handle)).audit.filter((e) => e.event === 'failed')).toHaveLength(2);
  });

  it('ends the instance as cancelled, with the reason, when the incident role cancels it', async () => {
    const { handle } = await start(failing);
    const incident = await openTask(handle, (t) => t.kind === 'incident');
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: incident.id, outcome: 'cancel', comment: 'wrong ticket', actor: person('alex.admin') }] });
    expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'wrong ticket' });
  });
});

describe('notifications', () => {
  it('e-mails the holders of a task\'s role when it opens and at each reminder, and the escalation role when escalated, with a link', async () => {
    const smtp = running.fake<EmailFake>('email');
    const { definition, handle } = await start(`
process: notified-approval
version: 1
title: Approve, with e-mails
calendar: hk
roles: { iod: IOD team, management: Top management }
steps:
  - id: approve
    task: { role: iod, title: "Approve deal {{ input.dealId }}", instructions: Check the SOF first., due: 3 business days, outcomes: { approve: {} } }
    remind: { every: 1 business day }
    escalate: { after: 2 business days, to: management }
  - id: tell-partner
    notify: { address: "{{ input.partnerEmail }}", subject: "Deal {{ input.dealId }} approved", text: "Your deal {{ input.dealId }} is approved." }
  - id: tell-management
    notify: { role: management, subject: "Deal {{ input.dealId }} approved", text: Nothing to do. }
`, { dealId: 'D-77', partnerEmail: 'partner@acme.example' });
    const mails = () => smtp.messages.filter((m) => m.subject.includes('D-77'));
    const task = await openTask(handle);
    const link = `http://127.0.0.1:4100/tasks/${encodeURIComponent(handle.workflowId)}/${encodeURIComponent(task.id)}`;
    await waitFor(() => mails().length === 1);
    expect(mails()[0]).toMatchObject({ to: 'ivy.chan@example.com, kenji.ito@example.com', subject: 'New task: Approve deal D-77' });
    expect(body(mails()[0])).toBe(`Approve deal D-77\n\nDue: ${task.dueAt!.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}\nOpen the task: ${link}\n\nCheck the SOF first.`);

    await env.sleep(addBusinessDays(definition.calendars.hk, new Date(task.openedAt), 2).getTime() - (await env.currentTimeMs()) + 60_000);
    await waitFor(() => mails().some((m) => m.subject.startsWith('Escalated')));
    const subjects = mails().map((m) => [m.to, m.subject]);
    expect(subjects).toEqual(expect.arrayContaining([
      ['ivy.chan@example.com, kenji.ito@example.com', 'Reminder: Approve deal D-77'],
      ['martin.cho@example.com', 'Escalated to you: Approve deal D-77'],
    ]));
    expect(subjects.filter(([, subject]) => subject.startsWith('Reminder')).length).toBeGreaterThanOrEqual(1);

    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', actor: person('martin.cho') }] });
    expect((await handle.result()).status).toBe('completed');
    expect(mails().slice(-2).map((m) => [m.to, m.subject, body(m)])).toEqual([
      ['partner@acme.example', 'Deal D-77 approved', 'Your deal D-77 is approved.'],
      ['martin.cho@example.com', 'Deal D-77 approved', 'Nothing to do.'],
    ]);
    const notified = (await state(handle)).audit.filter((e) => e.event === 'notified').map((e) => e.detail);
    expect(notified).toEqual(expect.arrayContaining([
      'opened: e-mailed ivy.chan, kenji.ito',
      'escalated: e-mailed martin.cho',
      'message: e-mailed partner@acme.example',
      'message: e-mailed martin.cho',
    ]));
  });
});

describe('checklists', () => {
  const onboarding = (extra = '') => `
process: partner-checklist
version: 1
title: Check a new partner
roles: { iod: IOD team, sales: Sales }
input: { type: object, properties: { termsChanged: { type: boolean }, companyId: { type: string } } }
steps:
  - id: checks
    checklist:
      title: Partner checks
      items:
        - { id: contract, label: Signed contract attached, verifier: iod }
        - { id: legal, label: Legal approval of the changed terms, verifier: iod, when: input.termsChanged }
        - { id: deposit, label: "Deposit of {{ input.companyId }} received", verifier: iod, not-applicable: allowed }
${extra}
    result: checklist
  - id: done
    end: completed
`;

  it('stays open for an item answered not done, and leaves out an item whose condition does not hold; labels filled in from the data', async () => {
    const { handle } = await start(onboarding(), { termsChanged: false, companyId: 'C-7' });
    const first = await openTask(handle, (t) => t.kind === 'checklist');
    // An item's label is filled in from the instance's data.
    expect(first.instructions).toBe('- contract: Signed contract attached\n- deposit: Deposit of C-7 received');
    await handle.executeUpdate(decideUpdate, {
      args: [{ taskId: first.id, outcome: 'confirm', actor: person('ivy.chan'), form: { contract: { ok: false, reason: 'unsigned copy' }, deposit: { notApplicable: true, reason: 'prepaid customer' } } }],
    });
    const again = await openTask(handle, (t) => t.kind === 'checklist' && t.id !== first.id);
    expect(again.instructions).toBe('- contract: Signed contract attached (unsigned copy)');
    const trail = (await state(handle)).audit;
    expect(trail.filter((e) => e.event === 'item-failed').map((e) => e.detail)).toEqual(["'contract' (Signed contract attached) not done: unsigned copy"]);
    expect(trail.find((e) => e.event === 'skipped')?.detail).toBe("item 'legal' does not apply (when: input.termsChanged)");
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: again.id, outcome: 'confirm', actor: person('kenji.ito'), form: { contract: { ok: true } } }] });
    const result = await handle.result();
    expect(result.variables.checklist).toMatchObject({
      passed: true,
      items: { contract: { ok: true, by: 'kenji.ito' }, deposit: { ok: false, notApplicable: true, reason: 'prepaid customer', by: 'ivy.chan' } },
    });
  });

  it('refuses "not applicable" on an item the definition does not allow it for', async () => {
    const { handle } = await start(onboarding(), { termsChanged: true });
    const task = await openTask(handle, (t) => t.kind === 'checklist');
    const error = await handle
      .executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'confirm', actor: person('ivy.chan'), form: { contract: { ok: true }, legal: { notApplicable: true, reason: 'n/a' }, deposit: { ok: true } } }] })
      .catch((e: Error) => (e.cause as Error | undefined)?.message);
    expect(error).toBe('form does not match: /legal/ok is required; /legal/notApplicable is not allowed');
  });

  it('goes where the checklist declares when an automatic check fails, without asking anyone', async () => {
    const { handle } = await start(onboarding(`
        - id: kyc
          label: KYC fields filled
          verifier: iod
          check: { call: hubspot.checkCompanyKyc, with: { companyId: =input.companyId, required: [name, country] }, expect: result.complete }
      on-check-fail: fail
      on-fail: { end: rejected, reason: KYC incomplete }`), { companyId: running.fake<HubSpotFake>('hubspot').seedCompany({ properties: { name: 'No Country Ltd' } }).id });
    expect(await handle.result()).toMatchObject({ status: 'rejected', reason: 'KYC incomplete', variables: { checklist: { passed: false } } });
    const trail = (await state(handle)).audit;
    expect(trail.filter((e) => e.event === 'task-opened')).toEqual([]);
    expect(trail.find((e) => e.event === 'item-failed')).toMatchObject({ actor: 'hubspot.checkCompanyKyc', detail: "'kyc' (KYC fields filled) not done: automatic check failed: result.complete" });
  });
});

describe('deadlines on automatic steps', () => {
  it('holds the incident task of a failing call to the step\'s deadline, and escalates it as the step says', async () => {
    const receivedAt = new Date(await env.currentTimeMs()).toISOString();
    const { handle } = await start(`
process: ticket-move-by
version: 1
title: Move a ticket within two days
roles: { iod: IOD team, management: Top management }
deadlines:
  move-by: { from: input.receivedAt, after: 2 days }
steps:
  - id: move
    call: hubspot.moveTicket
    with: { ticketId: "999999", pipeline: CINNOX service addition / amendment / termination, stage: IOD Team - Check and approval }
    deadline: move-by
    escalate: { before: 1 day, to: management }
`, { receivedAt });
    const incident = await openTask(handle, (t) => t.kind === 'incident');
    const moveBy = (await state(handle)).deadlines.find((d) => d.name === 'move-by')!;
    expect(incident).toMatchObject({ roles: ['admin'], dueAt: moveBy.at });
    expect(Date.parse(moveBy.at) - Date.parse(receivedAt)).toBe(2 * DAY);

    // Skip time only once the incident's e-mail has gone: the server's clock does not wait for a running
    // activity, so a skip would time the send out and it would go again.
    const notifiedCount = async () => (await state(handle)).audit.filter((e) => e.event === 'notified').length;
    for (let i = 0; i < 100 && (await notifiedCount()) < 1; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await env.sleep(Date.parse(moveBy.at) - DAY - (await env.currentTimeMs()) + 1000);
    // The timer's workflow task may still be under way when the skip returns: read until it has run.
    expect(await openTask(handle, (t) => t.id === incident.id && t.escalatedTo !== undefined)).toMatchObject({ roles: ['admin', 'management'], escalatedTo: 'management', breached: false });
    for (let i = 0; i < 100 && (await notifiedCount()) < 2; i++) await new Promise((resolve) => setTimeout(resolve, 50));
    await env.sleep(DAY);
    expect(await openTask(handle, (t) => t.id === incident.id && t.breached)).toMatchObject({ roles: ['admin', 'management'] });
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: incident.id, outcome: 'cancel', comment: 'ticket gone', actor: person('martin.cho') }] });
    expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'ticket gone' });
    expect((await state(handle)).audit.map((e) => e.event)).toEqual(expect.arrayContaining(['failed', 'task-opened', 'escalated', 'deadline-breached']));
  });
});

describe('four eyes', () => {
  it('refuses the person who started the instance, and the person who decided an earlier step, though they hold the role', async () => {
    const definition = await compile(`
process: four-eyes-approval
version: 1
title: Prepared by one IOD member, approved by another
roles: { iod: IOD team }
steps:
  - id: prepare
    task: { role: iod, title: Prepare the approval, four-eyes: { starter: true }, outcomes: { done: {} } }
  - id: approve
    task: { role: iod, title: Approve, four-eyes: { steps: [prepare] }, outcomes: { approve: {} } }
`);
    const handle = await startProcess(running.client, definition, {}, { workflowId: `test-${randomUUID()}`, startedBy: { id: 'kenji.ito' } });
    const refusal = (taskId: string, who: string, outcome: string) =>
      handle.executeUpdate(decideUpdate, { args: [{ taskId, outcome, actor: person(who) }] }).catch((e: Error) => (e.cause as Error | undefined)?.message);

    const prepare = await openTask(handle, (t) => t.stepId === 'prepare');
    expect(await refusal(prepare.id, 'kenji.ito', 'done')).toBe("kenji.ito may not decide task 'prepare#1' (four eyes): they started this instance");
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: prepare.id, outcome: 'done', actor: person('ivy.chan') }] });

    const approve = await openTask(handle, (t) => t.stepId === 'approve');
    expect(await refusal(approve.id, 'ivy.chan', 'approve')).toBe("ivy.chan may not decide task 'approve#1' (four eyes): they decided step 'prepare'");
    await handle.executeUpdate(decideUpdate, { args: [{ taskId: approve.id, outcome: 'approve', actor: person('kenji.ito') }] });
    expect(await handle.result()).toMatchObject({ status: 'completed' });
    expect((await state(handle)).audit.filter((e) => e.event === 'decision').map((e) => e.actor)).toEqual(['ivy.chan', 'kenji.ito']);
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
    // The task's e-mail is recorded alongside it; wait for it so that only the refusals could change the state.
    let before = await state(handle);
    for (let attempt = 0; attempt < 100 && !before.audit.some((e) => e.event === 'notified'); attempt++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      before = await state(handle);
    }
    const refused = async (decision: object) => {
      const error = await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, ...decision } as never] }).catch((e) => e);
      expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
      return (error as WorkflowUpdateFailedError).cause?.message;
    };
    expect(await refused({ outcome: 'approve', form: { limit: 5 }, actor: person('sam.lee') })).toBe(
      `role 'sales' may not decide task '${task.id}'; it is assigned to iod`,
    );
    expect(await refused({ outcome: 'escalate', form: { limit: 5 }, actor: person('ivy.chan') })).toBe(
      `unknown outcome 'escalate' for task '${task.id}'; choose one of: approve, reject`,
    );
    expect(await refused({ outcome: 'approve', form: { limit: 0 }, actor: person('ivy.chan') })).toBe('form does not match: /limit must be >= 1');
    expect(await refused({ outcome: 'reject', form: { limit: 5 }, actor: person('ivy.chan') })).toBe("outcome 'reject' needs a comment giving the reason");
    // The same refusals through the signal are dropped without failing the instance.
    await handle.signal(decideSignal, { taskId: task.id, outcome: 'approve', form: { limit: 5 }, actor: person('sam.lee') });
    await handle.signal(decideSignal, { taskId: task.id } as never);
    expect(await state(handle)).toEqual(before);

    await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', form: { limit: 5 }, actor: person('ivy.chan') }] });
    await openTask(handle, (t) => t.stepId === 'hold');
    const afterFirst = await state(handle);
    expect(await refused({ outcome: 'approve', form: { limit: 9 }, actor: person('ivy.chan') })).toBe(`task '${task.id}' is already closed`);
    expect(await state(handle)).toEqual(afterFirst);
    expect(afterFirst.variables.decision).toMatchObject({ outcome: 'approve', by: 'ivy.chan', form: { limit: 5 } });
  });

  it('checks a form field by field, formats by the rules the API door uses, through the update and the signal alike', async () => {
    const { handle } = await start(`
process: go-live
version: 1
title: Schedule the go-live
roles: { iod: IOD team }
steps:
  - id: schedule
    task:
      role: iod
      title: Schedule the go-live
      form:
        type: object
        required: [goLive, contact]
        additionalProperties: false
        properties:
          goLive: { type: string, format: date }
          contact: { type: string, format: email }
          portal: { type: string, format: uri }
          seats: { type: integer, minimum: 1 }
          plan: { type: string, enum: [basic, premium] }
      outcomes: { scheduled: {} }
    result: schedule
`);
    const task = await openTask(handle);
    const refusal = (form: Record<string, unknown>) =>
      handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'scheduled', actor: person('ivy.chan'), form }] }).then(
        () => 'accepted',
        (e: WorkflowUpdateFailedError) => e.cause?.message,
      );
    // Each failing field named with what it must be, never with what was typed. `ops@localhost` is refused as
    // at the API door (ajv-formats' rule: a dotted domain), though cfworker's own e-mail rule would take it.
    expect(await refusal({ goLive: '2026-02-29', contact: 'ops@localhost', portal: 'example.com/login', seats: 0, plan: 'gold' })).toBe(
      'form does not match: /goLive must be a valid date, e.g. 2025-01-31; /contact must be a valid email, e.g. name@example.com; ' +
        '/portal must be a valid uri, e.g. https://example.com/page; /seats must be >= 1; /plan must be one of "basic", "premium"',
    );
    expect(await refusal({ contact: 'ops@example.com', sites: 2 })).toBe('form does not match: /goLive is required; /sites is not allowed');
    // A refused signal is dropped; a valid one decides the task.
    await handle.signal(decideSignal, { taskId: task.id, outcome: 'scheduled', actor: person('ivy.chan'), form: { goLive: '2026-02-29', contact: 'ops@example.com' } });
    await handle.signal(decideSignal, {
      taskId: task.id, outcome: 'scheduled', actor: person('ivy.chan'),
      form: { goLive: '2028-02-29', contact: 'Ops.Team+golive@Example.com', portal: 'https://portal.example.com/sign-in?next=%2F', seats: 25, plan: 'premium' },
    });
    const result = await handle.result();
    expect(result.variables.schedule).toMatchObject({ outcome: 'scheduled', by: 'ivy.chan', form: { goLive: '2028-02-29', seats: 25 } });
    const decisions = (await state(handle)).audit.filter((e) => e.event === 'decision');
    expect(decisions).toHaveLength(1);
  });
});

describe('stack traces', () => {
  const parked = `
process: parked-for-a-stack-trace
version: 1
title: Wait for a decision
roles: { ops: Operations }
steps:
  - id: approve
    task: { role: ops, title: Approve, outcomes: { approve: {} } }
`;
  // Temporal's stack trace query is what its web UI shows on an instance's "Stack Trace" tab.
  const stackTrace = (handle: WorkflowHandle) => handle.query<string>('__stack_trace');

  it('are not captured by default; OPS_WORKFLOW_STACK_TRACES keeps them, down to the source line of the step that waits', async () => {
    const { handle } = await start(parked);
    await openTask(handle);
    expect((await stackTrace(handle)).trim()).toBe('Error'); // no frames

    const taskQueue = `stack-traces-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowBundle: await bundleWorkflows({ stackTraces: true }), activities: {} });
    await worker.runUntil(async () => {
      const traced = await startProcess(running.client, await compile(parked), {}, { workflowId: `test-${randomUUID()}`, taskQueue });
      started.push(traced);
      await openTask(traced);
      expect(await stackTrace(traced)).toMatch(/\/workflows\/steps\/task\.ts:\d+:\d+\)/);
    });
  }, 60_000);
});
