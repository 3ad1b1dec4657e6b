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
 * - deal-provisioning (and its number-reservation): PartnerStack reseller partner "Nimbus Resellers", and the
 *   HubSpot company "Harbour Trading Ltd" Sales created before registering (KYC files, ODB company ID) with
 *   its contact Ben Wu; `fake register-deal` then registers a deal as the partner would in the portal.
 * - channel-partner-request: Salesforce organisation "Green Light Solar" with its account manager and the
 *   administrator's contact (ada@greenlight.example); `fake submit-form` fills in the Channel Partner Form.
 * - reseller-creation: Salesforce user Nina Park (the Partnerships owner) and account "Bright Dental Partners".
 * - reseller-deal-registration: Salesforce users "Pending Deal Registration Queue" and "Partnership Team",
 *   and the customer's account "Contoso Dental" (its id approves the registration).
 * The PandaDoc SOF, DocuSign Reseller Agreement, Jira Customer Success and CXone quick-reply records those
 * processes also need are in those fakes' own default seed.
 */
import type { Sandbox } from './index';
import { callJson as call } from './shared/http';

export interface DemoData {
  partners: Array<{ name: string; key: string; email: string; rewards: Array<{ key: string; amountCents: number; status: string }> }>;
  serviceAmendment: { ticketId: string; companyId: string; dealId: string; contactEmail: string };
  dealProvisioning: { partnerKey: string; partnerName: string; partnerEmail: string; companyId: string; accountName: string; contactEmail: string };
  channelPartner: { company: string; accountId: string; adminEmail: string };
  resellerCreation: { resellerName: string; accountId: string; owner: string };
  dealRegistration: { customerName: string; customerAccountId: string };
}

const TICKET_PIPELINE = 'CINNOX service addition / amendment / termination';
const DRAFT_STAGE = 'Sales - Draft / Returned';

export async function loadDemoData(sandbox: Sandbox): Promise<Partial<DemoData>> {
  const started = new Set(sandbox.fakes.map((f) => f.system));
  const demo: Partial<DemoData> = {};
  if (started.has('partnerstack')) demo.partners = await partnerstackDemo(controlOf(sandbox, 'partnerstack'));
  if (started.has('salesforce')) Object.assign(demo, await salesforceDemo(controlOf(sandbox, 'salesforce')));
  if (started.has('hubspot')) demo.serviceAmendment = await hubspotDemo(sandbox);
  if (started.has('partnerstack') && started.has('hubspot')) demo.dealProvisioning = await dealProvisioningDemo(sandbox);
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
  const deal = demo.dealProvisioning;
  if (deal) lines.push(`demo deal registration: partnerKey ${deal.partnerKey} (${deal.partnerName}, reseller partner, ${deal.partnerEmail}), HubSpot companyId ${deal.companyId} (${deal.accountName}, contact ${deal.contactEmail})`);
  const channel = demo.channelPartner;
  if (channel) lines.push(`demo channel-partner request: organisation ${channel.company} (Salesforce account ${channel.accountId}), administrator ${channel.adminEmail}`);
  const reseller = demo.resellerCreation;
  if (reseller) lines.push(`demo new reseller: ${reseller.resellerName} (Salesforce account ${reseller.accountId}), owner ${reseller.owner}`);
  const registration = demo.dealRegistration;
  if (registration) lines.push(`demo reseller deal registration: customer ${registration.customerName}, customerAccountId ${registration.customerAccountId}`);
  return lines;
}

function controlOf(sandbox: Sandbox, system: string): string {
  return `${new URL(sandbox.fake(system).url).origin}/__control`;
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

async function salesforceDemo(control: string): Promise<Pick<DemoData, 'channelPartner' | 'resellerCreation' | 'dealRegistration'>> {
  const seed = (type: string, fields: Record<string, unknown>) => call<{ Id: string }>(`${control}/records`, { body: { type, fields } });
  for (const name of ['Acme Resellers', 'Bright Partners']) {
    const account = await seed('Account', { Name: name });
    await seed('Asset', { Name: 'Reseller licence', AccountId: account.Id, Price: 0, Status: 'Installed' });
    await seed('Asset', { Name: 'CINNOX contact centre, 20 seats', AccountId: account.Id, Price: 1200, Status: 'Installed' });
  }
  // The channel-partner request: the organisation asking (its owner is the account manager tagged) and the administrator filling in the form.
  const manager = await seed('User', { Name: 'Morgan Lee', Email: 'morgan.lee@everbright.example' });
  const organisation = await seed('Account', { Name: 'Green Light Solar', OwnerId: manager.Id });
  const adminEmail = 'ada@greenlight.example';
  await seed('Contact', { FirstName: 'Ada', LastName: 'Admin', Email: adminEmail, AccountId: organisation.Id });
  // The new reseller: its account, and the Partnerships owner of the opportunity.
  await seed('User', { Name: 'Nina Park', Email: 'nina.park@everbright.example' });
  const reseller = await seed('Account', { Name: 'Bright Dental Partners' });
  // The reseller deal registration: the queue's and the team's users, and the customer's account.
  await seed('User', { Name: 'Pending Deal Registration Queue', Email: 'deal-queue@everbright.example' });
  await seed('User', { Name: 'Partnership Team', Email: 'partnerships@everbright.example' });
  const customer = await seed('Account', { Name: 'Contoso Dental' });
  return {
    channelPartner: { company: 'Green Light Solar', accountId: organisation.Id, adminEmail },
    resellerCreation: { resellerName: 'Bright Dental Partners', accountId: reseller.Id, owner: 'Nina Park' },
    dealRegistration: { customerName: 'Contoso Dental', customerAccountId: customer.Id },
  };
}

/**
 * Deal provisioning: the reseller partner who registers the deal, and the company and contact Sales created
 * in HubSpot first (seed 000, step 1), with its KYC files and ODB company ID, so no detour is needed.
 */
async function dealProvisioningDemo(sandbox: Sandbox): Promise<DemoData['dealProvisioning']> {
  const partnerEmail = 'deals@nimbus-resellers.example';
  const partner = await call<{ key: string }>(`${controlOf(sandbox, 'partnerstack')}/partners`, { body: { email: partnerEmail, firstName: 'Nimbus', lastName: 'Resellers' } });
  const fake = sandbox.fake<import('./hubspot/fake').HubSpotFake>('hubspot');
  const control = controlOf(sandbox, 'hubspot');
  const accountName = 'Harbour Trading Ltd';
  const company = await call<{ id: string }>(`${control}/companies`, {
    body: { properties: { name: accountName, odb_company_id: 'ODB-1001', country: 'Hong Kong' }, files: ['BR copy.pdf', 'CI copy.pdf'] },
  });
  const contactEmail = 'ben.wu@harbour-trading.example';
  const contact = await call<{ id: string }>(`${control}/records/contacts`, { body: { properties: { email: contactEmail, firstname: 'Ben', lastname: 'Wu' } } });
  await call(`${fake.url}/crm/v4/objects/companies/${company.id}/associations/default/contacts/${contact.id}`, { method: 'PUT', headers: { authorization: `Bearer ${fake.accessToken}` } });
  return { partnerKey: partner.key, partnerName: 'Nimbus Resellers', partnerEmail, companyId: company.id, accountName, contactEmail };
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
