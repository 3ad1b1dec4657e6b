/**
 * The reseller deal registration (seed 004, "Closing a Reseller Opportunity") walked through with the shipped
 * definition on the time-skipping server, against the Salesforce and SMTP fakes, through the API: decisions
 * are sent by people of config/people.yaml with API keys. Each scenario checks the opportunity as Salesforce
 * holds it after every change (stage, owner, rejected reason, notes), who was asked and who was e-mailed,
 * the onboarding case, and how the instance ended.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { EmailFake } from '../fakes/email/fake';
import type { SalesforceFake } from '../fakes/salesforce/fake';
import type { SfRecord } from '../fakes/salesforce/store';
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import { loadDirectory } from '../directory/load';
import type { CompiledDefinition } from '../dsl/compile';
import type { OpenTask } from '../workflows/messages';
import { call, id, startTestApi, type ApiHarness } from './support/api';
import { openTask, state, terminateWhenIdle, waitFor } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let definition: CompiledDefinition;
let api: ApiHarness;
let salesforce: SalesforceFake;
let smtp: EmailFake;

beforeAll(async () => {
  [running, definition] = await Promise.all([startTimeSkippingWorker(), loadRegistry().then((r) => r.get('reseller-deal-registration')!)]);
  salesforce = running.fake<SalesforceFake>('salesforce');
  smtp = running.fake<EmailFake>('email');
  api = await startTestApi(running.client, [definition], { directory: loadDirectory() });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await running?.stop();
});

const keyOf = (who: string) => api.keyOf(who);

/** Decides the step's task (another than `previous`) through the API as the person; returns the task and the answer. */
async function decide(handle: WorkflowHandle, match: (t: OpenTask) => boolean, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) {
  const task = await openTask(handle, match);
  const answer = await call(api.url, 'POST', `/instances/${id(handle.workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, { key: keyOf(who), body: { outcome, ...extra } });
  return { task, answer };
}

type Opportunity = SfRecord & { StageName: string; OwnerId: string; Description: string; Reseller_Rejected_Reason__c?: string; AccountId?: string };
const opportunity = () => (salesforce.state().records as Array<SfRecord & { attributes: { type: string } }>).filter((r) => r.attributes.type === 'Opportunity').at(-1) as unknown as Opportunity;

/** Subjects of the e-mails Sales Operations (omar.haddad) received, task e-mails included. */
const toSalesOps = () => smtp.messages.filter((m) => m.envelope.to.includes('omar.haddad@example.com')).map((m) => m.subject);

const REGISTRATION = {
  resellerId: 'RS-0042',
  resellerName: 'Northwind Resellers',
  customerName: 'Contoso Dental',
  contactName: 'Dana Cole',
  contactEmail: 'dana@contoso-dental.example',
  products: 'OpDocs Pro x 12',
  amount: 14_400,
  closeDate: '2028-01-31',
};

it('rejected with a reason to Partnerships, resubmitted to the queue and reviewed again, twice, then Closed Won on the customer\'s account with its onboarding case; Sales Operations told of each change', async () => {
  const queue = salesforce.seed('User', { Name: 'Pending Deal Registration Queue', Email: 'deal-queue@everbright.example' });
  const team = salesforce.seed('User', { Name: 'Partnership Team', Email: 'partnerships@everbright.example' });
  const customer = salesforce.seed('Account', { Name: 'Contoso Dental' });
  smtp.messages.length = 0;
  const handle = await startProcess(running.client, definition, { registrationId: 'DR-1001', ...REGISTRATION });
  expect(handle.workflowId).toBe('reseller-deal-registration/DR-1001');

  // Steps 1-3: a "New Customer - Reseller" opportunity owned by the queue.
  const review = await openTask(handle, (t) => t.kind === 'review');
  expect(opportunity()).toMatchObject({ Name: 'Contoso Dental (registered by Northwind Resellers)', Type: 'New Customer - Reseller', StageName: 'Prospecting', OwnerId: queue.Id, Amount: 14_400, CloseDate: '2028-01-31' });
  expect(review).toMatchObject({ roles: ['sales-ops'], outcomes: ['approve', 'rejected'], labels: { approve: 'Approve (Closed Won)', rejected: 'Rejected (to Partnerships)' } });

  // Partnerships may not review; a rejection needs its reason, an approval the customer's account.
  expect((await decide(handle, (t) => t.id === review.id, 'approve', 'nina.park')).answer.status).toBe(403);
  const noReason = await decide(handle, (t) => t.id === review.id, 'rejected', 'omar.haddad', { form: {} });
  expect(noReason.answer).toMatchObject({ status: 400, body: { errors: [{ field: 'body.form.reason' }] } });
  const noAccount = await decide(handle, (t) => t.id === review.id, 'approve', 'omar.haddad', { form: {} });
  expect(noAccount.answer).toMatchObject({ status: 400, body: { errors: [{ field: 'body.form.customerAccountId' }] } });

  // Rejected: stage Rejected, the reason, assigned to the Partnership Team; notes say why.
  const first = await decide(handle, (t) => t.id === review.id, 'rejected', 'omar.haddad', { form: { reason: 'Pricing below the reseller floor', notes: 'Quote 3 of 5' } });
  expect(first.answer.status).toBe(200);
  const rework = await openTask(handle, (t) => t.kind === 'rework');
  expect(rework).toMatchObject({ roles: ['partnerships'], instructions: 'Returned by the reviewer: reason: Pricing below the reseller floor' });
  expect(opportunity()).toMatchObject({ StageName: 'Rejected', OwnerId: team.Id, Reseller_Rejected_Reason__c: 'Pricing below the reseller floor' });
  expect(opportunity().Description).toContain('Rejected in round 1 by Sales Operations: Pricing below the reseller floor (Quote 3 of 5)');
  expect((await state(handle)).stage).toBe('partnerships');

  // Partnerships resolve it with the reseller and resubmit: back in the queue, Sales Operations told to reprocess.
  expect((await decide(handle, (t) => t.id === rework.id, 'resubmit', 'nina.park')).answer.status).toBe(200);
  const second = await openTask(handle, (t) => t.kind === 'review' && t.id !== review.id);
  expect(opportunity()).toMatchObject({ StageName: 'Prospecting', OwnerId: queue.Id });
  expect(opportunity().Description).toContain('Resubmitted by Partnerships after round 1');

  // A second rejection and resubmission: no round cap.
  await decide(handle, (t) => t.id === second.id, 'rejected', 'omar.haddad', { form: { reason: 'Products missing the seat count' } });
  await decide(handle, (t) => t.kind === 'rework' && t.id !== rework.id, 'resubmit', 'nina.park');
  const third = await openTask(handle, (t) => t.kind === 'review' && ![review.id, second.id].includes(t.id));
  expect(third.outcomes).toEqual(['approve', 'rejected']);

  // Approved: Closed Won on the customer's account; the onboarding case opens there.
  expect((await decide(handle, (t) => t.id === third.id, 'approve', 'omar.haddad', { form: { customerAccountId: customer.Id } })).answer.status).toBe(200);
  const result = await handle.result();
  expect(result).toMatchObject({ status: 'completed' });
  expect(opportunity()).toMatchObject({ StageName: 'Closed Won', OwnerId: queue.Id, AccountId: customer.Id });
  const cases = (salesforce.state().records as Array<SfRecord & { attributes: { type: string } }>).filter((r) => r.attributes.type === 'Case' && r.AccountId === customer.Id);
  expect(cases).toEqual([expect.objectContaining({ Subject: 'Onboarding: Contoso Dental (registered by Northwind Resellers)', Origin: 'Web' })]);
  expect(result.reason).toBe(`Contoso Dental Closed Won after 3 review round(s); onboarding case ${cases[0].Id}`);

  // Sales Operations heard of every change, in order (besides the e-mails about their review tasks).
  await waitFor(() => toSalesOps().some((s) => s.startsWith('Deal registration Closed Won')));
  expect(toSalesOps().filter((s) => s.startsWith('Deal registration'))).toEqual([
    'Deal registration in the Pending Deal Registration Queue: Contoso Dental',
    'Deal registration rejected, with Partnerships: Contoso Dental',
    'Deal registration resubmitted, please reprocess: Contoso Dental',
    'Deal registration rejected, with Partnerships: Contoso Dental',
    'Deal registration resubmitted, please reprocess: Contoso Dental',
    'Deal registration Closed Won: Contoso Dental',
  ]);
  const trail = (await state(handle)).audit;
  expect(trail.filter((e) => e.event === 'decision').map((e) => `${e.actor}:${e.outcome}`)).toEqual([
    'omar.haddad:rejected', 'nina.park:resubmit', 'omar.haddad:rejected', 'nina.park:resubmit', 'omar.haddad:approve',
  ]);
  expect((await state(handle)).stage).toBe('closed-won');
  expect(salesforce.breaches()).toEqual([]);
});

it('without the queue\'s user in Salesforce the registration waits in an incident for Sales Operations, and nothing is created until it is there', async () => {
  // An org whose queue user has another name than the definition's `queueOwner` (a copy names it here).
  const renamed = await loadRegistry().then((r) => r.get('reseller-deal-registration')!);
  const copy: CompiledDefinition = { ...renamed, variables: { ...renamed.variables, queueOwner: 'Deal Registration Queue (new)' } };
  const handle = await startProcess(running.client, copy, { registrationId: 'DR-1002', ...REGISTRATION, customerName: 'Fabrikam Clinics' });
  const incident = await openTask(handle, (t) => t.kind === 'incident');
  expect(incident).toMatchObject({ stepId: 'create-opportunity', roles: ['sales-ops'] });
  expect(incident.title).toContain('no Salesforce user named "Deal Registration Queue (new)"');
  const before = (salesforce.state().records as Array<SfRecord & { attributes: { type: string } }>).filter((r) => r.attributes.type === 'Opportunity' && String(r.Name).startsWith('Fabrikam'));
  expect(before).toEqual([]);

  const queue = salesforce.seed('User', { Name: 'Deal Registration Queue (new)', Email: 'new-queue@everbright.example' });
  expect((await decide(handle, (t) => t.id === incident.id, 'retry', 'omar.haddad')).answer.status).toBe(200);
  await openTask(handle, (t) => t.kind === 'review');
  expect(opportunity()).toMatchObject({ Name: 'Fabrikam Clinics (registered by Northwind Resellers)', OwnerId: queue.Id, StageName: 'Prospecting' });
  await terminateWhenIdle(handle);
});
