/**
 * PartnerStack deal registration and provisioning (seed 000) walked branch by branch with the shipped
 * definitions, on the time-skipping server against the PartnerStack, HubSpot, PandaDoc and SMTP fakes, with
 * the API in front as `npm start` serves it: the registration arrives as PartnerStack's deal.created webhook,
 * PandaDoc's state changes through its webhook route, and every decision and upload is made through the API
 * by a person of config/people.yaml with the roles the directory gives them. Each scenario checks the
 * ticket's stages in order, the SOF's signers in order, the files attached, who was asked and e-mailed,
 * and how the instance ended.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PartnerStackClient } from '../activities/partnerstack/client';
import { PartnerStackConfigSchema } from '../activities/partnerstack/config';
import { loadWebhookRoutes } from '../api/webhooks/routes-file';
import { loadRegistry } from '../client/definitions';
import { loadDirectory } from '../directory/load';
import type { EmailFake } from '../fakes/email/fake';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import type { PandaDocFake } from '../fakes/pandadoc/fake';
import type { PartnerStackFake } from '../fakes/partnerstack/fake';
import type { InstanceState, OpenTask } from '../workflows/messages';
import { call, id, startTestApi, type ApiHarness } from './support/api';
import { notified, openTask, state, terminateWhenIdle, waitFor } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let env: TestWorkflowEnvironment;
let api: ApiHarness;
let partnerstack: PartnerStackFake;
let hubspot: HubSpotFake;
let pandadoc: PandaDocFake;
let smtp: EmailFake;
let virtualSalesGroup: string;

const directory = loadDirectory();

beforeAll(async () => {
  // The API writes uploads where the worker's hubspot.attachFile reads them.
  const uploadsDir = path.join(mkdtempSync(path.join(tmpdir(), 'deal-provisioning-')), 'uploads');
  const [worker, registry] = await Promise.all([startTimeSkippingWorker({ OPS_UPLOADS_DIR: uploadsDir }), loadRegistry()]);
  running = worker;
  env = running.env;
  partnerstack = running.fake<PartnerStackFake>('partnerstack');
  hubspot = running.fake<HubSpotFake>('hubspot');
  pandadoc = running.fake<PandaDocFake>('pandadoc');
  smtp = running.fake<EmailFake>('email');
  api = await startTestApi(running.client, [registry.get('deal-provisioning')!, registry.get('number-reservation')!], {
    directory,
    uploadsDir,
    webhooks: {
      routes: loadWebhookRoutes(),
      partnerstack: {
        token: partnerstack.webhookToken,
        client: new PartnerStackClient(PartnerStackConfigSchema.parse({ publicKey: partnerstack.publicKey, secretKey: partnerstack.secretKey, baseUrl: partnerstack.url })),
      },
      pandadocKey: pandadoc.webhookKey,
    },
  });
  pandadoc.subscribe(`${api.url}/webhooks/pandadoc`);
  virtualSalesGroup = partnerstack.seedGroup('Individual Virtual Sales').key;
}, 180_000);

afterAll(async () => {
  await api?.close();
  await running?.stop();
});

beforeEach(() => {
  smtp.messages.length = 0;
});

/** What the process itself e-mailed, leaving out the task e-mails to the people of the directory. */
const sent = () => smtp.messages.filter((m) => !m.envelope.to.every((address) => directory.personByEmail(address)));

const TICKETS = 'PartnerStack Deal Registration and Provisioning';
const SALES = 'Sales - KYC and pandadoc contract issuance';
const IOD = 'IOD - KYC approval and deposit invoice issuance';
const PROVISIONING = 'Provisioning Team - Provisioning and approval';
const COMPLETED = 'Completed - Approved and customer email sent';
const REJECTED = 'Rejected - due diligence failed';
const SIGNATORY = { email: 'vera.lopez@example.com', firstName: 'Vera', lastName: 'Lopez' };
const SALES_HEAD = { email: 'head.of.sales@example.com', firstName: 'Hugo', lastName: 'Chan' };

async function hubspotApi(method: string, route: string): Promise<unknown> {
  const response = await fetch(`${hubspot.url}${route}`, { method, headers: { authorization: `Bearer ${hubspot.accessToken}` } });
  if (!response.ok) throw new Error(`${method} ${route}: ${response.status} ${await response.text()}`);
  return response.json();
}

async function stageIds(type: 'deals' | 'tickets', pipelineLabel: string) {
  const { results } = (await hubspotApi('GET', `/crm/v3/pipelines/${type}`)) as { results: { id: string; label: string; stages: { id: string; label: string }[] }[] };
  const pipeline = results.find((p) => p.label === pipelineLabel)!;
  return { pipeline: pipeline.id, stage: (label: string) => pipeline.stages.find((s) => s.label === label)!.id, label: (stageId: string) => pipeline.stages.find((s) => s.id === stageId)?.label };
}

let registrations = 0;

interface Registration {
  workflowId: string;
  handle: WorkflowHandle;
  dealKey: string;
  partnerEmail: string;
  dealId: string;
  ticketId: string;
  companyId: string;
  contactId: string;
  customerEmail: string;
}

/**
 * What exists when PartnerStack sends deal.created: the company and contact Sales created in HubSpot
 * (step 1), the partner's deal in PartnerStack, and (unless `linked: false`) the HubSpot deal and ticket
 * PartnerStack's integration created, linked through the PartnerStack deal's external key.
 */
async function register(options: { account: string; virtualSales: boolean; kycFiles?: string[]; linked?: boolean; ticket?: boolean; odbCompanyId?: string; company?: boolean; contact?: boolean }): Promise<Registration> {
  const n = ++registrations;
  const partnerEmail = options.virtualSales ? `vs${n}@sales.example` : `reseller${n}@nimbus.example`;
  const partner = partnerstack.seedPartner({ email: partnerEmail, firstName: 'Nina', lastName: 'Patel', groupKey: options.virtualSales ? virtualSalesGroup : undefined });
  const accountName = options.account;
  const deal = partnerstack.seedDeal({ partnerKey: partner.key, accountName, amount: 250_000 });
  const company = hubspot.seedCompany({ properties: { name: accountName, ...(options.odbCompanyId === undefined ? {} : { odb_company_id: options.odbCompanyId }) }, files: options.kycFiles ?? ['BR copy.pdf', 'CI copy.pdf'] });
  // HubSpot keeps one contact per e-mail address.
  const customerEmail = `ada+${n}@acme.example`;
  const contactId = hubspot.seedRecord('contacts', { email: customerEmail, firstname: 'Ada', lastname: 'Lam' });
  const deals = await stageIds('deals', 'PartnerStack Deal Pipeline');
  const dealId = hubspot.seedRecord('deals', { dealname: accountName, pipeline: deals.pipeline, dealstage: deals.stage('Deal registered') });
  const tickets = await stageIds('tickets', TICKETS);
  const ticketId = hubspot.seedRecord('tickets', { subject: `Deal registration: ${accountName}`, hs_pipeline: tickets.pipeline, hs_pipeline_stage: tickets.stage(SALES) });
  if (options.company !== false) await hubspotApi('PUT', `/crm/v4/objects/deals/${dealId}/associations/default/companies/${company.id}`);
  if (options.contact !== false) await hubspotApi('PUT', `/crm/v4/objects/deals/${dealId}/associations/default/contacts/${contactId}`);
  if (options.ticket !== false) await hubspotApi('PUT', `/crm/v4/objects/deals/${dealId}/associations/default/tickets/${ticketId}`);
  if (options.linked !== false) partnerstack.linkDeal(deal.key, dealId);

  const delivered = await partnerstack.sendWebhook(`${api.url}/webhooks/partnerstack/${partnerstack.webhookToken}`, 'deal.created', { key: deal.key, account_name: accountName });
  expect(delivered.status).toBe(200);
  const workflowId = `deal-provisioning/${deal.key}`;
  return { workflowId, handle: running.client.workflow.getHandle(workflowId), dealKey: deal.key, partnerEmail, dealId, ticketId, companyId: company.id, contactId, customerEmail };
}

const keyOf = (who: string) => api.keyOf(who);
const decided = new Set<string>();

/** The step's next open task not decided yet, in this instance or in one of its children. */
async function taskOf(handle: WorkflowHandle, stepId: string): Promise<OpenTask> {
  return openTask(handle, (t) => t.stepId === stepId && !decided.has(`${handle.workflowId}|${t.id}`)).catch(async (error: Error) => {
    // Say where the instance is instead, to see why the step never came.
    const { status, audit } = await state(handle);
    throw new Error(`${error.message} for step ${stepId}; it is ${status}, its audit ends ${JSON.stringify(audit.slice(-3))}`);
  });
}

/** Decides the step's task through the API as the named person; returns the task as it was offered. */
async function decide(handle: WorkflowHandle, stepId: string, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}): Promise<OpenTask> {
  const task = await taskOf(handle, stepId);
  const answer = await call(api.url, 'POST', `/instances/${id(handle.workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, { key: keyOf(who), body: { outcome, ...extra } });
  if (answer.status !== 200) throw new Error(`${who} could not decide ${task.id} (${outcome}): ${answer.status} ${JSON.stringify(answer.body)}`);
  decided.add(`${handle.workflowId}|${task.id}`);
  return task;
}

/** Uploads a file for the step's task through the API as the named person; returns the upload's id. */
async function upload(handle: WorkflowHandle, stepId: string, who: string, name: string, type = 'application/pdf'): Promise<string> {
  const task = await taskOf(handle, stepId);
  const form = new FormData();
  form.append('file', new Blob([Buffer.from(`%PDF-1.4 ${name}`)], { type }), name);
  const answer = await call(api.url, 'POST', `/instances/${id(handle.workflowId)}/tasks/${encodeURIComponent(task.id)}/uploads`, { key: keyOf(who), body: form });
  if (answer.status !== 201) throw new Error(`${who} could not upload ${name}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.id;
}

/** The stages the ticket was moved to, in order, as HubSpot received the updates. */
async function movesOf(ticketId: string): Promise<string[]> {
  const tickets = await stageIds('tickets', TICKETS);
  return hubspot.journal
    .filter((e) => e.method === 'PATCH' && e.path === `/crm/v3/objects/tickets/${ticketId}`)
    .map((e) => (e.body as { properties?: { hs_pipeline_stage?: string } }).properties?.hs_pipeline_stage)
    .filter((stageId): stageId is string => stageId !== undefined)
    .map((stageId) => tickets.label(stageId) ?? stageId);
}

/** The notes on a ticket (their text) and the names of the files they carry, in the order they were made. */
function notesOn(ticketId: string) {
  const files = new Map(hubspot.files().map((f) => [f.id, f.extension ? `${f.name}.${f.extension}` : f.name]));
  return hubspot.associatedIds('tickets', ticketId, 'notes').map((noteId) => {
    const note = hubspot.record('notes', noteId)!.properties;
    return { text: note.hs_note_body, files: (note.hs_attachment_ids ?? '').split(';').filter(Boolean).map((f) => files.get(f)) };
  });
}

/** Who was asked to decide, in order: each opened task's step and the roles it was assigned to. */
async function asked(handle: WorkflowHandle): Promise<string[]> {
  return (await state(handle)).audit.filter((e) => e.event === 'task-opened').map((e) => `${e.stepId}: ${e.detail}`);
}

/** The SOF the instance created: its signers in signing order, its template and its status. */
function sofOf(registration: Registration) {
  const document = pandadoc.state().documents.find((d) => d.metadata.hubspot_deal_id === registration.dealId)!;
  return {
    document,
    signers: [...document.recipients].sort((a, b) => a.signing_order - b.signing_order).map((r) => `${r.signing_order}. ${r.role}: ${r.email}`),
  };
}

/** Waits until the SOF is out for signature, then each signer signs in turn, PandaDoc's webhook telling the instance. */
async function everyoneSigns(registration: Registration) {
  await waitFor(() => pandadoc.state().documents.some((d) => d.metadata.hubspot_deal_id === registration.dealId && d.status === 'document.sent'));
  const { document } = sofOf(registration);
  for (let i = 0; i < document.recipients.length; i++) await pandadoc.signNext(document.id);
}

/** The KYC and SOF part (steps 2 and 3): uploaded, the SOF prepared and signed by all three. */
async function kycAndSof(registration: Registration, salesPerson: string) {
  await decide(registration.handle, 'kyc-documents', 'uploaded', salesPerson);
  await decide(registration.handle, 'prepare-sof', 'ready', 'sara.ho', { form: { signatory: SIGNATORY, salesHead: SALES_HEAD } });
  await everyoneSigns(registration);
}

/**
 * Moves the server's clock on once the instances have done what they can without it (no activity or
 * workflow task under way), so the timers they are about to set are set before the clock passes them.
 */
async function skip(ms: number, ...handles: WorkflowHandle[]) {
  for (const handle of handles) {
    for (let attempt = 0; attempt < 200; attempt++) {
      const { raw } = await handle.describe();
      if (!raw.pendingActivities?.length && !raw.pendingWorkflowTask) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
  await env.sleep(ms);
}

async function ended(handle: WorkflowHandle): Promise<{ status: string; reason?: string; stage?: string }> {
  const { status, reason } = await handle.result();
  return { status, reason, stage: (await state(handle)).stage };
}

/** The instance id of the for-each item's number reservation (a child workflow of the deal). */
async function reservationOf(handle: WorkflowHandle, country: string): Promise<WorkflowHandle> {
  for (let attempt = 0; attempt < 200; attempt++) {
    const { raw } = await handle.describe();
    for (const child of raw.pendingChildren ?? []) {
      const childHandle = running.client.workflow.getHandle(child.workflowId!);
      const childState: InstanceState | undefined = await state(childHandle).catch(() => undefined);
      if (childState?.openTasks.some((t) => t.title.includes(`in ${country}`))) return childHandle;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`no number reservation for ${country} under ${handle.workflowId}`);
}

it('an individual virtual sales deal: KYC, SOF signed in order, numbers in two countries, CSR 106 and payment proof attached, provisioned, approved and listed under Referral', async () => {
  const reg = await register({ account: 'Acme Ltd', virtualSales: true, odbCompanyId: 'ODB-4711' });
  const { handle } = reg;

  // Step 1-2: the virtual sales is asked (and e-mailed) to upload the KYC documents; nobody else may.
  const kyc = await taskOf(handle, 'kyc-documents');
  expect(kyc).toMatchObject({ roles: ['virtual-sales'], title: 'Upload the KYC documents of Acme Ltd to its HubSpot company page' });
  expect(await notified(handle, kyc.id)).toBe('opened: e-mailed vera.lopez');
  const wrongRole = await call(api.url, 'POST', `/instances/${id(reg.workflowId)}/tasks/${encodeURIComponent(kyc.id)}/decision`, { key: keyOf('paul.kim'), body: { outcome: 'uploaded' } });
  expect(wrongRole.status).toBe(403);
  expect(wrongRole.body.detail).toBe(`task '${kyc.id}' is for virtual-sales; you hold partner-manager`);

  // Step 3: the sales admin gives the company signatory and the sales head; PandaDoc gets the three in order.
  await kycAndSof(reg, 'vera.lopez');
  const sof = sofOf(reg);
  expect(sof.document.template.name).toBe('SOF_SOF_Direct Customer_2022 (EB) Standard Template');
  expect(sof.signers).toEqual([`1. Client: ${reg.customerEmail}`, '2. Company Signatory: vera.lopez@example.com', '3. Sales Head: head.of.sales@example.com']);
  expect(sof.document.tokens).toEqual(expect.arrayContaining([{ name: 'Client.Company', value: 'Acme Ltd' }, { name: 'Deal.MonthlyRecurringRevenue', value: '2500.00' }]));
  expect(sof.document.sent).toHaveLength(1);

  // Step 4: signed, so the PartnerStack deal is won; numbers in Hong Kong (reserved) and Singapore (none left).
  await decide(handle, 'numbers-needed', 'reserve', 'vera.lopez', { form: { reservations: [{ country: 'Hong Kong', quantity: 2 }, { country: 'Singapore', quantity: 1 }] } });
  expect(partnerstack.state().deals.find((d) => d.key === reg.dealKey)?.stage).toBe('Close won');
  const hongKong = await reservationOf(handle, 'Hong Kong');
  const reserveHk = await decide(hongKong, 'reserve', 'reserved', 'ivy.chan', { form: { numbers: ['+852 3000 0001', '+852 3000 0002'] } });
  expect(reserveHk.roles).toEqual(['iod']);
  const singapore = await reservationOf(handle, 'Singapore');
  await decide(singapore, 'reserve', 'unavailable', 'kenji.ito', { comment: 'no Singapore DIDs in stock' });
  // The CSR form 106 goes to the ticket with the number details and the effective date, and the ticket to IOD.
  const csr = await taskOf(handle, 'csr-106');
  // Both reservations have ended (the CSR task opens after them), each replied in its own ticket.
  const reservationTickets = hubspot.records('tickets').filter((t) => t.properties.subject?.includes('Acme Ltd') && t.properties.subject.startsWith('Reserve'));
  expect(reservationTickets.map((t) => [t.properties.subject, t.properties.virtual_number_country, hubspot.stageOf('tickets', t.id), t.properties.virtual_number_details])).toEqual([
    ['Reserve 2 virtual numbers in Hong Kong for Acme Ltd', 'Hong Kong', 'Reserved - result replied', '+852 3000 0001, +852 3000 0002'],
    ['Reserve 1 virtual numbers in Singapore for Acme Ltd', 'Singapore', 'Reserved - result replied', 'None available: no Singapore DIDs in stock'],
  ]);

  expect(csr.instructions).toContain('Virtual numbers: Hong Kong: +852 3000 0001, +852 3000 0002; Singapore: none available.');
  const csr106 = await upload(handle, 'csr-106', 'vera.lopez', 'CSR106 Acme.pdf');
  await decide(handle, 'csr-106', 'submitted', 'vera.lopez', { form: { csr106, effectiveDate: '2027-01-04' } });

  // Step 5: IOD approves the KYC and invoices; the proof of payment is attached; IOD confirms.
  await decide(handle, 'kyc-approval', 'approve', 'ivy.chan');
  expect(hubspot.record('tickets', reg.ticketId)?.properties).toMatchObject({ virtual_number_details: 'Hong Kong: +852 3000 0001, +852 3000 0002; Singapore: none available', effective_date: '2027-01-04' });
  await decide(handle, 'deposit-invoice', 'issued', 'ivy.chan', { form: { invoiceNumber: 'INV-1001' } });
  const proof = await upload(handle, 'payment-proof', 'vera.lopez', 'bank slip.png', 'image/png');
  await decide(handle, 'payment-proof', 'uploaded', 'vera.lopez', { form: { paymentProof: proof } });
  await decide(handle, 'payment-confirmed', 'confirmed', 'kenji.ito');

  // Step 6: provisioned; the activation details go to the ticket's note, IOD's activation e-mail to the customer.
  await decide(handle, 'provision', 'provisioned', 'pat.wong', { form: { activationDetails: 'admin@acme1.example / Temp-Pass-123', loginEmail: 'admin@acme1.example', loginUrl: 'https://portal.example/login' } });

  // Step 7: the ODB company ID is there; the deal is approved and the ticket Completed; the referral appears later.
  await waitFor(() => hubspot.stageOf('deals', reg.dealId) === 'Closed won (Approved)');
  await waitFor(() => hubspot.stageOf('tickets', reg.ticketId) === COMPLETED);
  expect((await state(handle)).status).toBe('running');
  partnerstack.seedCustomer({ partnerKey: partnerstack.state().deals.find((d) => d.key === reg.dealKey)!.partner_key!, customerKey: reg.companyId, email: reg.customerEmail, name: 'Acme Ltd' });
  await skip(60 * 60_000, handle);

  expect(await ended(handle)).toEqual({ status: 'completed', reason: `Acme Ltd provisioned, HubSpot deal ${reg.dealId} Closed won (Approved), listed under Referral`, stage: 'completed' });
  expect(await movesOf(reg.ticketId)).toEqual([IOD, PROVISIONING, COMPLETED]);
  expect(notesOn(reg.ticketId)).toEqual([
    { text: 'CSR form 106', files: ['CSR106 Acme.pdf'] },
    { text: 'Payment proof, invoice INV-1001', files: ['bank slip.png'] },
    { text: 'Activation details: admin@acme1.example / Temp-Pass-123', files: [] },
  ]);
  expect(sent().map((m) => [m.to, m.subject])).toEqual([
    [reg.customerEmail, 'Your CINNOX service for Acme Ltd is active'],
    [reg.partnerEmail, 'Acme Ltd is approved: see it under Referral in PartnerStack'],
  ]);
  expect(sent()[0].text).toContain('Sign in at https://portal.example/login with the administrator login admin@acme1.example.');
  expect(await asked(handle)).toEqual([
    'kyc-documents: assigned to virtual-sales', 'prepare-sof: assigned to sales-admin', 'numbers-needed: assigned to virtual-sales',
    'csr-106: assigned to virtual-sales', 'kyc-approval: assigned to iod', 'deposit-invoice: assigned to iod',
    'payment-proof: assigned to virtual-sales', 'payment-confirmed: assigned to iod', 'provision: assigned to provisioning',
  ]);
  // The password the provisioning team typed is masked in what the API shows of the instance.
  const view = await call(api.url, 'GET', `/instances/${id(reg.workflowId)}`, { key: keyOf('ivy.chan') });
  expect(JSON.stringify(view.body)).not.toContain('Temp-Pass-123');
});

it('a reseller\'s deal is worked by the partner\'s manager: KYC missing on the company page is asked again, a payment not found goes back, the ODB company ID is filled in, the referral chased', async () => {
  const reg = await register({ account: 'Nimbus Retail Ltd', virtualSales: false, kycFiles: [] });
  const { handle } = reg;

  const kyc = await decide(handle, 'kyc-documents', 'uploaded', 'paul.kim');
  expect(kyc.roles).toEqual(['partner-manager']);
  expect(kyc.instructions).toBe(`Reseller Nina Patel (${reg.partnerEmail}) has no HubSpot access: ask them to e-mail you the KYC documents, then upload them to company ${reg.companyId} in HubSpot. The registered name on them must match the account name Nimbus Retail Ltd.`);
  // HubSpot shows no file on the company page: the task comes back before the SOF is prepared.
  const again = await taskOf(handle, 'kyc-documents');
  expect(again.instructions).toMatch(/^HubSpot shows no file on the company page yet\. Reseller Nina Patel/);
  hubspot.attachFiles('companies', reg.companyId, ['BR copy.pdf']);
  await decide(handle, 'kyc-documents', 'uploaded', 'paul.kim');

  await decide(handle, 'prepare-sof', 'ready', 'sara.ho', { form: { signatory: { email: 'paul.kim@example.com', firstName: 'Paul', lastName: 'Kim' }, salesHead: SALES_HEAD } });
  await everyoneSigns(reg);
  expect(sofOf(reg).signers).toEqual([`1. Client: ${reg.customerEmail}`, '2. Company Signatory: paul.kim@example.com', '3. Sales Head: head.of.sales@example.com']);
  await decide(handle, 'numbers-needed', 'none', 'paul.kim');
  expect((await taskOf(handle, 'csr-106')).instructions).toContain('Virtual numbers: none.');
  const csr106 = await upload(handle, 'csr-106', 'paul.kim', 'CSR106.pdf');
  await decide(handle, 'csr-106', 'submitted', 'paul.kim', { form: { csr106, effectiveDate: '2027-02-01' } });
  await decide(handle, 'kyc-approval', 'approve', 'kenji.ito');
  await decide(handle, 'deposit-invoice', 'issued', 'kenji.ito', { form: { invoiceNumber: 'INV-2002' } });
  const firstProof = await upload(handle, 'payment-proof', 'paul.kim', 'transfer.pdf');
  await decide(handle, 'payment-proof', 'uploaded', 'paul.kim', { form: { paymentProof: firstProof } });
  await decide(handle, 'payment-confirmed', 'not-received', 'kenji.ito', { comment: 'nothing on the bank statement yet' });
  const proofAgain = await taskOf(handle, 'payment-proof');
  expect(proofAgain.instructions).toBe(`IOD did not find the payment: nothing on the bank statement yet. Ask reseller Nina Patel for the proof once the customer has paid, and upload it here. It is attached to ticket ${reg.ticketId}.`);
  const secondProof = await upload(handle, 'payment-proof', 'paul.kim', 'transfer cleared.pdf');
  await decide(handle, 'payment-proof', 'uploaded', 'paul.kim', { form: { paymentProof: secondProof } });
  await decide(handle, 'payment-confirmed', 'confirmed', 'kenji.ito');
  await decide(handle, 'provision', 'provisioned', 'pat.wong', { form: { activationDetails: 'admin@acme2.example / first login', loginEmail: 'admin@acme2.example', loginUrl: 'https://portal.example/login' } });

  // The ODB company ID is empty: the provisioning team fills it in, and HubSpot is asked again.
  const missing = await taskOf(handle, 'odb-id-missing');
  expect(missing).toMatchObject({ roles: ['provisioning'], title: `Fill in the ODB company ID of Nimbus Retail Ltd on HubSpot company ${reg.companyId}` });
  expect(hubspot.stageOf('deals', reg.dealId)).toBe('Deal registered');
  hubspot.setProperties('companies', reg.companyId, { odb_company_id: 'ODB-2002' });
  await decide(handle, 'odb-id-missing', 'filled', 'pat.wong');

  // PartnerStack never lists the company under Referral: after two business days the sales admin is asked.
  // Hong Kong's business days: from a Thursday morning there, the fourth calendar day (a Monday), so the wait
  // is read from the poll itself, never assumed.
  await waitFor(() => hubspot.stageOf('tickets', reg.ticketId) === COMPLETED);
  const giveUpAt = Date.parse((await state(handle)).waiting.find((w) => w.stepId === 'referral')!.timeoutAt!);
  const left = giveUpAt - (await env.currentTimeMs());
  expect(left).toBeGreaterThanOrEqual(2 * 24 * 60 * 60_000 - 60_000);
  await skip(left + 60_000, handle);
  const chase = await taskOf(handle, 'referral-missing');
  expect(chase.roles).toEqual(['sales-admin']);
  partnerstack.seedCustomer({ partnerKey: partnerstack.state().deals.find((d) => d.key === reg.dealKey)!.partner_key!, customerKey: reg.companyId, email: reg.customerEmail });
  await decide(handle, 'referral-missing', 'listed', 'sara.ho');

  expect(await ended(handle)).toMatchObject({ status: 'completed', stage: 'completed' });
  expect(hubspot.stageOf('deals', reg.dealId)).toBe('Closed won (Approved)');
  expect(await movesOf(reg.ticketId)).toEqual([IOD, PROVISIONING, COMPLETED]);
  expect(notesOn(reg.ticketId).map((n) => n.files)).toEqual([['CSR106.pdf'], ['transfer.pdf'], ['transfer cleared.pdf'], []]);
  expect((await asked(handle)).filter((line) => !/iod|provisioning/.test(line))).toEqual([
    'kyc-documents: assigned to partner-manager', 'kyc-documents: assigned to partner-manager', 'prepare-sof: assigned to sales-admin',
    'numbers-needed: assigned to partner-manager', 'csr-106: assigned to partner-manager', 'payment-proof: assigned to partner-manager',
    'payment-proof: assigned to partner-manager', 'referral-missing: assigned to sales-admin',
  ]);
});

it('IOD rejects a customer who fails due diligence: the ticket ends "Rejected - due diligence failed" and the partner is told', async () => {
  const reg = await register({ account: 'Globex Ltd', virtualSales: true });
  const { handle } = reg;
  await kycAndSof(reg, 'vera.lopez');
  await decide(handle, 'numbers-needed', 'none', 'vera.lopez');
  const csr106 = await upload(handle, 'csr-106', 'vera.lopez', 'CSR106.pdf');
  await decide(handle, 'csr-106', 'submitted', 'vera.lopez', { form: { csr106, effectiveDate: '2027-03-01' } });
  const refused = await call(api.url, 'POST', `/instances/${id(reg.workflowId)}/tasks/${encodeURIComponent((await taskOf(handle, 'kyc-approval')).id)}/decision`, { key: keyOf('ivy.chan'), body: { outcome: 'reject' } });
  expect(refused.status).toBe(400);
  expect(refused.body.errors).toEqual([{ field: 'body.comment', message: 'is required for this outcome' }]);
  await decide(handle, 'kyc-approval', 'reject', 'ivy.chan', { comment: 'registered name differs from the BR copy' });

  expect(await ended(handle)).toEqual({ status: 'rejected', reason: 'due diligence failed: registered name differs from the BR copy', stage: 'rejected' });
  expect(await movesOf(reg.ticketId)).toEqual([IOD, REJECTED]);
  expect(sent().map((m) => [m.to, m.subject])).toEqual([[reg.partnerEmail, 'Globex Ltd: the deal registration is rejected']]);
  expect(partnerstack.state().deals.find((d) => d.key === reg.dealKey)?.stage).toBe('Close won');
  expect(hubspot.stageOf('deals', reg.dealId)).toBe('Deal registered');
});

it('an SOF nobody signs: after 10 business days the virtual sales chases it, then closes the deal lost in PartnerStack', async () => {
  const reg = await register({ account: 'Initech Ltd', virtualSales: true });
  const { handle } = reg;
  await decide(handle, 'kyc-documents', 'uploaded', 'vera.lopez');
  await decide(handle, 'prepare-sof', 'ready', 'sara.ho', { form: { signatory: SIGNATORY, salesHead: SALES_HEAD } });
  await waitFor(() => pandadoc.state().documents.some((d) => d.metadata.hubspot_deal_id === reg.dealId && d.status === 'document.sent'));
  // Only the customer signs.
  await pandadoc.signNext(sofOf(reg).document.id);

  await skip(15 * 24 * 60 * 60_000, handle);
  const first = await decide(handle, 'sof-unsigned', 'keep-waiting', 'vera.lopez');
  expect(first.title).toBe('The SOF of Initech Ltd is not signed after 10 business days');
  // Ten Hong Kong business days again: Christmas, Boxing Day and New Year's Day do not count.
  await skip(21 * 24 * 60 * 60_000, handle);
  await decide(handle, 'sof-unsigned', 'lost', 'vera.lopez', { comment: 'customer chose another provider' });

  expect(await ended(handle)).toEqual({ status: 'cancelled', reason: 'the SOF was not signed: customer chose another provider', stage: 'sales-kyc' });
  expect(partnerstack.state().deals.find((d) => d.key === reg.dealKey)?.stage).toBe('Close lost');
  expect(await movesOf(reg.ticketId)).toEqual([]);
  expect(sofOf(reg).document.status).toBe('document.viewed');
});

it('an SOF PandaDoc never makes a draft: after an hour of status checks the instance ends cancelled, naming the document, and nothing is sent', async () => {
  const reg = await register({ account: 'Vandelay Ltd', virtualSales: true });
  const { handle } = reg;
  await decide(handle, 'kyc-documents', 'uploaded', 'vera.lopez');
  const usual = pandadoc.draftAfterMs;
  pandadoc.draftAfterMs = 2_000_000_000; // PandaDoc stuck processing the document: it stays document.uploaded
  try {
    await decide(handle, 'prepare-sof', 'ready', 'sara.ho', { form: { signatory: SIGNATORY, salesHead: SALES_HEAD } });
    await waitFor(() => pandadoc.state().documents.some((d) => d.metadata.hubspot_deal_id === reg.dealId));
  } finally {
    pandadoc.draftAfterMs = usual;
  }
  const { document } = sofOf(reg);
  await skip(61 * 60_000, handle);
  expect(await ended(handle)).toEqual({ status: 'cancelled', reason: `PandaDoc did not make SOF ${document.id} a draft within an hour`, stage: 'sales-kyc' });
  expect(sofOf(reg).document.status).toBe('document.uploaded');
  expect(await movesOf(reg.ticketId)).toEqual([]);
});

it('waits for PartnerStack\'s integration to link the HubSpot deal and create its ticket, and gives up with what to check when it never does', async () => {
  const late = await register({ account: 'Umbrella Ltd', virtualSales: true, linked: false });
  const never = await register({ account: 'Hooli Ltd', virtualSales: false, linked: false });
  const ticketless = await register({ account: 'Stark Ltd', virtualSales: true, ticket: false });
  await skip(60_000, late.handle, never.handle, ticketless.handle);
  expect((await state(late.handle)).openTasks).toEqual([]);
  partnerstack.linkDeal(late.dealKey, late.dealId);
  await skip(5 * 60_000, late.handle);
  expect((await taskOf(late.handle, 'kyc-documents')).roles).toEqual(['virtual-sales']);

  await skip(4 * 24 * 60 * 60_000, never.handle, ticketless.handle);
  expect(await ended(never.handle)).toEqual({
    status: 'cancelled',
    reason: `PartnerStack did not link deal ${never.dealKey} to a HubSpot deal within a business day: check the PartnerStack-HubSpot integration, then start the process again`,
    stage: undefined,
  });
  // Linked, but the integration never created the deal's ticket: nothing to keep in step, so it gives up too.
  expect(await ended(ticketless.handle)).toEqual({
    status: 'cancelled',
    reason: `HubSpot deal ${ticketless.dealId} has no ticket in the deal registration pipeline after a business day: check the PartnerStack-HubSpot integration, then start the process again`,
    stage: undefined,
  });
  await terminateWhenIdle(late.handle);
});

it('a HubSpot deal Sales registered without its company or its customer contact: the admin is asked at each, has it put right in HubSpot and retries, and the deal goes on', async () => {
  const reg = await register({ account: 'Wayne Ltd', virtualSales: true, company: false, contact: false });
  const { handle } = reg;

  // No company on the deal: nothing to collect KYC for. An incident, not a guess.
  const noCompany = await taskOf(handle, 'hubspot-company');
  expect(noCompany).toMatchObject({ kind: 'incident', roles: ['admin'] });
  expect(noCompany.title).toContain('result.count > 0');
  expect((await state(handle)).openTasks.map((t) => t.stepId)).toEqual(['hubspot-company']);
  await hubspotApi('PUT', `/crm/v4/objects/deals/${reg.dealId}/associations/default/companies/${reg.companyId}`);
  await decide(handle, 'hubspot-company', 'retry', 'alex.admin');
  const kyc = await decide(handle, 'kyc-documents', 'uploaded', 'vera.lopez');
  expect(kyc.instructions).toContain(`Upload the KYC documents to company ${reg.companyId} in HubSpot.`);

  // No contact on the deal: nobody to send the SOF to first. Asked again, then the SOF is prepared.
  const noContact = await taskOf(handle, 'customer-contact');
  expect(noContact).toMatchObject({ kind: 'incident', roles: ['admin'] });
  expect(pandadoc.state().documents.filter((d) => d.metadata.hubspot_deal_id === reg.dealId)).toEqual([]);
  await hubspotApi('PUT', `/crm/v4/objects/deals/${reg.dealId}/associations/default/contacts/${reg.contactId}`);
  await decide(handle, 'customer-contact', 'retry', 'alex.admin');
  const prepare = await taskOf(handle, 'prepare-sof');
  expect(prepare.instructions).toContain(`signed in order by the customer (${reg.customerEmail})`);
  expect(await movesOf(reg.ticketId)).toEqual([]);
  await terminateWhenIdle(handle);
});
