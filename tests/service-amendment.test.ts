/**
 * The service addition / amendment / termination procedure (seed 001) with the shipped definition, on the
 * time-skipping server against the HubSpot fake: the KYC checklist with its automatic check, the IOD
 * review loop, the high-risk escalation, the provisioning / R&D loop, and the ticket's HubSpot stages.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { HubSpotFake } from '../activities/hubspot/fake';
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import type { CompiledDefinition } from '../dsl/compile';
import { decideUpdate, type OpenTask } from '../workflows/messages';
import { person, openTask, state } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let definition: CompiledDefinition;
let hubspot: HubSpotFake;

beforeAll(async () => {
  [running, definition] = await Promise.all([startTimeSkippingWorker(), loadRegistry().then((r) => r.get('service-amendment')!)]);
  hubspot = running.fake<HubSpotFake>('hubspot');
}, 180_000);

afterAll(() => running?.stop());

const KYC = { name: 'Acme Ltd', business_registration_number: 'BR-123', registered_address: '1 Queen St', country: 'Hong Kong' };

/** A ticket as sales create it: in the pipeline's "Sales - Draft / Returned" stage (ids from the pipelines API). */
async function draftTicket(): Promise<string> {
  const response = await fetch(`${hubspot.url}/crm/v3/pipelines/tickets`, { headers: { authorization: `Bearer ${hubspot.accessToken}` } });
  const { results } = (await response.json()) as { results: { id: string; label: string; stages: { id: string; label: string }[] }[] };
  const pipeline = results.find((p) => p.label === 'CINNOX service addition / amendment / termination')!;
  const draft = pipeline.stages.find((s) => s.label === 'Sales - Draft / Returned')!;
  return hubspot.seedRecord('tickets', { subject: 'Add 20 seats', hs_pipeline: pipeline.id, hs_pipeline_stage: draft.id });
}

async function begin(companyProperties: Record<string, string>, highRisk: boolean) {
  const company = hubspot.seedCompany({ properties: companyProperties });
  const ticketId = await draftTicket();
  const handle = await startProcess(running.env.client, definition, { ticketId, companyId: company.id, highRisk });
  return { handle, ticketId };
}

/** Decides as a person of the people directory, with only the roles the directory gives them. */
async function decide(handle: WorkflowHandle, task: OpenTask, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) {
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome, actor: person(who), ...extra }] });
}

const ok = { ok: true };

it('takes a high-risk ticket through the checklist, a returned review, management, a bug fix and provisioning to Completed', async () => {
  const { handle, ticketId } = await begin(KYC, true);

  const checklist = await openTask(handle, (t) => t.stepId === 'kyc-checklist');
  expect(hubspot.stageOf('tickets', ticketId)).toBe('IOD Team - Check and approval');
  // The KYC fields were checked in HubSpot already; the T&C did not change, so legal approval does not apply.
  expect(checklist.instructions).not.toContain('kyc-fields');
  expect(checklist.form).toMatchObject({ required: ['identity-documents', 'contacts', 'csr106', 'signed-sof', 'deposit'] });
  await decide(handle, checklist, 'confirm', 'ivy.chan', {
    form: { 'identity-documents': { ok: true, evidence: 'BR and CI copies' }, contacts: ok, csr106: ok, 'signed-sof': ok, deposit: { ok: true, evidence: 'receipt 42' } },
  });

  const review = await openTask(handle, (t) => t.kind === 'review');
  expect(review.title).toBe(`Approve ticket ${ticketId}, its checklist passed`);
  await decide(handle, review, 'return', 'ivy.chan', { comment: 'billing contact missing' });
  await decide(handle, await openTask(handle, (t) => t.kind === 'rework'), 'resubmit', 'sam.lee');
  await decide(handle, await openTask(handle, (t) => t.kind === 'review'), 'approve', 'kenji.ito');

  await decide(handle, await openTask(handle, (t) => t.stepId === 'management-decision'), 'proceed', 'martin.cho');

  const setUp = await openTask(handle, (t) => t.stepId === 'set-up-in-odb');
  expect(hubspot.stageOf('tickets', ticketId)).toBe('Provisioning Team - provisioning and approval');
  await decide(handle, setUp, 'blocked-by-bug', 'pat.wong', { comment: 'package sync fails' });
  const bug = await openTask(handle, (t) => t.stepId === 'bug-fix');
  expect((await state(handle)).stage).toBe('bug-fix');
  await decide(handle, bug, 'fixed', 'rita.gomez');
  await decide(handle, await openTask(handle, (t) => t.stepId === 'set-up-in-odb'), 'provisioned', 'pat.wong');
  await decide(handle, await openTask(handle, (t) => t.stepId === 'odb-checklist'), 'confirm', 'pat.wong', {
    form: { 'company-name': ok, billing: ok, package: ok, numbers: ok },
  });
  await decide(handle, await openTask(handle, (t) => t.stepId === 'activation-email'), 'sent', 'ivy.chan');

  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(hubspot.stageOf('tickets', ticketId)).toBe('Completed - Approved and customer email sent');
  const decisions = (await state(handle)).audit.filter((e) => e.event === 'decision').map((e) => `${e.actor}:${e.outcome}`);
  expect(decisions).toEqual([
    'ivy.chan:confirm', 'ivy.chan:return', 'sam.lee:resubmit', 'kenji.ito:approve', 'martin.cho:proceed',
    'pat.wong:blocked-by-bug', 'rita.gomez:fixed', 'pat.wong:provisioned', 'pat.wong:confirm', 'ivy.chan:sent',
  ]);
});

it('blocks approval while a KYC item is not done: Sales completes the ticket, IOD checks again, and a rejection ends in Rejected', async () => {
  const { handle, ticketId } = await begin({ name: 'Half Done Ltd' }, false);

  const checklist = await openTask(handle, (t) => t.stepId === 'kyc-checklist');
  expect(checklist.instructions).toContain('- kyc-fields: All mandatory KYC fields on the company page are filled (automatic check failed: result.complete)');
  const all = { 'identity-documents': { ok: true, evidence: 'BR and CI copies' }, contacts: ok, csr106: ok, 'signed-sof': ok, deposit: { ok: true, evidence: 'receipt 7' } };
  await decide(handle, checklist, 'confirm', 'ivy.chan', { form: { ...all, 'kyc-fields': { ok: false, reason: 'registered address missing' } } });

  // Not done means not passed: no review opens; Sales is asked to complete the ticket, naming what is missing.
  const fix = await openTask(handle, (t) => t.stepId === 'complete-kyc');
  expect(fix).toMatchObject({ roles: ['sales'], title: `Complete ticket ${ticketId}: registered address missing` });
  expect((await state(handle)).openTasks.map((t) => t.kind)).toEqual(['task']);
  const failed = (await state(handle)).audit.filter((e) => e.event === 'item-failed');
  expect(failed).toEqual([
    expect.objectContaining({ stepId: 'kyc-checklist', actor: 'ivy.chan', detail: "'kyc-fields' (All mandatory KYC fields on the company page are filled) not done: registered address missing" }),
  ]);
  await decide(handle, fix, 'resubmitted', 'sam.lee');

  const again = await openTask(handle, (t) => t.stepId === 'kyc-checklist');
  await decide(handle, again, 'confirm', 'kenji.ito', { form: { ...all, 'kyc-fields': { ok: true } } });
  const review = await openTask(handle, (t) => t.kind === 'review');
  await decide(handle, review, 'reject', 'ivy.chan', { comment: 'customer withdrew' });

  expect(await handle.result()).toMatchObject({ status: 'rejected', reason: 'due diligence failed' });
  expect(hubspot.stageOf('tickets', ticketId)).toBe('Rejected - due diligence failed');
});

it('refuses a decision by someone without the task\'s role, and one without a reason for an item not done', async () => {
  const { handle } = await begin(KYC, false);
  const checklist = await openTask(handle, (t) => t.stepId === 'kyc-checklist');
  const form = { 'identity-documents': { ok: true, evidence: 'BR copy' }, contacts: ok, csr106: ok, 'signed-sof': ok, deposit: { ok: true, evidence: 'receipt 9' } };
  const refusal = (who: string, answers: Record<string, unknown>) =>
    handle.executeUpdate(decideUpdate, { args: [{ taskId: checklist.id, outcome: 'confirm', actor: person(who), form: answers }] }).catch((e: Error) => (e.cause as Error | undefined)?.message);
  expect(await refusal('sam.lee', form)).toBe(`role 'sales' may not decide task '${checklist.id}'; it is assigned to iod`);
  expect(await refusal('ivy.chan', { ...form, contacts: { ok: false } })).toBe("form does not match: /contacts must have required property 'reason'; /contacts must match \"then\" schema");
  expect((await state(handle)).audit.filter((e) => e.event === 'decision')).toEqual([]);
  await handle.terminate('test over');
});
