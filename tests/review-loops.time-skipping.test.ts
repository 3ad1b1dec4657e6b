/**
 * Review loops as the seeds use them (deal registration review, the service ticket's IOD then provisioning
 * checks), on the time-skipping server against the HubSpot fake: verdicts named and labelled by the
 * definition, a return refused until the field it requires is filled, steps run on a return before the
 * owner's rework task opens, several reviewers in order with review starting again from the first after a
 * return, and a form field required only for one outcome of a task.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import { startProcess } from '../client/processes';
import { decideUpdate, type OpenTask } from '../workflows/messages';
import { call, startTestApi, type ApiHarness } from './support/api';
import { compile, openTask, person, state, terminateWhenIdle } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let hubspot: HubSpotFake;
let api: ApiHarness;
// The upload store the API writes form files to and the worker's hubspot.attachFile reads them from.
const uploads = mkdtempSync(path.join(tmpdir(), 'review-uploads-'));

beforeAll(async () => {
  running = await startTimeSkippingWorker({ OPS_UPLOADS_DIR: uploads });
  hubspot = running.fake<HubSpotFake>('hubspot');
  api = await startTestApi(running.client, [], { uploadsDir: uploads });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await running?.stop();
});

const started: WorkflowHandle[] = [];
afterEach(async () => {
  await Promise.all(started.splice(0).map(terminateWhenIdle));
});

async function start(yaml: string, input: Record<string, unknown> = {}) {
  const definition = await compile(yaml);
  const handle = await startProcess(running.client, definition, input, { workflowId: `test-${randomUUID()}` });
  started.push(handle);
  return handle;
}

async function decide(handle: WorkflowHandle, task: OpenTask, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) {
  return handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome, actor: person(who), ...extra }] });
}

/** The audit trail without the task e-mails, which are sent alongside the task and may land at any moment. */
const trailOf = async (handle: WorkflowHandle) => (await state(handle)).audit.filter((e) => e.event !== 'notified');

/** The update's refusal, as the API and the CLI pass it on. */
async function refusal(attempt: Promise<unknown>): Promise<string> {
  const error = await attempt.then(() => undefined, (e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause?.message ?? '';
}

const PIPELINE = 'CINNOX service addition / amendment / termination';

/** A service ticket in "IOD Team - Check and approval", as sales hand it over (ids from the pipelines API). */
async function ticketAtIod(): Promise<string> {
  const response = await fetch(`${hubspot.url}/crm/v3/pipelines/tickets`, { headers: { authorization: `Bearer ${hubspot.accessToken}` } });
  const { results } = (await response.json()) as { results: { id: string; label: string; stages: { id: string; label: string }[] }[] };
  const pipeline = results.find((p) => p.label === PIPELINE)!;
  const stage = pipeline.stages.find((s) => s.label === 'IOD Team - Check and approval')!;
  return hubspot.seedRecord('tickets', { subject: 'Add 20 seats', hs_pipeline: pipeline.id, hs_pipeline_stage: stage.id });
}

describe('a review by IOD, then provisioning', () => {
  const definition = `
process: ticket-review
version: 1
title: IOD, then provisioning, check the ticket sales prepared
roles: { sales: Sales, iod: IOD team, provisioning: Provisioning team }
stages: [draft, iod-check, provisioning]
steps:
  - id: check-ticket
    stage: iod-check
    review:
      owner: sales
      reviewers: [iod, { reviewer: provisioning, stage: provisioning }]
      title: Check ticket {{ input.ticketId }}
      form:
        type: object
        properties: { reason: { type: string, title: What sales must fix } }
      outcomes:
        approve: { label: Approved }
        return: { name: rejected-returned, label: Rejected - returned to Sales, requires: [reason], comment: optional }
        reject: { label: Rejected - due diligence failed }
      returned-stage: draft
      on-return:
        - id: ticket-back
          call: hubspot.moveTicket
          with: { ticketId: =input.ticketId, pipeline: ${PIPELINE}, stage: Sales - Draft / Returned }
    result: review
  - id: done
    end: completed
`;

  it('offers the verdicts under the names and labels the definition gives, and refuses a return whose required field is blank, changing nothing', async () => {
    const ticketId = await ticketAtIod();
    const handle = await start(definition, { ticketId });
    const iod = await openTask(handle, (t) => t.kind === 'review');
    expect(iod).toMatchObject({
      id: 'check-ticket#1.review-1',
      roles: ['iod'],
      outcomes: ['approve', 'reject', 'rejected-returned'],
      labels: { approve: 'Approved', 'rejected-returned': 'Rejected - returned to Sales', reject: 'Rejected - due diligence failed' },
      requires: { 'rejected-returned': ['reason'] },
      commentRequired: ['reject'],
    });
    const before = { ...(await state(handle)), audit: await trailOf(handle) };
    expect(await refusal(decide(handle, iod, 'rejected-returned', 'ivy.chan', { form: { reason: '  ' } }))).toBe(
      "outcome 'rejected-returned' needs the form field 'reason' filled in",
    );
    expect(await refusal(decide(handle, iod, 'return', 'ivy.chan', { form: { reason: 'x' } }))).toBe(
      "unknown outcome 'return' for task 'check-ticket#1.review-1'; choose one of: approve, reject, rejected-returned",
    );
    const after = await state(handle);
    expect(after.openTasks).toEqual(before.openTasks);
    expect(await trailOf(handle)).toEqual(before.audit);
  });

  it('runs the on-return steps before the rework opens, then starts again from IOD, and lists each reviewer\'s approval', async () => {
    const ticketId = await ticketAtIod();
    const handle = await start(definition, { ticketId });

    await decide(handle, await openTask(handle, (t) => t.id === 'check-ticket#1.review-1'), 'approve', 'ivy.chan');
    const provisioning = await openTask(handle, (t) => t.id === 'check-ticket#1.review-1.reviewer-2');
    expect(provisioning.roles).toEqual(['provisioning']);
    expect((await state(handle)).stage).toBe('provisioning');
    await decide(handle, provisioning, 'rejected-returned', 'pat.wong', { form: { reason: 'Package differs from the CSR form' } });

    const rework = await openTask(handle, (t) => t.kind === 'rework');
    expect(rework).toMatchObject({ roles: ['sales'], instructions: 'Returned by provisioning: reason: Package differs from the CSR form' });
    // The ticket is back with sales by the time their rework task opens.
    expect(hubspot.stageOf('tickets', ticketId)).toBe('Sales - Draft / Returned');
    expect((await state(handle)).stage).toBe('draft');

    await decide(handle, rework, 'resubmit', 'sam.lee');
    // Review starts again from the first reviewer, back in the review's own stage.
    const again = await openTask(handle, (t) => t.kind === 'review');
    expect(again).toMatchObject({ id: 'check-ticket#1.review-2', roles: ['iod'] });
    expect((await state(handle)).stage).toBe('iod-check');
    await decide(handle, again, 'approve', 'kenji.ito', { comment: 'KYC complete' });
    await decide(handle, await openTask(handle, (t) => t.id === 'check-ticket#1.review-2.reviewer-2'), 'approve', 'pat.wong');

    const result = await handle.result();
    expect(result.status).toBe('completed');
    expect(result.variables.review).toMatchObject({
      outcome: 'approve',
      verdict: 'approve',
      rounds: 2,
      approvals: [
        { reviewer: 'iod', by: 'kenji.ito', comment: 'KYC complete' },
        { reviewer: 'provisioning', by: 'pat.wong' },
      ],
    });
    const trail = (await state(handle)).audit;
    expect(trail.filter((e) => e.event === 'decision').map((e) => [e.actor, e.outcome])).toEqual([
      ['ivy.chan', 'approve'],
      ['pat.wong', 'rejected-returned'],
      ['sam.lee', 'resubmit'],
      ['kenji.ito', 'approve'],
      ['pat.wong', 'approve'],
    ]);
    expect(trail.filter((e) => e.event === 'stage').map((e) => e.detail)).toEqual(['iod-check', 'provisioning', 'draft', 'iod-check', 'provisioning']);
  });

  it('ends as the definition\'s reject says, with the reviewer\'s comment as the reason', async () => {
    const handle = await start(definition, { ticketId: await ticketAtIod() });
    await decide(handle, await openTask(handle, (t) => t.kind === 'review'), 'reject', 'ivy.chan', { comment: 'sanctioned entity' });
    expect(await handle.result()).toMatchObject({ status: 'rejected', reason: 'sanctioned entity' });
  });
});

describe('a deal registration review without a reject or a round cap (seed 004)', () => {
  it('lets sales operations only approve or return, as many times as it takes', async () => {
    const handle = await start(`
process: deal-registration-review
version: 1
title: Sales operations review a reseller's deal registration
roles: { sales: Partnerships, sales-ops: Sales operations }
steps:
  - id: review-registration
    review:
      owner: sales
      reviewer: sales-ops
      title: Review the deal registration
      outcomes:
        approve: { label: Deal approved, next: closed-won }
        return: { name: rejected, label: Rejected - returned to Partnerships }
    result: registration
  - id: closed-won
    end: completed
    reason: Closed Won
`);
    for (let round = 1; round <= 4; round++) {
      const task = await openTask(handle, (t) => t.kind === 'review' && t.id.endsWith(`review-${round}`));
      expect(task.outcomes).toEqual(['approve', 'rejected']);
      expect(task.labels).toEqual({ approve: 'Deal approved', rejected: 'Rejected - returned to Partnerships' });
      expect(await refusal(decide(handle, task, 'rejected', 'omar.haddad'))).toBe("outcome 'rejected' needs a comment giving the reason");
      await decide(handle, task, 'rejected', 'omar.haddad', { comment: `incomplete form, round ${round}` });
      const rework = await openTask(handle, (t) => t.kind === 'rework' && t.id.endsWith(`rework-${round}`));
      expect(rework.instructions).toBe(`Returned by the reviewer: incomplete form, round ${round}`);
      await decide(handle, rework, 'resubmit', 'sam.lee');
    }
    await decide(handle, await openTask(handle, (t) => t.id.endsWith('review-5')), 'approve', 'omar.haddad');
    expect(await handle.result()).toMatchObject({ status: 'completed', reason: 'Closed Won', variables: { registration: { outcome: 'approve', rounds: 5 } } });
    expect((await state(handle)).audit.some((e) => e.event === 'review-capped')).toBe(false);
  });
});

describe('a task form field required for one outcome only', () => {
  it('refuses a rejection without a reason, naming the field, and accepts an approval without one', async () => {
    const definition = `
process: conditional-reason
version: 1
title: A reason only when rejecting
roles: { iod: IOD team }
steps:
  - id: decide
    task:
      role: iod
      title: Approve the partner
      form:
        type: object
        properties: { reason: { type: string, title: Why it is rejected } }
      outcomes:
        approve: { label: Approve }
        reject: { label: Reject, end: rejected, reason: "{{ decision.form.reason }}", requires: [reason] }
    result: decision
  - id: done
    end: completed
`;
    const rejected = await start(definition);
    const task = await openTask(rejected);
    expect(task.requires).toEqual({ reject: ['reason'] });
    const before = await trailOf(rejected);
    expect(await refusal(decide(rejected, task, 'reject', 'ivy.chan', { form: {} }))).toBe("outcome 'reject' needs the form field 'reason' filled in");
    expect(await trailOf(rejected)).toEqual(before);
    const viaApi = await call(api.url, 'POST', `/instances/${encodeURIComponent(rejected.workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, {
      key: api.keyFor('ivy.chan'),
      body: { outcome: 'reject', form: { reason: '' } },
    });
    expect(viaApi.status).toBe(400);
    expect(viaApi.body.errors).toEqual([{ field: 'body.form.reason', message: "is required for outcome 'reject'" }]);
    await decide(rejected, task, 'reject', 'ivy.chan', { form: { reason: 'no KYC documents' } });
    expect(await rejected.result()).toMatchObject({ status: 'rejected', reason: 'no KYC documents' });

    const approved = await start(definition);
    await decide(approved, await openTask(approved), 'approve', 'ivy.chan');
    expect((await approved.result()).status).toBe('completed');
  });
});

describe('a file field', () => {
  it('holds the upload\'s id, never its bytes, and hubspot.attachFile attaches the uploaded file to the ticket as a note', async () => {
    const ticketId = await ticketAtIod();
    const handle = await start(`
process: csr-upload
version: 1
title: IOD attaches the CSR 106 form to the ticket
roles: { iod: IOD team }
steps:
  - id: upload-csr
    task:
      role: iod
      title: Upload the CSR 106 form
      form:
        type: object
        required: [csr106]
        properties: { csr106: { type: string, contentMediaType: application/pdf, title: CSR 106 form } }
      outcomes: { uploaded: {} }
    result: csr
  - id: attach-csr
    call: hubspot.attachFile
    with: { objectType: tickets, objectId: =input.ticketId, file: { uploadId: =csr.form.csr106 }, note: CSR 106 form }
    result: attached
`, { ticketId });
    const task = await openTask(handle);
    const key = api.keyFor('ivy.chan');
    const route = `/instances/${encodeURIComponent(handle.workflowId)}/tasks/${encodeURIComponent(task.id)}`;
    const content = `%PDF-1.4 CSR 106 for ticket ${ticketId} ${randomUUID()}`;

    // The file's content in the field instead of an upload's id is refused, naming the field.
    const pasted = await call(api.url, 'POST', `${route}/decision`, { key, body: { outcome: 'uploaded', form: { csr106: Buffer.from(content).toString('base64') } } });
    expect(pasted.status).toBe(400);
    expect(pasted.body.errors).toEqual([{ field: 'body.form.csr106', message: 'must be the id of an upload (upl_...), not the file itself' }]);
    const unknown = await call(api.url, 'POST', `${route}/decision`, { key, body: { outcome: 'uploaded', form: { csr106: 'upl_nothing' } } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors[0].field).toBe('body.form.csr106');
    // The workflow refuses it too, whoever sends it.
    expect(await refusal(decide(handle, task, 'uploaded', 'ivy.chan', { form: { csr106: content } }))).toBe(
      "form field 'csr106' is a file: give the id of an upload (upl_...), never the file itself",
    );

    const form = new FormData();
    form.append('file', new Blob([content], { type: 'application/pdf' }), 'CSR106.pdf');
    const uploaded = await call<{ id: string }>(api.url, 'POST', `${route}/uploads`, { key, body: form });
    expect(uploaded.status).toBe(201);
    const decided = await call(api.url, 'POST', `${route}/decision`, { key, body: { outcome: 'uploaded', form: { csr106: uploaded.body.id } } });
    expect(decided.status).toBe(200);

    const result = await handle.result();
    expect(result.status).toBe('completed');
    const { fileId, noteId } = result.variables.attached as { fileId: string; noteId: string };
    const stored = hubspot.files().find((f) => f.id === fileId);
    expect(stored).toMatchObject({ name: 'CSR106', extension: 'pdf', size: Buffer.byteLength(content), sha256: createHash('sha256').update(content).digest('hex') });
    expect(hubspot.record('notes', noteId)?.properties).toMatchObject({ hs_attachment_ids: fileId, hs_note_body: 'CSR 106 form' });
    expect(hubspot.associatedIds('tickets', ticketId, 'notes')).toContain(noteId);
    // The decision holds the upload's id; the history never holds the file's content.
    expect(result.variables.csr).toMatchObject({ form: { csr106: uploaded.body.id } });
    const history = Buffer.from(temporal.api.history.v1.History.encode(await handle.fetchHistory()).finish()).toString('latin1');
    expect(history).not.toContain(content);
    expect(history).not.toContain(Buffer.from(content).toString('base64'));
  });
});
