/**
 * The walks `npm run chaos` drives (scripts/chaos.ts): for each shipped process, the records its instance
 * needs in the fakes (seeded through their control routes and vendor APIs, as the scenario tests seed
 * them), how it starts (the API's start route, or the vendor's webhook), the decision each of its tasks
 * gets (the happy path of tests/<process>.test.ts) and what a vendor or a person does outside the engine
 * (a Jira issue closed, a DocuSign envelope signed), each delivered to the API as the vendor delivers it.
 * Every walk finishes in seconds of real time: no step waits for days on the way.
 */
import { channelPartnerAnswers } from '../fakes/jotform/fake';

/** The fakes as fakes/serve.ts announces them: the connectors' environment and each fake's control URL. */
export interface FakesInfo {
  env: Record<string, string>;
  controls: Record<string, string>;
}

export interface WalkContext {
  fakes: FakesInfo;
  /** The API's address (fixed across its restarts). */
  apiUrl: string;
  /** What `prepareFakes` seeded for every walk, e.g. the PartnerStack group of individual virtual sales. */
  shared: Record<string, string>;
}

/** How an instance starts: through `POST /processes/<process>/instances`, or a vendor's webhook that the API routes. */
export type Start =
  | { input: Record<string, unknown> }
  | { workflowId: string; /** Delivers the webhook once; true when the API took it (2xx). */ deliver(): Promise<boolean> };

/** What a form may need done first, as the person deciding: a file uploaded for the task (its upload id). */
export interface TaskActions {
  upload(name: string, type: string): Promise<string>;
}

export interface Decision {
  outcome: string;
  /** The form, or one made from what `prepare` seeded (e.g. a record's id) and files uploaded for the task. */
  form?: Record<string, unknown> | ((data: Record<string, string>, task: TaskActions) => Record<string, unknown> | Promise<Record<string, unknown>>);
  comment?: string;
}

/** An instance ready to start: how, and what its decisions and outside actions read (the records seeded for it). */
export interface Prepared {
  start: Start;
  data: Record<string, string>;
}

export interface InstanceView {
  workflowId: string;
  status: string;
  openTasks: Array<{ id: string; stepId: string; kind: string; roles: string[] }>;
  audit: Array<{ event: string; stepId?: string; taskId?: string; detail?: string }>;
}

export interface Walk {
  process: string;
  /** Seeds what instance `n` needs in the fakes; returns how it starts. */
  prepare(context: WalkContext, n: number): Promise<Prepared>;
  /** By step id: the decision its task gets. */
  decisions: Record<string, Decision>;
  /**
   * What happens outside the engine once the instance has got far enough, tried on every sweep until it
   * says it is done. `vendorDelivery` marks an action whose webhook the fake sends only once.
   */
  outside?: { vendorDelivery?: boolean; run(context: WalkContext, view: InstanceView, data: Record<string, string>): Promise<boolean> };
}

/** A vendor's webhook the API did not take, which the fake will not deliver again: the harness reports it. */
export class DeliveryRefused extends Error {
  constructor(readonly vendor: string, readonly record: string, readonly status: number) {
    super(`${vendor} delivery for ${record} answered ${status}`);
  }
}

/** A control route or vendor API of a fake: JSON in, JSON out; anything but 2xx throws. */
export async function fakeCall<T = any>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    signal: AbortSignal.timeout(30_000),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${init.method ?? 'GET'} ${url}: ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

const today = () => new Date().toISOString().slice(0, 10);
const ok = { ok: true };

/** One Salesforce record through the fake's control route; its id. */
async function salesforceRecord(context: WalkContext, type: string, fields: Record<string, unknown>): Promise<string> {
  return (await fakeCall<{ Id: string }>(`${context.fakes.controls.salesforce}/records`, { body: { type, fields } })).Id;
}

/** The HubSpot CRM API with the fake's token (associations have no control route: people make them in HubSpot). */
function hubspotApi<T = any>(context: WalkContext, method: string, path: string): Promise<T> {
  return fakeCall<T>(`${context.fakes.env.HUBSPOT_BASE_URL}${path}`, { method, headers: { authorization: `Bearer ${context.fakes.env.HUBSPOT_ACCESS_TOKEN}` } });
}

async function hubspotRecord(context: WalkContext, type: string, properties: Record<string, string>): Promise<string> {
  return (await fakeCall<{ id: string }>(`${context.fakes.controls.hubspot}/records/${type}`, { body: { properties } })).id;
}

/** Reseller off-boarding (tests/reseller-offboarding.test.ts, "nothing owed on the beta portal"), with the Salesforce account there from the start. */
const offboarding: Walk = {
  process: 'reseller-offboarding',
  async prepare(context, n) {
    const partnerName = `Chaos Resell ${n}`;
    const partnerEmail = `owner${n}@chaos-resell.example`;
    const partner = await fakeCall<{ key: string }>(`${context.fakes.controls.partnerstack}/partners`, { body: { email: partnerEmail, firstName: 'Chaos', lastName: `Resell ${n}` } });
    const accountId = await salesforceRecord(context, 'Account', { Name: partnerName });
    await salesforceRecord(context, 'Asset', { Name: 'Reseller Premier Membership', AccountId: accountId, Status: 'Active', Price: 0 });
    await salesforceRecord(context, 'Asset', { Name: 'QuickBooks Online Accountant', AccountId: accountId, Status: 'Active', Price: 499 });
    const input = {
      partnerKey: partner.key, partnerName, partnerEmail, cam: 'carla.mendes', requestedOn: today(), requestedBy: 'company',
      reason: 'Revenue below the program minimum', salesOpsEmail: 'sales-ops@company.example',
    };
    return { start: { input }, data: {} };
  },
  decisions: {
    'legal-review': { outcome: 'send-notice' },
    'update-quickbase': { outcome: 'confirm', form: { status: ok, 'opted-out': ok, 'distribution-group': ok, 'landing-pages': ok } },
    'open-orders': { outcome: 'no-open-orders' },
    'hand-off-to-portal': { outcome: 'handed-over' },
    'deactivate-links': { outcome: 'deactivated' },
    'confirm-delete': { outcome: 'confirm-delete' },
  },
};

const SERVICE_PIPELINE = 'CINNOX service addition / amendment / termination';

/** A service addition (tests/service-amendment.test.ts, the ordinary ticket without its returns): checked, approved, provisioned, the activation e-mail sent. */
const serviceAmendment: Walk = {
  process: 'service-amendment',
  async prepare(context, n) {
    const company = await fakeCall<{ id: string }>(`${context.fakes.controls.hubspot}/companies`, {
      body: { properties: { name: `Chaos Ltd ${n}`, business_registration_number: `BR-${n}`, registered_address: '1 Queen St', country: 'Hong Kong' }, files: ['BR copy.pdf', 'CI copy.pdf'] },
    });
    const dealId = await hubspotRecord(context, 'deals', { dealname: `Chaos Ltd ${n}: 20 seats` });
    const contactId = await hubspotRecord(context, 'contacts', { email: `ada+${n}@chaos.example`, firstname: 'Ada', lastname: 'Lam', phone: '+852 5555 0101', jobtitle: 'IT manager' });
    await hubspotApi(context, 'PUT', `/crm/v4/objects/deals/${dealId}/associations/default/companies/${company.id}`);
    await hubspotApi(context, 'PUT', `/crm/v4/objects/deals/${dealId}/associations/default/contacts/${contactId}`);
    const { results } = await hubspotApi<{ results: Array<{ id: string; label: string; stages: Array<{ id: string; label: string }> }> }>(context, 'GET', '/crm/v3/pipelines/tickets');
    const pipeline = results.find((p) => p.label === SERVICE_PIPELINE)!;
    const draft = pipeline.stages.find((s) => s.label === 'Sales - Draft / Returned')!;
    const ticketId = await hubspotRecord(context, 'tickets', { subject: `Add 20 seats (${n})`, hs_pipeline: pipeline.id, hs_pipeline_stage: draft.id });
    return { start: { input: { ticketId, companyId: company.id, dealId, requestType: 'addition' } }, data: {} };
  },
  decisions: {
    prepare: { outcome: 'submitted' },
    'kyc-checklist': { outcome: 'confirm', form: { 'identity-match': { ok: true, evidence: 'BR and CI match name and region' }, csr106: ok, 'signed-sof': ok, deposit: { ok: true, evidence: 'receipt 42' } } },
    'iod-approval': { outcome: 'approve' },
    'track-in-monday': { outcome: 'confirm', form: { 'monday-item': { ok: true, evidence: 'https://m800-cast.monday.com/boards/2950676364/pulses/7001' } } },
    'set-up-in-odb': { outcome: 'provisioned' },
    'odb-checklist': { outcome: 'confirm', form: { 'company-name': ok, billing: ok, package: ok, numbers: ok } },
    'activation-details': { outcome: 'ready', form: { loginEmail: 'admin@chaos.example', loginUrl: 'https://portal.example/login' } },
  },
};

/**
 * A new channel partner (tests/channel-partner-request.test.ts, the first scenario): the JotForm submission
 * webhook starts it; once the Customer Success task exists in Jira it is closed there and Jira's webhook
 * tells the instance.
 */
const channelPartnerRequest: Walk = {
  process: 'channel-partner-request',
  async prepare(context, n) {
    const company = `Chaos Solar ${n}`;
    const email = `admin${n}@chaos-solar.example`;
    const managerId = await salesforceRecord(context, 'User', { Name: `${company} Manager`, Email: `manager${n}@chaos-solar.example` });
    const accountId = await salesforceRecord(context, 'Account', { Name: company, OwnerId: managerId });
    await salesforceRecord(context, 'Contact', { FirstName: 'Ada', LastName: 'Admin', Email: email, AccountId: accountId });
    const jotform = context.fakes.controls.jotform;
    const submission = await fakeCall<{ id: string }>(`${jotform}/submissions`, { body: { answers: channelPartnerAnswers(company, email) } });
    const deliver = async () => {
      const url = `${context.apiUrl}/webhooks/jotform/${context.fakes.env.JOTFORM_WEBHOOK_TOKEN}`;
      const { status } = await fakeCall<{ status: number }>(`${jotform}/webhooks`, { body: { url, submissionId: submission.id } });
      return status >= 200 && status < 300;
    };
    return { start: { workflowId: `channel-partner-request/${submission.id}`, deliver }, data: { label: `channel-partner-request-${submission.id}` } };
  },
  decisions: {
    'choose-assignees': { outcome: 'chosen', form: { assignee: 'config.specialist@everbright.example', qaAssignee: 'qa.reviewer@everbright.example' } },
    'double-check': { outcome: 'confirm', form: { 'request-complete': ok, 'financing-options': ok, 'nothing-outstanding': ok } },
  },
  outside: {
    async run(context, _view, { label }) {
      const jira = context.fakes.controls.jira;
      const { issues } = await fakeCall<{ issues: Array<{ key: string; fields: { labels: string[]; status: { name: string } } }> }>(`${jira}/issues`);
      const issue = issues.find((i) => i.fields.labels.includes(label));
      if (!issue) return false;
      if (issue.fields.status.name !== 'Done') await fakeCall(`${jira}/issues/${issue.key}/close`, { method: 'POST' });
      const { status } = await fakeCall<{ status: number }>(`${jira}/webhooks/send`, { body: { url: `${context.apiUrl}/webhooks/jira`, issueKey: issue.key } });
      return status >= 200 && status < 300;
    },
  },
};

/** A reseller's deal registration (tests/reseller-deal-registration.test.ts) approved in its first round: Closed Won with its onboarding case. */
const dealRegistration: Walk = {
  process: 'reseller-deal-registration',
  async prepare(context, n) {
    const customerName = `Chaos Dental ${n}`;
    const accountId = await salesforceRecord(context, 'Account', { Name: customerName });
    const input = {
      registrationId: `DR-C${n}`, resellerId: 'RS-0042', resellerName: 'Northwind Resellers', customerName, contactName: 'Dana Cole',
      contactEmail: `dana${n}@chaos-dental.example`, products: 'OpDocs Pro x 12', amount: 14_400, closeDate: '2028-01-31',
    };
    return { start: { input }, data: { accountId } };
  },
  decisions: {
    'review-registration': { outcome: 'approve', form: ({ accountId }) => ({ customerAccountId: accountId }) },
  },
};

/** A new reseller (tests/reseller-creation.test.ts, the first scenario): qualified, the agreement signed in DocuSign (Connect's webhook), the packet confirmed. */
const resellerCreation: Walk = {
  process: 'reseller-creation',
  async prepare(context, n) {
    const resellerName = `Chaos Reseller ${n}`;
    await salesforceRecord(context, 'Account', { Name: resellerName });
    const contactEmail = `riley${n}@chaos-reseller.example`;
    const input = {
      inquiryId: `INQ-C${n}`, resellerName, contactName: 'Riley Chen', contactEmail, owner: 'Nina Park',
      inquiry: 'We resell practice software to 300 dental offices and want to add OpDocs.',
    };
    return { start: { input }, data: { contactEmail } };
  },
  decisions: {
    qualify: { outcome: 'qualified' },
    'packet-delivered': { outcome: 'confirm', form: { 'reseller-id': ok, 'form-embed-code': ok, 'welcome-material': ok } },
  },
  outside: {
    // The fake's Connect delivers an envelope's completion once (DocuSign's own retries for days are not modelled).
    vendorDelivery: true,
    async run(context, _view, { contactEmail: email }) {
      const docusign = context.fakes.controls.docusign;
      const { envelopes } = await fakeCall<{ envelopes: Array<{ envelopeId: string; status: string; recipients: Array<{ email: string }> }> }>(`${docusign}/state`);
      const envelope = envelopes.find((e) => e.recipients.some((r) => r.email === email) && (e.status === 'sent' || e.status === 'delivered'));
      if (!envelope) return envelopes.some((e) => e.recipients.some((r) => r.email === email) && e.status === 'completed');
      const { status } = await fakeCall<{ status: number }>(`${docusign}/envelopes/${envelope.envelopeId}/complete`, { method: 'POST' });
      // The fake does not deliver it again: the instance is left to its daily read, and is reported lost.
      if (status < 200 || status >= 300) throw new DeliveryRefused('DocuSign Connect', envelope.envelopeId, status);
      return true;
    },
  },
};

/** Numbers reserved in one country (started by deal-provisioning in production; here on its own): a HubSpot ticket, IOD's task, the reply. */
const numberReservation: Walk = {
  process: 'number-reservation',
  async prepare(context, n) {
    const companyId = await hubspotRecord(context, 'companies', { name: `Chaos Numbers ${n}` });
    const dealId = await hubspotRecord(context, 'deals', { dealname: `Chaos Numbers ${n}: 2 numbers` });
    return { start: { input: { dealId, companyId, accountName: `Chaos Numbers ${n}`, country: 'Hong Kong', quantity: 2 } }, data: {} };
  },
  decisions: {
    reserve: { outcome: 'reserved', form: { numbers: ['+852 5555 0001', '+852 5555 0002'] } },
  },
};

const DEAL_TICKETS = 'PartnerStack Deal Registration and Provisioning';

/** A pipeline's id and its stages' ids by label (HubSpot's pipelines API). */
async function pipelineOf(context: WalkContext, type: 'deals' | 'tickets', label: string) {
  const { results } = await hubspotApi<{ results: Array<{ id: string; label: string; stages: Array<{ id: string; label: string }> }> }>(context, 'GET', `/crm/v3/pipelines/${type}`);
  const pipeline = results.find((p) => p.label === label)!;
  return { id: pipeline.id, stage: (stage: string) => pipeline.stages.find((s) => s.label === stage)!.id };
}

/**
 * Deal registration and provisioning (tests/deal-provisioning.test.ts, the individual virtual sales
 * deal, no numbers): PartnerStack's deal.created webhook starts it on the records the PartnerStack-HubSpot
 * integration made; the SOF is signed by each signer in PandaDoc (its webhook telling the instance); the
 * CSR 106 and the payment proof are uploaded through the API. The "Referral" is recorded in PartnerStack
 * up front, so the hourly check finds it at once.
 */
const dealProvisioning: Walk = {
  process: 'deal-provisioning',
  async prepare(context, n) {
    const partnerstack = context.fakes.controls.partnerstack;
    const accountName = `Chaos Deal ${n}`;
    const partner = await fakeCall<{ key: string }>(`${partnerstack}/partners`, { body: { email: `vs${n}@chaos-sales.example`, firstName: 'Nina', lastName: 'Patel', groupKey: context.shared.virtualSalesGroup } });
    const company = await fakeCall<{ id: string }>(`${context.fakes.controls.hubspot}/companies`, { body: { properties: { name: accountName, odb_company_id: `ODB-${n}` }, files: ['BR copy.pdf', 'CI copy.pdf'] } });
    const customerEmail = `ada+deal${n}@chaos.example`;
    const contactId = await hubspotRecord(context, 'contacts', { email: customerEmail, firstname: 'Ada', lastname: 'Lam' });
    const deals = await pipelineOf(context, 'deals', 'PartnerStack Deal Pipeline');
    const dealId = await hubspotRecord(context, 'deals', { dealname: accountName, pipeline: deals.id, dealstage: deals.stage('Deal registered') });
    const tickets = await pipelineOf(context, 'tickets', DEAL_TICKETS);
    const ticketId = await hubspotRecord(context, 'tickets', { subject: `Deal registration: ${accountName}`, hs_pipeline: tickets.id, hs_pipeline_stage: tickets.stage('Sales - KYC and pandadoc contract issuance') });
    for (const [type, id] of [['companies', company.id], ['contacts', contactId], ['tickets', ticketId]]) {
      await hubspotApi(context, 'PUT', `/crm/v4/objects/deals/${dealId}/associations/default/${type}/${id}`);
    }
    // The partner's deal, linked to the HubSpot deal through its external key as PartnerStack's integration links it.
    const deal = await fakeCall<{ key: string }>(`${partnerstack}/deals`, { body: { partnerKey: partner.key, accountName, amount: 250_000, externalKey: dealId } });
    await fakeCall(`${partnerstack}/customers`, { body: { partnerKey: partner.key, customerKey: company.id, email: customerEmail, name: accountName } });
    const deliver = async () => {
      const url = `${context.apiUrl}/webhooks/partnerstack/${context.fakes.env.PARTNERSTACK_WEBHOOK_TOKEN}`;
      const { status } = await fakeCall<{ status: number }>(`${partnerstack}/webhooks`, { body: { url, event: 'deal.created', record: { key: deal.key, account_name: accountName } } });
      return status >= 200 && status < 300;
    };
    return { start: { workflowId: `deal-provisioning/${deal.key}`, deliver }, data: { dealId, n: String(n) } };
  },
  decisions: {
    'kyc-documents': { outcome: 'uploaded' },
    'prepare-sof': { outcome: 'ready', form: { signatory: { email: 'vera.lopez@example.com', firstName: 'Vera', lastName: 'Lopez' }, salesHead: { email: 'head.of.sales@example.com', firstName: 'Hugo', lastName: 'Chan' } } },
    'numbers-needed': { outcome: 'none' },
    'csr-106': { outcome: 'submitted', form: async (_data, task) => ({ csr106: await task.upload('CSR106.pdf', 'application/pdf'), effectiveDate: '2027-01-04' }) },
    'kyc-approval': { outcome: 'approve' },
    'deposit-invoice': { outcome: 'issued', form: ({ n }) => ({ invoiceNumber: `INV-${n}` }) },
    'payment-proof': { outcome: 'uploaded', form: async (_data, task) => ({ paymentProof: await task.upload('bank slip.png', 'image/png') }) },
    'payment-confirmed': { outcome: 'confirmed' },
    provision: { outcome: 'provisioned', form: ({ n }) => ({ activationDetails: `admin@deal${n}.example / Temp-Pass-123`, loginEmail: `admin@deal${n}.example`, loginUrl: 'https://portal.example/login' }) },
  },
  outside: {
    // The fake delivers each signature's state change once (PandaDoc's own retries are not modelled).
    vendorDelivery: true,
    async run(context, _view, { dealId }) {
      const pandadoc = context.fakes.controls.pandadoc;
      const { documents } = await fakeCall<{ documents: Array<{ id: string; status: string; metadata: Record<string, unknown>; recipients: Array<{ has_completed: boolean }> }> }>(`${pandadoc}/state`);
      const document = documents.find((d) => d.metadata.hubspot_deal_id === dealId);
      if (!document || (document.status !== 'document.sent' && document.status !== 'document.viewed')) return document?.status === 'document.completed';
      // One signer at a time, each signature delivered to the API's PandaDoc route.
      await fakeCall(`${pandadoc}/documents/${document.id}/sign`, { method: 'POST' });
      return document.recipients.filter((r) => !r.has_completed).length === 1;
    },
  },
};

export const WALKS: readonly Walk[] = [offboarding, serviceAmendment, channelPartnerRequest, dealRegistration, resellerCreation, numberReservation, dealProvisioning];

/** What every walk needs once in the fakes: the Salesforce users the definitions name, DocuSign Connect and PandaDoc's webhook pointed at the API, the virtual sales group. */
export async function prepareFakes(context: WalkContext): Promise<void> {
  for (const [Name, Email] of [['Pending Deal Registration Queue', 'deal-queue@everbright.example'], ['Partnership Team', 'partnerships@everbright.example'], ['Nina Park', 'nina.park@everbright.example']]) {
    await salesforceRecord(context, 'User', { Name, Email });
  }
  await fakeCall(`${context.fakes.controls.docusign}/connect`, { body: { url: `${context.apiUrl}/webhooks/docusign` } });
  await fakeCall(`${context.fakes.controls.pandadoc}/webhook`, { body: { url: `${context.apiUrl}/webhooks/pandadoc` } });
  context.shared.virtualSalesGroup = (await fakeCall<{ key: string }>(`${context.fakes.controls.partnerstack}/groups`, { body: { name: 'Individual Virtual Sales' } })).key;
}
