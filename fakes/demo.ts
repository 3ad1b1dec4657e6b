/**
 * The embedded default's demo data set, loaded into the local fakes on the first `npm start` (when the
 * fakes have no saved data yet), so each shipped process can be walked from the README without seeding by
 * hand. Everything goes through the fakes' HTTP control routes (and HubSpot's associations API), so it is
 * saved with the rest of their data. Returns, and the caller prints, the ids a user needs to start with.
 *
 * - reseller-offboarding: PartnerStack partners "Acme Resellers" (a 1,250 USD reward still owed, one paid)
 *   and "Bright Partners" (nothing owed); Salesforce accounts of the same names, each with a $0 reseller
 *   licence row and a paid product row.
 * - service-amendment: HubSpot company "Acme Ltd" with every KYC field and its identity documents, a deal
 *   associated with it and with contact Ada Lam, and a ticket in "Sales - Draft / Returned".
 */
import type { Sandbox } from './index';

export interface DemoData {
  partners: Array<{ name: string; key: string; email: string; rewards: Array<{ key: string; amountCents: number; status: string }> }>;
  serviceAmendment: { ticketId: string; companyId: string; dealId: string; contactEmail: string };
}

const TICKET_PIPELINE = 'CINNOX service addition / amendment / termination';
const DRAFT_STAGE = 'Sales - Draft / Returned';

export async function loadDemoData(sandbox: Sandbox): Promise<Partial<DemoData>> {
  const started = new Set(sandbox.fakes.map((f) => f.system));
  const demo: Partial<DemoData> = {};
  if (started.has('partnerstack')) demo.partners = await partnerstackDemo(controlOf(sandbox, 'partnerstack'));
  if (started.has('salesforce')) await salesforceDemo(controlOf(sandbox, 'salesforce'));
  if (started.has('hubspot')) demo.serviceAmendment = await hubspotDemo(sandbox);
  return demo;
}

/** One printed line per thing a user starts a process with. */
export function describeDemo(demo: Partial<DemoData>): string[] {
  const lines = (demo.partners ?? []).map((p) => {
    const owed = p.rewards.filter((r) => r.status !== 'paid');
    const money = owed.length ? `owed ${owed.map((r) => `${(r.amountCents / 100).toFixed(2)} USD (${r.key})`).join(', ')}` : 'nothing owed';
    return `demo partner ${p.name}: partnerKey ${p.key}, partnerEmail ${p.email}, ${money}`;
  });
  const amendment = demo.serviceAmendment;
  if (amendment) lines.push(`demo service amendment: ticketId ${amendment.ticketId}, companyId ${amendment.companyId}, dealId ${amendment.dealId} (contact ${amendment.contactEmail})`);
  return lines;
}

function controlOf(sandbox: Sandbox, system: string): string {
  return `${new URL(sandbox.fake(system).url).origin}/__control`;
}

async function call<T>(url: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<T> {
  const response = await fetch(url, {
    method: init.method ?? 'POST',
    headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`demo data: ${init.method ?? 'POST'} ${url} answered ${response.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

async function partnerstackDemo(control: string): Promise<DemoData['partners']> {
  const partners: DemoData['partners'] = [];
  const people = [
    { name: 'Acme Resellers', email: 'ops@acme-resellers.example', firstName: 'Acme', lastName: 'Resellers', rewards: [{ amount: 125_000, status: 'pending', description: 'Q3 commission' }, { amount: 40_000, status: 'paid', description: 'Q2 commission' }] },
    { name: 'Bright Partners', email: 'hello@bright-partners.example', firstName: 'Bright', lastName: 'Partners', rewards: [] },
  ];
  for (const person of people) {
    const partner = await call<{ key: string }>(`${control}/partners`, { body: { email: person.email, firstName: person.firstName, lastName: person.lastName } });
    const rewards = [];
    for (const reward of person.rewards) {
      const made = await call<{ key: string }>(`${control}/rewards`, { body: { partnerKey: partner.key, ...reward } });
      rewards.push({ key: made.key, amountCents: reward.amount, status: reward.status });
    }
    partners.push({ name: person.name, key: partner.key, email: person.email, rewards });
  }
  return partners;
}

async function salesforceDemo(control: string): Promise<void> {
  for (const name of ['Acme Resellers', 'Bright Partners']) {
    const account = await call<{ Id: string }>(`${control}/records`, { body: { type: 'Account', fields: { Name: name } } });
    await call(`${control}/records`, { body: { type: 'Asset', fields: { Name: 'Reseller licence', AccountId: account.Id, Price: 0, Status: 'Installed' } } });
    await call(`${control}/records`, { body: { type: 'Asset', fields: { Name: 'CINNOX contact centre, 20 seats', AccountId: account.Id, Price: 1200, Status: 'Installed' } } });
  }
}

async function hubspotDemo(sandbox: Sandbox): Promise<DemoData['serviceAmendment']> {
  const fake = sandbox.fake<import('./hubspot/fake').HubSpotFake>('hubspot');
  const control = controlOf(sandbox, 'hubspot');
  const api = (method: string, path: string) => call<unknown>(`${fake.url}${path}`, { method, headers: { authorization: `Bearer ${fake.accessToken}` } });
  const company = await call<{ id: string }>(`${control}/companies`, {
    body: { properties: { name: 'Acme Ltd', business_registration_number: 'BR-123', registered_address: '1 Queen St', country: 'Hong Kong' }, files: ['BR copy.pdf', 'CI copy.pdf'] },
  });
  const deal = await call<{ id: string }>(`${control}/records/deals`, { body: { properties: { dealname: 'Acme Ltd: 20 seats' } } });
  const contactEmail = 'ada@acme.example';
  const contact = await call<{ id: string }>(`${control}/records/contacts`, { body: { properties: { email: contactEmail, firstname: 'Ada', lastname: 'Lam', phone: '+852 5555 0101', jobtitle: 'IT manager' } } });
  await api('PUT', `/crm/v4/objects/deals/${deal.id}/associations/default/companies/${company.id}`);
  await api('PUT', `/crm/v4/objects/deals/${deal.id}/associations/default/contacts/${contact.id}`);
  const { results } = (await api('GET', '/crm/v3/pipelines/tickets')) as { results: Array<{ id: string; label: string; stages: Array<{ id: string; label: string }> }> };
  const pipeline = results.find((p) => p.label === TICKET_PIPELINE);
  const stage = pipeline?.stages.find((s) => s.label === DRAFT_STAGE);
  if (!pipeline || !stage) throw new Error(`demo data: the HubSpot fake has no "${TICKET_PIPELINE}" pipeline with stage "${DRAFT_STAGE}"`);
  const ticket = await call<{ id: string }>(`${control}/records/tickets`, { body: { properties: { subject: 'Add 20 seats', hs_pipeline: pipeline.id, hs_pipeline_stage: stage.id } } });
  return { ticketId: ticket.id, companyId: company.id, dealId: deal.id, contactEmail };
}
