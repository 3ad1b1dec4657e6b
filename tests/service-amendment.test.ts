/**
 * The service addition / amendment / termination procedure (seed 001) with the shipped definition, on the
 * time-skipping server against the HubSpot fake: the KYC checklist with its automatic check, the IOD
 * review loop, the high-risk escalation, the provisioning / R&D loop, and the ticket's HubSpot stages.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import type { CompiledDefinition } from '../dsl/compile';
import { decideUpdate, type OpenTask } from '../workflows/messages';
import { actor, openTask, state } from './support/processes';
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

async function decide(handle: WorkflowHandle, task: OpenTask, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) {
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome, actor: actor(who, ...task.roles), ...extra }] });
}

it('takes a high-risk ticket through the checklist, a returned review, management, a bug fix and provisioning to Completed', async () => {
  const { handle, ticketId } = await begin(KYC, true);

  const checklist = await openTask(handle, (t) => t.stepId === 'kyc-checklist');
  expect(hubspot.stageOf('tickets', ticketId)).toBe('IOD Team - Check and approval');
  // The KYC fields were checked in HubSpot already; IOD confirms the rest, with evidence where required.
  expect(checklist.instructions).not.toContain('kyc-fields');
  expect(checklist.form).toMatchObject({ required: ['identity-documents', 'contacts', 'csr106', 'signed-sof', 'legal-approval', 'deposit'] });
  const ok = { ok: true };
  await decide(handle, checklist, 'confirm', 'ivy', {
    form: { 'identity-documents': { ok: true, evidence: 'BR and CI copies' }, contacts: ok, csr106: ok, 'signed-sof': ok, 'legal-approval': ok, deposit: { ok: true, evidence: 'receipt 42' } },
  });

  const review = await openTask(handle, (t) => t.kind === 'review');
  expect(review.title).toBe(`Approve ticket ${ticketId} (checklist: passed)`);
  await decide(handle, review, 'return', 'ivy', { comment: 'billing contact missing' });
  await decide(handle, await openTask(handle, (t) => t.kind === 'rework'), 'resubmit', 'sam');
  await decide(handle, await openTask(handle, (t) => t.kind === 'review'), 'approve', 'ivy');

  await decide(handle, await openTask(handle, (t) => t.stepId === 'management-decision'), 'proceed', 'max');

  const setUp = await openTask(handle, (t) => t.stepId === 'set-up-in-odb');
  expect(hubspot.stageOf('tickets', ticketId)).toBe('Provisioning Team - provisioning and approval');
  await decide(handle, setUp, 'blocked-by-bug', 'pat', { comment: 'package sync fails' });
  const bug = await openTask(handle, (t) => t.stepId === 'bug-fix');
  expect((await state(handle)).stage).toBe('bug-fix');
  await decide(handle, bug, 'fixed', 'rita');
  await decide(handle, await openTask(handle, (t) => t.stepId === 'set-up-in-odb'), 'provisioned', 'pat');
  await decide(handle, await openTask(handle, (t) => t.stepId === 'odb-checklist'), 'confirm', 'pat', {
    form: { 'company-name': ok, billing: ok, package: ok, numbers: ok },
  });
  await decide(handle, await openTask(handle, (t) => t.stepId === 'activation-email'), 'sent', 'ivy');

  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(hubspot.stageOf('tickets', ticketId)).toBe('Completed - Approved and customer email sent');
});

it('hands a failed automatic KYC check to IOD, and a rejection of an ordinary customer ends in Rejected', async () => {
  const { handle, ticketId } = await begin({ name: 'Half Done Ltd' }, false);

  const checklist = await openTask(handle, (t) => t.stepId === 'kyc-checklist');
  expect(checklist.instructions).toContain('- kyc-fields: All mandatory KYC fields on the company page are filled (automatic check failed)');
  const missing = { ok: false };
  await decide(handle, checklist, 'confirm', 'ivy', {
    form: { 'kyc-fields': missing, 'identity-documents': { ok: false, evidence: 'none uploaded' }, contacts: missing, csr106: missing, 'signed-sof': missing, 'legal-approval': missing, deposit: { ok: false, evidence: 'none' } },
  });

  const review = await openTask(handle, (t) => t.kind === 'review');
  expect(review.title).toBe(`Approve ticket ${ticketId} (checklist: has open items)`);
  await decide(handle, review, 'reject', 'ivy', { comment: 'KYC incomplete after two reminders' });

  expect(await handle.result()).toMatchObject({ status: 'rejected', reason: 'due diligence failed' });
  expect(hubspot.stageOf('tickets', ticketId)).toBe('Rejected - due diligence failed');
});
