/**
 * Creating a new reseller (seed 004) walked through with the shipped definition on the time-skipping server,
 * against the Salesforce, DocuSign and SMTP fakes, through the API: decisions by people of config/people.yaml
 * with API keys, and DocuSign Connect's envelope-completed delivered to the API's webhook route. Each
 * scenario checks the opportunity, the envelope sent (template, recipient), the onboarding case, who was
 * asked, and how the instance ended. The server's clock only moves forward, so the scenarios run in order.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { DocuSignFake } from '../fakes/docusign/fake';
import type { SalesforceFake } from '../fakes/salesforce/fake';
import type { SfRecord } from '../fakes/salesforce/store';
import { webhookSettingsFromEnv } from '../api/webhooks';
import { loadWebhookRoutes } from '../api/webhooks/routes-file';
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import { loadDirectory } from '../directory/load';
import type { CompiledDefinition } from '../dsl/compile';
import type { OpenTask } from '../workflows/messages';
import { call, id, startTestApi, type ApiHarness } from './support/api';
import { notified, openTask, state } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let definition: CompiledDefinition;
let api: ApiHarness;
let salesforce: SalesforceFake;
let docusign: DocuSignFake;

beforeAll(async () => {
  [running, definition] = await Promise.all([startTimeSkippingWorker(), loadRegistry().then((r) => r.get('reseller-creation')!)]);
  salesforce = running.fake<SalesforceFake>('salesforce');
  docusign = running.fake<DocuSignFake>('docusign');
  api = await startTestApi(running.client, [definition], { directory: loadDirectory(), webhooks: webhookSettingsFromEnv(running.sandbox.env, loadWebhookRoutes()) });
  docusign.subscribe(`${api.url}/webhooks/docusign`);
}, 180_000);

afterAll(async () => {
  await api?.close();
  await running?.stop();
});

const keyOf = (who: string) => api.keyOf(who);

async function decide(handle: WorkflowHandle, match: (t: OpenTask) => boolean, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) {
  const task = await openTask(handle, match);
  const answer = await call(api.url, 'POST', `/instances/${id(handle.workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, { key: keyOf(who), body: { outcome, ...extra } });
  expect({ task: task.id, status: answer.status, body: answer.body }).toMatchObject({ task: task.id, status: 200 });
  return task;
}

const records = (type: string) => (salesforce.state().records as Array<SfRecord & { attributes: { type: string } }>).filter((r) => r.attributes.type === type);
const envelopesTo = (email: string) => docusign.state().envelopes.filter((e) => e.recipients.some((r) => r.email === email));

/** Waits (real time) until the instance has read the envelope's status `checks` times, the last read answered. */
async function polled(handle: WorkflowHandle, checks: number) {
  for (let attempt = 0; attempt < 200; attempt++) {
    // ...and its last read answered: the poll sleeps until its next read.
    if ((await state(handle)).waiting.some((w) => w.stepId === 'wait-signed' && (w.checks ?? 0) >= checks && w.nextCheckAt !== undefined)) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId} did not read the envelope ${checks} time(s)`);
}

function inquiry(inquiryId: string, resellerName: string, contactEmail: string) {
  return { inquiryId, resellerName, contactName: 'Riley Chen', contactEmail, owner: 'Nina Park', inquiry: 'We resell practice software to 300 dental offices and want to add OpDocs.' };
}

const PACKET = { 'reseller-id': { ok: true }, 'form-embed-code': { ok: true }, 'welcome-material': { ok: true } };

it('qualified, the agreement sent to the primary contact through DocuSign, signed (Connect\'s webhook), Closed Won, onboarding case opened and the packet confirmed', async () => {
  const owner = salesforce.seed('User', { Name: 'Nina Park', Email: 'nina.park@everbright.example' });
  const account = salesforce.seed('Account', { Name: 'Bright Dental Partners' });
  const handle = await startProcess(running.client, definition, inquiry('INQ-1', 'Bright Dental Partners', 'riley@brightdental.example'));

  const qualify = await openTask(handle, (t) => t.stepId === 'qualify');
  expect(qualify).toMatchObject({ roles: ['partnerships'], title: 'Qualify the partnership inquiry from Bright Dental Partners' });
  expect(await notified(handle, qualify.id)).toBe('opened: e-mailed nina.park');
  // Sales Operations may not qualify a partner.
  const refused = await call(api.url, 'POST', `/instances/${id(handle.workflowId)}/tasks/${encodeURIComponent(qualify.id)}/decision`, { key: keyOf('omar.haddad'), body: { outcome: 'qualified' } });
  expect(refused.status).toBe(403);
  await decide(handle, (t) => t.id === qualify.id, 'qualified', 'nina.park');

  // The opportunity, type New Reseller, owned by the Partnerships owner; the agreement to the primary contact.
  await polled(handle, 1);
  const [opportunity] = records('Opportunity').filter((r) => r.AccountId === account.Id);
  expect(opportunity).toMatchObject({ Name: 'Bright Dental Partners: New Reseller', Type: 'New Reseller', StageName: 'Prospecting', OwnerId: owner.Id });
  const [envelope] = envelopesTo('riley@brightdental.example');
  expect(envelope).toMatchObject({ status: 'sent', emailSubject: 'Reseller Agreement: Bright Dental Partners', recipients: [{ roleName: 'Reseller', name: 'Riley Chen', email: 'riley@brightdental.example' }] });
  expect(docusign.state().envelopes.find((e) => e.envelopeId === envelope.envelopeId)?.templateId).toBeDefined();
  expect(records('Opportunity').find((r) => r.Id === opportunity.Id)?.StageName).toBe('Prospecting'); // not won before it is signed

  // The reseller signs: DocuSign Connect reaches the instance through the API's webhook.
  expect((await docusign.complete(envelope.envelopeId)).status).toBe(200);
  const packet = await openTask(handle, (t) => t.stepId === 'packet-delivered');
  expect((await state(handle)).audit.find((e) => e.event === 'polled')?.detail).toBe("ended by event 'docusign-envelope-completed' after 1 check(s)");
  expect(records('Opportunity').find((r) => r.Id === opportunity.Id)).toMatchObject({ StageName: 'Closed Won' });
  const [onboarding] = records('Case').filter((r) => r.AccountId === account.Id);
  expect(onboarding).toMatchObject({ Subject: 'Reseller onboarding: Bright Dental Partners' });
  expect(packet.title).toBe(`The reseller information packet reached Bright Dental Partners (onboarding case ${onboarding.Id})`);
  expect(packet.instructions).toBe('- reseller-id: The Reseller ID\n- form-embed-code: The reseller form embed code (its Deal Registration Form)\n- welcome-material: Welcome material and collateral');

  await decide(handle, (t) => t.id === packet.id, 'confirm', 'nina.park', { form: PACKET });
  expect(await handle.result()).toMatchObject({ status: 'completed', reason: `Bright Dental Partners onboarded as a reseller; onboarding case ${onboarding.Id}` });
  const final = await state(handle);
  expect(final.stage).toBe('onboarding');
  expect(final.audit.filter((e) => e.event === 'task-opened').map((e) => e.stepId)).toEqual(['qualify', 'packet-delivered']);
  expect(salesforce.breaches()).toEqual([]);
  expect(docusign.breaches()).toEqual([]);
});

it('unsigned after 30 days (read daily) the owner chases the reseller and keeps waiting until it is signed; an inquiry not qualified ends at once, sending nothing', async () => {
  const account = salesforce.seed('Account', { Name: 'Slow Sign Resellers' });
  const handle = await startProcess(running.client, definition, inquiry('INQ-2', 'Slow Sign Resellers', 'pat@slowsign.example'));
  await decide(handle, (t) => t.stepId === 'qualify', 'qualified', 'nina.park');
  await polled(handle, 1);

  await running.env.sleep(30 * 86_400_000 + 60_000);
  const chase = await openTask(handle, (t) => t.stepId === 'chase-signature');
  expect(chase).toMatchObject({ roles: ['partnerships'], title: 'Slow Sign Resellers has not signed the Reseller Agreement in 30 days' });
  expect((await state(handle)).audit.filter((e) => e.event === 'task-opened').map((e) => e.stepId)).toEqual(['qualify', 'chase-signature']);
  await decide(handle, (t) => t.id === chase.id, 'keep-waiting', 'nina.park');

  // Signed at last: Connect's delivery ends the wait.
  await polled(handle, 1);
  const [envelope] = envelopesTo('pat@slowsign.example');
  expect((await docusign.complete(envelope.envelopeId)).status).toBe(200);
  await openTask(handle, (t) => t.stepId === 'packet-delivered');
  expect(records('Opportunity').find((r) => r.AccountId === account.Id)).toMatchObject({ StageName: 'Closed Won' });
  await decide(handle, (t) => t.stepId === 'packet-delivered', 'confirm', 'nina.park', { form: PACKET });
  expect(await handle.result()).toMatchObject({ status: 'completed' });

  // Not qualified: no opportunity, no agreement.
  const unqualified = await startProcess(running.client, definition, inquiry('INQ-3', 'Not A Fit Ltd', 'x@notafit.example'));
  await decide(unqualified, (t) => t.stepId === 'qualify', 'not-qualified', 'nina.park', { comment: 'Consumer retailer, not a practice software reseller' });
  expect(await unqualified.result()).toMatchObject({ status: 'rejected', reason: 'the inquiry from Not A Fit Ltd was not qualified' });
  expect(envelopesTo('x@notafit.example')).toEqual([]);
  expect(records('Opportunity').filter((r) => String(r.Name).startsWith('Not A Fit'))).toEqual([]);
});

it('withdrawn after 30 days unsigned: the instance ends cancelled with the reason, the opportunity never Closed Won', async () => {
  const account = salesforce.seed('Account', { Name: 'Never Sign Resellers' });
  const handle = await startProcess(running.client, definition, inquiry('INQ-4', 'Never Sign Resellers', 'sam@neversign.example'));
  await decide(handle, (t) => t.stepId === 'qualify', 'qualified', 'nina.park');
  await polled(handle, 1);
  await running.env.sleep(30 * 86_400_000 + 60_000);
  await decide(handle, (t) => t.stepId === 'chase-signature', 'withdraw', 'nina.park', { comment: 'The reseller chose another vendor' });
  expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'Never Sign Resellers did not sign the Reseller Agreement' });
  expect(records('Opportunity').find((r) => r.AccountId === account.Id)).toMatchObject({ StageName: 'Prospecting' });
  expect(records('Case').filter((r) => r.AccountId === account.Id)).toEqual([]);
});
