/**
 * The demo data set `npm start` loads into its fakes on the first start (fakes/demo.ts) is enough to walk
 * every shipped process as the README's "Demo data" table does, with nothing seeded by hand: each instance
 * is started through the API from the printed ids (or by the vendor's own webhook, as `npm run cli -- fake
 * register-deal` / `submit-form` make PartnerStack and JotForm send it), every decision is sent to the API by
 * a person of config/people.yaml with an API key, and every `fake ...` step is the control route the CLI
 * calls. The fakes' webhooks point at the API as `npm start` sets them up (fakes/connect.ts). The e-mail,
 * PandaDoc, DocuSign and JotForm fakes keep what they hold across a restart, like the others.
 */
import type { WorkflowHandle } from '@temporalio/client';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createTransport } from 'nodemailer';
import { webhookSettingsFromEnv } from '../api/webhooks';
import { loadWebhookRoutes } from '../api/webhooks/routes-file';
import { loadRegistry } from '../client/definitions';
import { loadDirectory } from '../directory/load';
import { controlUrlOf, startFakes, type Sandbox } from '../fakes';
import { connectFakes } from '../fakes/connect';
import { describeDemo, loadDemoData, type DemoData } from '../fakes/demo';
import type { EmailFake } from '../fakes/email/fake';
import { channelPartnerAnswers } from '../fakes/jotform/fake';
import type { PandaDocFake } from '../fakes/pandadoc/fake';
import type { SalesforceFake } from '../fakes/salesforce/fake';
import type { SfRecord } from '../fakes/salesforce/store';
import type { InstanceState } from '../workflows/messages';
import { call, id, startTestApi, type ApiHarness } from './support/api';
import { state, terminateWhenIdle, waitFor } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let api: ApiHarness;
let demo: Partial<DemoData>;
const scratch = mkdtempSync(path.join(tmpdir(), 'demo-data-'));

beforeAll(async () => {
  // The API writes uploads where the worker's hubspot.attachFile reads them, as `npm start` shares OPS_UPLOADS_DIR.
  const uploadsDir = path.join(scratch, 'uploads');
  const [worker, registry] = await Promise.all([startTimeSkippingWorker({ OPS_UPLOADS_DIR: uploadsDir }), loadRegistry()]);
  running = worker;
  api = await startTestApi(running.client, [...registry.values()], {
    directory: loadDirectory(),
    uploadsDir,
    webhooks: webhookSettingsFromEnv(running.sandbox.env, loadWebhookRoutes()),
  });
  connectFakes(running.sandbox, api.url);
  demo = await loadDemoData(running.sandbox);
}, 180_000);

afterAll(async () => {
  await api?.close();
  await running?.stop();
  rmSync(scratch, { recursive: true, force: true });
});

/** A fake's control route, called as `npm run cli -- fake ...` calls it; the answer's body. */
async function controlOf<T = any>(sandbox: Sandbox, system: string, method: string, route: string, body?: unknown): Promise<T> {
  const answer = await call(controlUrlOf(sandbox.fake(system)), method, route, { body });
  if (answer.status >= 300) throw new Error(`${system} ${route}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body as T;
}
const control = <T = any>(system: string, route: string, body?: unknown) => controlOf<T>(running.sandbox, system, 'POST', route, body);

async function view(workflowId: string, who: string): Promise<InstanceState & { status: string }> {
  const answer = await call(api.url, 'GET', `/instances/${id(workflowId)}`, { key: api.keyOf(who) });
  if (answer.status !== 200) throw new Error(`GET ${workflowId}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Waits (real time) for the step's task (any task without one), as the person sees it through the API; says where the instance is instead. */
async function taskOf(workflowId: string, stepId: string | undefined, who: string) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const found = await view(workflowId, who).then((v) => v.openTasks.find((t) => stepId === undefined || t.stepId === stepId)).catch(() => undefined);
    if (found) return found;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const now = await view(workflowId, who);
  throw new Error(`no task ${stepId} in ${workflowId}: it is ${now.status}, open ${JSON.stringify(now.openTasks.map((t) => t.stepId))}, its audit ends ${JSON.stringify(now.audit.slice(-3))}`);
}

/** Decides the step's task through the API as the person, as `npm run cli -- decide` does. */
async function decide(workflowId: string, stepId: string, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) {
  const task = await taskOf(workflowId, stepId, who);
  const answer = await call(api.url, 'POST', `/instances/${id(workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, { key: api.keyOf(who), body: { outcome, ...extra } });
  if (answer.status !== 200) throw new Error(`${who} could not decide ${stepId} (${outcome}): ${answer.status} ${JSON.stringify(answer.body)}`);
  return task;
}

/** A file chosen in the inbox for the step's task; the upload's id goes in the form. */
async function upload(workflowId: string, stepId: string, who: string, name: string): Promise<string> {
  const task = await taskOf(workflowId, stepId, who);
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(`%PDF-1.4 ${name}`)], { type: 'application/pdf' }), name);
  const answer = await call(api.url, 'POST', `/instances/${id(workflowId)}/tasks/${encodeURIComponent(task.id)}/uploads`, { key: api.keyOf(who), body: form });
  if (answer.status !== 201) throw new Error(`${who} could not upload ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

async function start(process: string, input: Record<string, unknown>, who: string): Promise<string> {
  const answer = await call(api.url, 'POST', `/processes/${process}/instances`, { key: api.keyOf(who), body: { input } });
  if (answer.status !== 201) throw new Error(`${who} could not start ${process}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.workflowId;
}

const handle = (workflowId: string): WorkflowHandle => running.client.workflow.getHandle(workflowId);
const ended = async (workflowId: string) => {
  const { status, reason } = await handle(workflowId).result();
  return { status, reason };
};
const failures = async (workflowId: string) => (await state(handle(workflowId))).audit.filter((e) => ['failed', 'item-failed', 'incident'].includes(e.event));
const records = (type: string) => (running.fake<SalesforceFake>('salesforce').state().records as Array<SfRecord & { attributes: { type: string } }>).filter((r) => r.attributes.type === type);

it('prints the ids a user starts each process with', () => {
  const lines = describeDemo(demo);
  expect(lines).toEqual([
    expect.stringMatching(/^demo partner Acme Resellers: partnerKey part_\w+, partnerEmail ops@acme-resellers.example, owed 1250.00 USD \(rwrd_\w+\)$/),
    expect.stringMatching(/^demo partner Bright Partners: partnerKey part_\w+, partnerEmail hello@bright-partners.example, nothing owed$/),
    expect.stringMatching(/^demo service amendment: ticketId \d+, companyId \d+, dealId \d+ \(contact ada@acme.example\)$/),
    expect.stringMatching(/^demo deal registration: partnerKey part_\w+ \(Nimbus Resellers, reseller partner, deals@nimbus-resellers.example\), HubSpot companyId \d+ \(Harbour Trading Ltd, contact ben.wu@harbour-trading.example\)$/),
    expect.stringMatching(/^demo channel-partner request: organisation Green Light Solar \(Salesforce account 001\w+\), administrator ada@greenlight.example$/),
    expect.stringMatching(/^demo new reseller: Bright Dental Partners \(Salesforce account 001\w+\), owner Nina Park$/),
    expect.stringMatching(/^demo reseller deal registration: customer Contoso Dental, customerAccountId 001\w+$/),
  ]);
});

it('reseller-offboarding: the demo partner is found active in PartnerStack, the CAM gets the first task', async () => {
  const acme = demo.partners![0];
  const workflowId = await start('reseller-offboarding', {
    partnerKey: acme.key, partnerName: acme.name, partnerEmail: acme.email, cam: 'carla.mendes',
    requestedOn: '2026-12-01', requestedBy: 'partner', reason: 'Leaving the programme', salesOpsEmail: 'salesops@example.com',
  }, 'carla.mendes');
  const first = await taskOf(workflowId, undefined, 'carla.mendes');
  expect(first.stepId).not.toBe('check-partner');
  expect(await failures(workflowId)).toEqual([]);
  await terminateWhenIdle(handle(workflowId));
});

it('service-amendment: the automatic KYC checks pass on the demo customer, so IOD is asked only for the items HubSpot does not hold', async () => {
  const { ticketId, companyId, dealId } = demo.serviceAmendment!;
  const workflowId = await start('service-amendment', { ticketId, companyId, dealId, requestType: 'amendment' }, 'sam.lee');
  await decide(workflowId, 'prepare', 'submitted', 'sam.lee');
  const checklist = await taskOf(workflowId, 'kyc-checklist', 'ivy.chan');
  expect(checklist.form).toMatchObject({ required: ['identity-match', 'csr106', 'signed-sof', 'deposit'] });
  expect(await failures(workflowId)).toEqual([]);
  await terminateWhenIdle(handle(workflowId));
});

it('deal-provisioning: registered in PartnerStack (fake register-deal), the SOF signed three times in PandaDoc, numbers reserved, listed under Referral (fake add-referral): completed', async () => {
  const deal = demo.dealProvisioning!;
  const registered = await control<{ deal: { key: string; external_key: string }; delivered: { status: number } }>('partnerstack', '/deals/register', { partnerKey: deal.partnerKey, hubspotCompanyId: deal.companyId });
  expect(registered.delivered.status).toBe(200);
  const workflowId = `deal-provisioning/${registered.deal.key}`;

  // The partner's manager (a reseller partner's deal) uploads the KYC documents; the demo company holds them.
  await decide(workflowId, 'kyc-documents', 'uploaded', 'paul.kim');
  const prepare = await decide(workflowId, 'prepare-sof', 'ready', 'sara.ho', {
    form: { signatory: { email: 'paul.kim@example.com', firstName: 'Paul', lastName: 'Kim' }, salesHead: { email: 'head.of.sales@example.com', firstName: 'Hugo', lastName: 'Chan' } },
  });
  expect(prepare.instructions).toContain(deal.contactEmail); // the customer signs first: the demo contact
  const pandadoc = running.fake<PandaDocFake>('pandadoc');
  await waitFor(() => pandadoc.state().documents.some((d) => d.metadata.hubspot_deal_id === registered.deal.external_key && d.status === 'document.sent'));
  // `fake sign-document <workflow id>`, three times: the customer, the company signatory, the sales head.
  const document = pandadoc.state().documents.find((d) => d.metadata.hubspot_deal_id === registered.deal.external_key)!;
  for (let i = 0; i < 3; i++) await control('pandadoc', `/documents/${document.id}/sign`);

  await decide(workflowId, 'numbers-needed', 'reserve', 'paul.kim', { form: { reservations: [{ country: 'Hong Kong', quantity: 1 }] } });
  // The number reservation is an instance of its own, its task for IOD (`npm run cli -- tasks` lists it).
  const child = await (async () => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const found = (await handle(workflowId).describe()).raw.pendingChildren?.[0]?.workflowId;
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('no number reservation started');
  })();
  await decide(child, 'reserve', 'reserved', 'ivy.chan', { form: { numbers: ['+852 3000 0001'] } });
  const csr106 = await upload(workflowId, 'csr-106', 'paul.kim', 'CSR106 Harbour.pdf');
  await decide(workflowId, 'csr-106', 'submitted', 'paul.kim', { form: { csr106, effectiveDate: '2027-01-04' } });
  await decide(workflowId, 'kyc-approval', 'approve', 'ivy.chan');
  await decide(workflowId, 'deposit-invoice', 'issued', 'ivy.chan', { form: { invoiceNumber: 'INV-1001' } });
  const proof = await upload(workflowId, 'payment-proof', 'paul.kim', 'bank slip.pdf');
  await decide(workflowId, 'payment-proof', 'uploaded', 'paul.kim', { form: { paymentProof: proof } });
  await decide(workflowId, 'payment-confirmed', 'confirmed', 'kenji.ito');
  // PartnerStack lists the company under Referral (the instance looks at once once the deal is approved, then hourly).
  const referral = await control<{ customer_key: string; name: string }>('partnerstack', `/deals/${registered.deal.key}/referral`);
  expect(referral).toMatchObject({ customer_key: deal.companyId, name: deal.accountName });
  await decide(workflowId, 'provision', 'provisioned', 'pat.wong', { form: { activationDetails: 'admin@harbour.example / Temp-Pass-1', loginEmail: 'admin@harbour.example', loginUrl: 'https://portal.example/login' } });

  expect(await ended(workflowId)).toEqual({ status: 'completed', reason: `Harbour Trading Ltd provisioned, HubSpot deal ${registered.deal.external_key} Closed won (Approved), listed under Referral` });
  const smtp = running.fake<EmailFake>('email');
  expect(smtp.messages.filter((m) => m.envelope.to.includes(deal.contactEmail)).map((m) => m.subject)).toEqual(['Your CINNOX service for Harbour Trading Ltd is active']);
  expect(smtp.messages.filter((m) => m.envelope.to.includes(deal.partnerEmail)).map((m) => m.subject)).toEqual(['Harbour Trading Ltd is approved: see it under Referral in PartnerStack']);
  expect(await failures(workflowId)).toEqual([]);
});

it('channel-partner-request: the form submitted on JotForm (fake submit-form), the Jira task moved to Done by its label (fake move-issue): completed', async () => {
  const { company, adminEmail, accountId } = demo.channelPartner!;
  const submitted = await control<{ submission: { id: string }; delivered: { status: number } }>('jotform', '/submissions/submit', { answers: channelPartnerAnswers(company, adminEmail) });
  expect(submitted.delivered.status).toBe(200);
  const workflowId = `channel-partner-request/${submitted.submission.id}`;

  await decide(workflowId, 'choose-assignees', 'chosen', 'sofia.reyes', { form: { assignee: 'config.specialist@everbright.example', qaAssignee: 'qa.reviewer@everbright.example' } });
  expect(records('Case').filter((r) => r.AccountId === accountId)).toHaveLength(1);
  const label = `channel-partner-request-${submitted.submission.id}`;
  let issueKey = '';
  await waitFor(() => Boolean((issueKey = running.fake<import('../fakes/jira/fake').JiraFake>('jira').issues().find((i) => i.labels.includes(label))?.key ?? '')));
  // Moved to Done once the instance has looked once and is waiting: Jira's webhook reaches it through the API at once.
  for (let attempt = 0; attempt < 200; attempt++) {
    const wait = (await state(handle(workflowId))).waiting.find((w) => w.stepId === 'wait-until-done');
    if (wait && (wait.checks ?? 0) >= 1 && wait.nextCheckAt !== undefined) break;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  await control('jira', `/issues/${issueKey}/close`);
  await decide(workflowId, 'double-check', 'confirm', 'sofia.reyes', { form: { 'request-complete': { ok: true }, 'financing-options': { ok: true }, 'nothing-outstanding': { ok: true } } });
  expect(await ended(workflowId)).toEqual({ status: 'completed', reason: `${company} Channel added as a channel partner of ${company}; Ada Admin told (${issueKey})` });
  expect((await state(handle(workflowId))).audit.find((e) => e.event === 'polled')?.detail).toMatch(/^ended by event 'jira-issue-updated'/);
});

it('reseller-creation: qualified by Partnerships, the Reseller Agreement signed in DocuSign (fake sign-envelope): Closed Won and onboarded', async () => {
  const { resellerName, accountId, owner } = demo.resellerCreation!;
  const workflowId = await start('reseller-creation', { inquiryId: 'INQ-1', resellerName, contactName: 'Riley Chen', contactEmail: 'riley@brightdental.example', owner, inquiry: 'We resell practice software to 300 dental offices.' }, 'nina.park');
  await decide(workflowId, 'qualify', 'qualified', 'nina.park');
  const docusign = running.fake<import('../fakes/docusign/fake').DocuSignFake>('docusign');
  await waitFor(() => docusign.state().envelopes.some((e) => e.recipients.some((r) => r.email === 'riley@brightdental.example') && e.status === 'sent'));
  const envelope = docusign.state().envelopes.find((e) => e.recipients.some((r) => r.email === 'riley@brightdental.example'))!;
  expect((await control<{ status: number }>('docusign', `/envelopes/${envelope.envelopeId}/complete`)).status).toBe(200);
  await decide(workflowId, 'packet-delivered', 'confirm', 'nina.park', { form: { 'reseller-id': { ok: true }, 'form-embed-code': { ok: true }, 'welcome-material': { ok: true } } });
  expect(await ended(workflowId)).toMatchObject({ status: 'completed' });
  expect(records('Opportunity').filter((r) => r.AccountId === accountId).map((r) => r.StageName)).toEqual(['Closed Won']);
});

it('reseller-deal-registration: in the Pending Deal Registration Queue, rejected to Partnerships, resubmitted, approved on the demo customer account: Closed Won', async () => {
  const { customerName, customerAccountId } = demo.dealRegistration!;
  const workflowId = await start('reseller-deal-registration', {
    registrationId: 'DR-1001', resellerId: 'RS-0042', resellerName: 'Northwind Resellers', customerName, contactName: 'Dana Cole',
    contactEmail: 'dana@contoso-dental.example', products: 'OpDocs Pro x 12', amount: 14400, closeDate: '2028-01-31',
  }, 'nina.park');
  await decide(workflowId, 'review-registration', 'rejected', 'omar.haddad', { form: { reason: 'Pricing does not match the price list' } });
  await decide(workflowId, 'review-registration', 'resubmit', 'nina.park');
  await decide(workflowId, 'review-registration', 'approve', 'omar.haddad', { form: { customerAccountId } });
  expect(await ended(workflowId)).toMatchObject({ status: 'completed', reason: expect.stringMatching(/^Contoso Dental Closed Won after 2 review round\(s\)/) });
  expect(records('Opportunity').filter((r) => r.AccountId === customerAccountId).map((r) => r.StageName)).toEqual(['Closed Won']);
});

it('the vendor commands refuse unknown ids with what is wrong, leaving nothing half made', async () => {
  const refused = async (system: string, route: string, body?: unknown) => {
    const answer = await call(controlUrlOf(running.sandbox.fake(system)), 'POST', route, { body });
    return { status: answer.status, message: answer.body.message ?? answer.body };
  };
  const deals = () => running.fake<import('../fakes/partnerstack/fake').PartnerStackFake>('partnerstack').state().deals.length;
  const before = deals();
  expect(await refused('partnerstack', '/deals/register', { partnerKey: 'part_nobody', hubspotCompanyId: demo.dealProvisioning!.companyId })).toEqual({ status: 404, message: 'partnership part_nobody not found' });
  expect(await refused('partnerstack', '/deals/register', { partnerKey: demo.dealProvisioning!.partnerKey, hubspotCompanyId: '999999' }))
    .toEqual({ status: 404, message: 'HubSpot has no company 999999: give the id of the company Sales created in HubSpot' });
  expect(deals()).toBe(before);
  expect(await refused('partnerstack', '/deals/deal_nobody/referral')).toEqual({ status: 404, message: 'deal deal_nobody not found' });
  expect((await refused('pandadoc', '/documents/NoSuchDocument/sign')).status).toBe(404);
  expect((await refused('docusign', '/envelopes/no-such-envelope/complete')).status).toBe(404);
});

it('the e-mail, PandaDoc, DocuSign and JotForm fakes come back from a restart holding what they held', async () => {
  const stateDir = path.join(scratch, 'fakes');
  const first = await startFakes({}, { stateDir });
  const pandadoc = first.fake<PandaDocFake>('pandadoc');
  const [template] = pandadoc.state().templates;
  const created = await call(pandadoc.url, 'POST', '/public/v1/documents', {
    headers: { authorization: `API-Key ${pandadoc.apiKey}` },
    body: { name: 'SOF kept', template_uuid: template.id, recipients: [{ email: 'ben.wu@harbour-trading.example', first_name: 'Ben', last_name: 'Wu', role: 'Client' }] },
  });
  expect(created.status).toBe(201);
  const email = first.fake<EmailFake>('email');
  await createTransport({ host: email.host, port: email.port, secure: false, auth: { user: email.user, pass: email.password } })
    .sendMail({ from: email.from, to: 'ben.wu@harbour-trading.example', subject: 'Kept across a restart', text: 'still here', messageId: '<kept@demo.example>' });
  await controlOf(first, 'docusign', 'POST', '/templates', { name: 'Kept Agreement', roles: ['Reseller'] });
  const submission = await controlOf<{ id: string }>(first, 'jotform', 'POST', '/submissions', { answers: channelPartnerAnswers('Kept Ltd', 'kept@kept.example') });
  await first.close();

  const second = await startFakes({}, { stateDir });
  try {
    expect(second.fake<PandaDocFake>('pandadoc').state().documents.map((d) => [d.id, d.name])).toEqual([[created.body.id, 'SOF kept']]);
    expect(second.fake<EmailFake>('email').messages.map((m) => [m.messageId, m.subject])).toEqual([['<kept@demo.example>', 'Kept across a restart']]);
    expect((await controlOf<{ templates: Array<{ name: string }> }>(second, 'docusign', 'GET', '/state')).templates.map((t) => t.name)).toEqual(['Reseller Agreement', 'Kept Agreement']);
    expect((await controlOf<{ submissions: Array<{ id: string }> }>(second, 'jotform', 'GET', '/state')).submissions.map((s) => s.id)).toEqual([submission.id]);
  } finally {
    await second.close();
  }
});
