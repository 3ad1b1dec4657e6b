/**
 * The service addition / amendment / termination procedure (seed 001) walked branch by branch with the
 * shipped definition, on the time-skipping server against the HubSpot and SMTP fakes. Every decision is
 * taken by a named person of config/people.yaml with only the roles the directory gives them. Each scenario
 * checks the ticket's HubSpot stages in order, who was asked to decide, the e-mail sent, and how it ended.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { EmailFake } from '../fakes/email/fake';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import { loadDirectory } from '../directory/load';
import type { CompiledDefinition } from '../dsl/compile';
import { decideUpdate, type OpenTask } from '../workflows/messages';
import { openTask, person, state } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let definition: CompiledDefinition;
let hubspot: HubSpotFake;
let smtp: EmailFake;

beforeAll(async () => {
  [running, definition] = await Promise.all([startTimeSkippingWorker(), loadRegistry().then((r) => r.get('service-amendment')!)]);
  hubspot = running.fake<HubSpotFake>('hubspot');
  smtp = running.fake<EmailFake>('email');
}, 180_000);

afterAll(() => running?.stop());

const directory = loadDirectory();
/** What the process itself e-mailed, leaving out the task e-mails to the people of the directory. */
const sent = () => smtp.messages.filter((m) => !m.envelope.to.every((address) => directory.personByEmail(address)));

beforeEach(() => {
  smtp.messages.length = 0;
});

const PIPELINE = 'CINNOX service addition / amendment / termination';
const DRAFT = 'Sales - Draft / Returned';
const IOD = 'IOD Team - Check and approval';
const PROVISIONING = 'Provisioning Team - provisioning and approval';
const RND = 'R&D/Product Team - Bug Fix/Improvement';
const KYC = { name: 'Acme Ltd', business_registration_number: 'BR-123', registered_address: '1 Queen St', country: 'Hong Kong' };
const CONTACT = { email: 'ada@acme.example', firstname: 'Ada', lastname: 'Lam', phone: '+852 5555 0101', jobtitle: 'IT manager' };

async function hubspotApi(method: string, path: string): Promise<unknown> {
  const response = await fetch(`${hubspot.url}${path}`, { method, headers: { authorization: `Bearer ${hubspot.accessToken}` } });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response.json();
}

/** A ticket as Sales create it, in "Sales - Draft / Returned" (ids from the pipelines API). */
async function draftTicket(): Promise<string> {
  const { results } = (await hubspotApi('GET', '/crm/v3/pipelines/tickets')) as { results: { id: string; label: string; stages: { id: string; label: string }[] }[] };
  const pipeline = results.find((p) => p.label === PIPELINE)!;
  const draft = pipeline.stages.find((s) => s.label === DRAFT)!;
  return hubspot.seedRecord('tickets', { subject: 'Add 20 seats', hs_pipeline: pipeline.id, hs_pipeline_stage: draft.id });
}

interface Customer {
  company?: Record<string, string>;
  files?: string[];
  contact?: Record<string, string>;
}

let customers = 0;

/** The customer as HubSpot holds it: company (with its files), deal associated with it and its contact. */
async function customer({ company = KYC, files = ['BR copy.pdf', 'CI copy.pdf'], contact = CONTACT}: Customer = {}) {
  const seeded = hubspot.seedCompany({ properties: company, files });
  const dealId = hubspot.seedRecord('deals', { dealname: 'Acme Ltd: 20 seats' });
  // HubSpot keeps one contact per e-mail address, so each scenario's contact has its own.
  const email = contact.email.replace('@', `+${++customers}@`);
  const contactId = hubspot.seedRecord('contacts', { ...contact, email });
  await hubspotApi('PUT', `/crm/v4/objects/deals/${dealId}/associations/default/companies/${seeded.id}`);
  await hubspotApi('PUT', `/crm/v4/objects/deals/${dealId}/associations/default/contacts/${contactId}`);
  return { companyId: seeded.id, dealId, contactId, email };
}

async function begin(ids: { companyId: string; dealId: string }, extra: Record<string, unknown> = {}) {
  const ticketId = await draftTicket();
  const handle = await startProcess(running.client, definition, { ticketId, companyId: ids.companyId, dealId: ids.dealId, requestType: 'addition', ...extra });
  return { handle, ticketId };
}

/** The stages the ticket was moved to, in order, as HubSpot received the updates. */
async function movesOf(ticketId: string): Promise<string[]> {
  const { results } = (await hubspotApi('GET', '/crm/v3/pipelines/tickets')) as { results: { label: string; stages: { id: string; label: string }[] }[] };
  const labels = new Map(results.find((p) => p.label === PIPELINE)!.stages.map((s) => [s.id, s.label]));
  return hubspot.journal
    .filter((e) => e.method === 'PATCH' && e.path === `/crm/v3/objects/tickets/${ticketId}`)
    .map((e) => (e.body as { properties?: { hs_pipeline_stage?: string } }).properties?.hs_pipeline_stage)
    .filter((id): id is string => id !== undefined)
    .map((id) => labels.get(id) ?? id);
}

/** Waits for a step's task (another than `previous`) and decides it as a person of the directory. */
function walker(handle: WorkflowHandle) {
  return {
    async task(stepId: string, previous?: OpenTask): Promise<OpenTask> {
      return openTask(handle, (t) => t.stepId === stepId && t.id !== previous?.id);
    },
    async decide(stepId: string, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}): Promise<OpenTask> {
      const task = await this.task(stepId);
      await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome, actor: person(who), ...extra }] });
      return task;
    },
  };
}

async function refused(handle: WorkflowHandle, task: OpenTask, outcome: string, who: string): Promise<string | undefined> {
  const error = await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome, actor: person(who) }] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause?.message;
}

/** How the instance ended, and the stage it ended in. */
async function ended(handle: WorkflowHandle) {
  const { status, reason } = await handle.result();
  return { status, reason, stage: (await state(handle)).stage };
}

async function asked(handle: WorkflowHandle): Promise<string[]> {
  return (await state(handle)).audit.filter((e) => e.event === 'task-opened').map((e) => `${e.stepId}: ${e.detail}`);
}

const ok = { ok: true };
/** IOD's answers for the items HubSpot does not hold (legal approval only applies when the T&C changed). */
const IOD_ITEMS = { 'identity-match': { ok: true, evidence: 'BR-123 and CI match name and region' }, csr106: ok, 'signed-sof': ok, deposit: { ok: true, evidence: 'receipt 42' } };
const ODB_ITEMS = { 'company-name': ok, billing: ok, package: ok, numbers: ok };
/** IOD's Monday.com item tracing the provisioning (footnote #), with its link. */
const MONDAY = { 'monday-item': { ok: true, evidence: 'https://m800-cast.monday.com/boards/2950676364/pulses/7001' } };

it('an ordinary ticket: returned by IOD, returned by provisioning, a bug fix and an ODB item not done, then activated by template e-mail and Completed', async () => {
  const ids = await customer();
  const { handle, ticketId } = await begin(ids);
  const walk = walker(handle);

  await walk.decide('prepare', 'submitted', 'sam.lee');
  // HubSpot answered deal-company, KYC fields, identity files and contacts: IOD confirms only the rest.
  const checklist = await walk.task('kyc-checklist');
  expect(checklist).toMatchObject({ roles: ['iod'], form: { required: ['identity-match', 'csr106', 'signed-sof', 'deposit'] } });
  await walk.decide('kyc-checklist', 'confirm', 'ivy.chan', { form: IOD_ITEMS });

  // Sales may not approve their own ticket.
  const approval = await walk.task('iod-approval');
  expect(approval.outcomes).toEqual(['approve', 'return', 'reject', 'high-risk']);
  expect(await refused(handle, approval, 'approve', 'sam.lee')).toBe(`role 'sales' may not decide task '${approval.id}'; it is assigned to iod`);
  await walk.decide('iod-approval', 'return', 'ivy.chan', { comment: 'billing contact missing on the CSR form' });

  const again = await walk.task('prepare');
  expect(again.instructions).toBe('Returned by ivy.chan: billing contact missing on the CSR form');
  await walk.decide('prepare', 'submitted', 'sam.lee');
  await walk.decide('kyc-checklist', 'confirm', 'kenji.ito', { form: IOD_ITEMS });
  await walk.decide('iod-approval', 'approve', 'kenji.ito');
  const monday = await walk.decide('track-in-monday', 'confirm', 'kenji.ito', { form: MONDAY });
  expect(monday).toMatchObject({ kind: 'checklist', roles: ['iod'] });
  expect(monday.instructions).toBe('- monday-item: A new item for this ticket on the Monday.com board https://m800-cast.monday.com/boards/2950676364 (give its link)');

  await walk.decide('set-up-in-odb', 'return-to-sales', 'pat.wong', { comment: 'CSR form lists 25 seats, the deal 20' });
  expect((await walk.task('prepare')).instructions).toBe('Returned by pat.wong: CSR form lists 25 seats, the deal 20');
  await walk.decide('prepare', 'submitted', 'sam.lee');
  await walk.decide('kyc-checklist', 'confirm', 'ivy.chan', { form: IOD_ITEMS });
  await walk.decide('iod-approval', 'approve', 'ivy.chan');
  await walk.decide('track-in-monday', 'confirm', 'ivy.chan', { form: MONDAY });

  await walk.decide('set-up-in-odb', 'blocked-by-bug', 'pat.wong', { comment: 'package sync fails' });
  const bug = await walk.decide('bug-fix', 'fixed', 'rita.gomez');
  expect(bug).toMatchObject({ roles: ['rnd'], title: `Fix the provisioning bug on ticket ${ticketId}: package sync fails` });
  await walk.decide('set-up-in-odb', 'provisioned', 'pat.wong');
  // A setting that does not match sends the ticket back to the set-up, not on to the customer.
  await walk.decide('odb-checklist', 'confirm', 'pat.wong', { form: { ...ODB_ITEMS, numbers: { ok: false, reason: '2 of 5 virtual numbers missing' } } });
  await walk.decide('set-up-in-odb', 'provisioned', 'pat.wong');
  await walk.decide('odb-checklist', 'confirm', 'pat.wong', { form: ODB_ITEMS });
  await walk.decide('activation-details', 'ready', 'pat.wong', { form: { loginEmail: 'admin@acme.example', loginUrl: 'https://portal.example/login' } });

  expect(await ended(handle)).toEqual({ status: 'completed', reason: `ticket ${ticketId} provisioned and the customer's activation e-mail sent`, stage: 'completed' });
  expect(await movesOf(ticketId)).toEqual([IOD, DRAFT, IOD, PROVISIONING, DRAFT, IOD, PROVISIONING, RND, PROVISIONING, 'Completed - Approved and customer email sent']);
  expect(sent().map((m) => [m.from, m.to, m.subject])).toEqual([[smtp.from, ids.email, 'Your CINNOX service for Acme Ltd is active']]);
  expect(sent()[0].text).toContain('Dear Ada Lam,');
  expect(sent()[0].text).toContain('Sign in at https://portal.example/login with the administrator login admin@acme.example.');
  const trail = await state(handle);
  expect(trail.audit).toContainEqual(expect.objectContaining({ event: 'item-failed', stepId: 'odb-checklist', actor: 'pat.wong', detail: "'numbers' (Virtual numbers set up as on the CSR form) not done: 2 of 5 virtual numbers missing" }));
  expect((await asked(handle)).filter((line) => line.startsWith('iod-approval') || line.startsWith('management'))).toEqual([
    'iod-approval: assigned to iod', 'iod-approval: assigned to iod', 'iod-approval: assigned to iod',
  ]);
});

it('a failed HubSpot check returns the ticket to Sales with what failed, before IOD is asked, as often as it fails', async () => {
  const ids = await customer({ company: { name: 'Half Done Ltd', country: 'Hong Kong' }, files: [], contact: { email: 'bo@half.example', firstname: 'Bo' } });
  const { handle, ticketId } = await begin(ids);
  const walk = walker(handle);

  const first = await walk.decide('prepare', 'submitted', 'sam.lee');
  const returned = await walk.task('prepare', first);
  expect(returned.instructions).toBe(
    'Returned by the KYC checklist: kyc-fields (automatic check failed: result.complete); identity-documents (automatic check failed: result.count > 0); contacts (automatic check failed: result.complete)',
  );

  // Sales completes the company page and the contact in HubSpot, but attaches no identity documents.
  hubspot.setProperties('companies', ids.companyId, KYC);
  hubspot.setProperties('contacts', ids.contactId, { ...CONTACT, email: ids.email });
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: returned.id, outcome: 'submitted', actor: person('sam.lee') }] });
  const stillMissing = await walk.task('prepare', returned);
  expect(stillMissing.instructions).toBe('Returned by the KYC checklist: identity-documents (automatic check failed: result.count > 0)');

  expect(await movesOf(ticketId)).toEqual([IOD, DRAFT, IOD, DRAFT]);
  expect(await asked(handle)).toEqual(['prepare: assigned to sales', 'prepare: assigned to sales', 'prepare: assigned to sales']);
  const failures = (await state(handle)).audit.filter((e) => e.event === 'item-failed').map((e) => e.detail);
  expect(failures).toEqual([
    "'kyc-fields' (All mandatory KYC fields on the company page are filled) not done: automatic check failed: result.complete",
    "'identity-documents' (Identity documents (BR copy, CI copy) are attached on the company page) not done: automatic check failed: result.count > 0",
    "'contacts' (The deal has its contacts, each with email, name, phone and role) not done: automatic check failed: result.complete",
    "'identity-documents' (Identity documents (BR copy, CI copy) are attached on the company page) not done: automatic check failed: result.count > 0",
  ]);
});

it('a customer Sales flagged high risk and IOD rejects is management\'s call: management rejects, the ticket ends Rejected', async () => {
  const ids = await customer();
  const { handle, ticketId } = await begin(ids, { highRisk: true, termsChanged: true });
  const walk = walker(handle);

  await walk.decide('prepare', 'submitted', 'sam.lee');
  // The T&C changed: legal approval is one of IOD's items.
  const checklist = await walk.task('kyc-checklist');
  expect(checklist.form).toMatchObject({ required: ['identity-match', 'csr106', 'signed-sof', 'legal-approval', 'deposit'] });
  await walk.decide('kyc-checklist', 'confirm', 'ivy.chan', { form: { ...IOD_ITEMS, 'legal-approval': ok } });
  await walk.decide('iod-approval', 'reject', 'ivy.chan', { comment: 'sanctions screening hit' });

  const management = await walk.task('management-decision');
  expect(management).toMatchObject({ roles: ['management'], instructions: 'IOD (ivy.chan) chose reject: sanctions screening hit.' });
  expect(await refused(handle, management, 'proceed', 'ivy.chan')).toBe(`role 'iod' may not decide task '${management.id}'; it is assigned to management`);
  await walk.decide('management-decision', 'reject', 'martin.cho', { comment: 'confirmed: do not onboard' });

  expect(await ended(handle)).toEqual({ status: 'rejected', reason: 'due diligence failed', stage: 'rejected' });
  expect(await movesOf(ticketId)).toEqual([IOD, 'Rejected - due diligence failed']);
  expect(sent()).toEqual([]);
  expect(await asked(handle)).toEqual([
    'prepare: assigned to sales', 'kyc-checklist: assigned to iod', 'iod-approval: assigned to iod', 'management-decision: assigned to management',
  ]);
});

it('IOD raises high risk during its check; management lets it proceed; IOD still approves before provisioning', async () => {
  const ids = await customer();
  const { handle, ticketId } = await begin(ids);
  const walk = walker(handle);

  await walk.decide('prepare', 'submitted', 'sam.lee');
  await walk.decide('kyc-checklist', 'confirm', 'ivy.chan', { form: IOD_ITEMS });
  await walk.decide('iod-approval', 'high-risk', 'ivy.chan', { comment: 'shareholder on a watch list' });
  await walk.decide('management-decision', 'proceed', 'martin.cho');
  const approval = await walk.task('iod-approval-after-management');
  expect(hubspot.stageOf('tickets', ticketId)).toBe(IOD); // not provisioned on management's word alone
  await walk.decide('iod-approval-after-management', 'approve', 'kenji.ito');
  await walk.decide('track-in-monday', 'confirm', 'kenji.ito', { form: MONDAY });
  await walk.task('set-up-in-odb');

  expect(approval.roles).toEqual(['iod']);
  expect(await movesOf(ticketId)).toEqual([IOD, PROVISIONING]);
  expect(await asked(handle)).toEqual([
    'prepare: assigned to sales', 'kyc-checklist: assigned to iod', 'iod-approval: assigned to iod', 'management-decision: assigned to management',
    'iod-approval-after-management: assigned to iod', 'track-in-monday: assigned to iod', 'set-up-in-odb: assigned to provisioning',
  ]);
});

it('after three returns IOD must approve or reject (the cap rejects nobody); a reject of an ordinary customer ends Rejected', async () => {
  const ids = await customer();
  const { handle, ticketId } = await begin(ids);
  const walk = walker(handle);

  for (let round = 1; round <= 3; round++) {
    await walk.decide('prepare', 'submitted', 'sam.lee');
    await walk.decide('kyc-checklist', 'confirm', 'ivy.chan', { form: IOD_ITEMS });
    await walk.decide('iod-approval', 'return', 'ivy.chan', { comment: `round ${round}: quotation unsigned` });
  }
  await walk.decide('prepare', 'submitted', 'sam.lee');
  await walk.decide('kyc-checklist', 'confirm', 'ivy.chan', { form: IOD_ITEMS });
  const final = await walk.task('iod-final-decision');
  expect(final).toMatchObject({ roles: ['iod'], outcomes: ['approve', 'reject', 'high-risk'] });
  expect((await state(handle)).status).toBe('running');
  await walk.decide('iod-final-decision', 'reject', 'ivy.chan', { comment: 'quotation never signed' });

  expect(await ended(handle)).toEqual({ status: 'rejected', reason: 'due diligence failed', stage: 'rejected' });
  expect(await movesOf(ticketId)).toEqual([IOD, DRAFT, IOD, DRAFT, IOD, DRAFT, IOD, 'Rejected - due diligence failed']);
});

it('a termination names its type in every task, terminates the service in ODB and completes the ticket without an activation e-mail', async () => {
  const ids = await customer();
  const { handle, ticketId } = await begin(ids, { requestType: 'termination' });
  const walk = walker(handle);

  const prepare = await walk.decide('prepare', 'submitted', 'sam.lee');
  expect(prepare.title).toBe(`Prepare service termination ticket ${ticketId} against the KYC and provisioning checklist`);
  expect((await walk.decide('kyc-checklist', 'confirm', 'ivy.chan', { form: IOD_ITEMS })).title).toBe(`KYC and provisioning checklist for service termination ticket ${ticketId}`);
  expect((await walk.decide('iod-approval', 'approve', 'ivy.chan')).title).toBe(`Approve service termination ticket ${ticketId}; its checklist passed`);
  await walk.decide('track-in-monday', 'confirm', 'ivy.chan', { form: MONDAY });
  expect((await walk.decide('set-up-in-odb', 'provisioned', 'pat.wong')).title).toBe(`Terminate the service of ticket ${ticketId} in ODB`);
  await walk.decide('odb-checklist', 'confirm', 'pat.wong', { form: ODB_ITEMS });

  expect(await ended(handle)).toEqual({ status: 'completed', reason: `ticket ${ticketId}: the service terminated in ODB`, stage: 'completed' });
  expect(await movesOf(ticketId)).toEqual([IOD, PROVISIONING, 'Completed - Approved and customer email sent']);
  expect(sent()).toEqual([]);
  expect((await asked(handle)).map((line) => line.split(':')[0])).toEqual(['prepare', 'kyc-checklist', 'iod-approval', 'track-in-monday', 'set-up-in-odb', 'odb-checklist']);
});

it('refuses a start without the request type, naming the field', async () => {
  const ids = await customer();
  const ticketId = await draftTicket();
  const refusal = await startProcess(running.client, definition, { ticketId, companyId: ids.companyId, dealId: ids.dealId }).catch((e: unknown) => e);
  expect(refusal).toMatchObject({ name: 'InvalidInputError', problems: [expect.objectContaining({ field: 'requestType' })] });
});
