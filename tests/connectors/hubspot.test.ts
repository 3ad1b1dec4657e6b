/**
 * HubSpot connector tests: every action runs through `@hubspot/api-client` against the local fake over real
 * sockets; failures are checked as the ApplicationFailure Temporal would receive.
 */
import { hubspotConnector, HubSpotClient, type HubSpotConfig } from '../../activities/hubspot';
import { startHubSpotFake, type HubSpotFake } from '../../fakes/hubspot/fake';
import { verifyV3 } from '../../activities/hubspot/webhook';
import { failureOf, runAction, sleep } from './helpers/run-action';
import { startReceiver } from './helpers/receiver';
import { createServer } from 'node:net';

const PROVISIONING = 'PartnerStack Deal Registration and Provisioning';
const DEAL_PIPELINE = 'PartnerStack Deal Pipeline';

let fake: HubSpotFake;
let config: HubSpotConfig;
let client: HubSpotClient;
const run = (name: string, input: unknown, key?: string) => runAction(hubspotConnector, client, name, input, key);

beforeAll(async () => {
  fake = await startHubSpotFake();
  config = hubspotConnector.configFromEnv(fake.env) as HubSpotConfig;
  client = hubspotConnector.createClient(config);
});

afterAll(() => fake.close());

describe('companies', () => {
  test('reads company properties by internal name or label, including "ODB company ID"', async () => {
    const { id } = fake.seedCompany({ properties: { name: 'Acme Ltd', odb_company_id: 'ODB-0042' } });
    const result = await run('hubspot.getCompany', { companyId: id, properties: ['name', 'ODB company ID'] });
    expect(result).toEqual({ id, properties: { name: 'Acme Ltd', 'ODB company ID': 'ODB-0042' } });
  });

  test('reports which mandatory KYC properties of a company are still empty', async () => {
    const { id } = fake.seedCompany({ properties: { name: 'Beta Ltd', business_registration_number: 'BR-1', registered_address: '  ' } });
    const result = await run('hubspot.checkCompanyKyc', {
      companyId: id,
      required: ['Company name', 'Business registration number', 'Registered address', 'Country/Region'],
    });
    expect(result).toMatchObject({ complete: false, missing: ['Registered address', 'Country/Region'] });
  });

  test('says the KYC is complete when every mandatory property is filled', async () => {
    const { id } = fake.seedCompany({ properties: { name: 'Gamma Ltd', country: 'Hong Kong' } });
    const result = await run('hubspot.checkCompanyKyc', { companyId: id, required: ['name', 'country'] });
    expect(result).toMatchObject({ complete: true, missing: [] });
  });

  test('lists the files attached to a company page', async () => {
    const { id, fileIds } = fake.seedCompany({ properties: { name: 'Delta Ltd' }, files: ['BR copy.pdf', 'CI copy.pdf'] });
    const result = (await run('hubspot.listCompanyFiles', { companyId: id })) as { count: number; files: Array<{ id: string; name: string; extension: string }> };
    expect(result.count).toBe(2);
    expect(result.files.map((f) => [f.id, f.name, f.extension])).toEqual([[fileIds[0], 'BR copy', 'pdf'], [fileIds[1], 'CI copy', 'pdf']]);
  });

  test('a property label that does not exist fails without retry and suggests the close match', async () => {
    const { id } = fake.seedCompany({ properties: { name: 'Epsilon Ltd' } });
    const failure = await failureOf(run('hubspot.getCompany', { companyId: id, properties: ['ODB company id#'] }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('unknown companies property "ODB company id#"');
    expect(failure.message).toContain('Did you mean "ODB company ID"');
  });
});

describe('contacts', () => {
  test('creates a contact linked to its company and finds it again by email', async () => {
    const { id: companyId } = fake.seedCompany({ properties: { name: 'Zeta Ltd' } });
    const created = (await run('hubspot.createContact', { email: 'Ann@Zeta.example', firstName: 'Ann', jobTitle: 'CFO', companyId })) as { id: string; created: boolean };
    expect(created.created).toBe(true);
    const found = await run('hubspot.findContact', { email: 'ann@zeta.example' });
    expect(found).toMatchObject({ found: true, id: created.id, properties: { firstname: 'Ann', jobtitle: 'CFO' } });
    expect(fake.associatedIds('contacts', created.id, 'companies')).toEqual([companyId]);
  });

  test('creating a contact whose email exists returns the existing contact instead of a duplicate', async () => {
    const first = (await run('hubspot.createContact', { email: 'bob@eta.example' })) as { id: string };
    const second = await run('hubspot.createContact', { email: 'bob@eta.example', lastName: 'Eta' });
    expect(second).toEqual({ id: first.id, created: false });
    expect(fake.records('contacts').filter((c) => c.properties.email === 'bob@eta.example')).toHaveLength(1);
  });

  test('finding an unknown email answers found: false', async () => {
    await expect(run('hubspot.findContact', { email: 'nobody@nowhere.example' })).resolves.toEqual({ found: false, id: null, properties: {} });
  });
});

describe('deals', () => {
  test('creates a deal in a pipeline named by label and moves it to "Closed won (Approved)"', async () => {
    const { id: companyId } = fake.seedCompany({ properties: { name: 'Theta Ltd' } });
    const deal = (await run('hubspot.createDeal', { name: 'Theta - CINNOX', pipeline: DEAL_PIPELINE, stage: 'Close won', amount: 1200, companyId })) as { id: string };
    expect(fake.stageOf('deals', deal.id)).toBe('Close won');
    expect(fake.associatedIds('deals', deal.id, 'companies')).toEqual([companyId]);

    const moved = await run('hubspot.moveDeal', { dealId: deal.id, pipeline: DEAL_PIPELINE, stage: 'Closed won (approved)' });
    expect(moved).toMatchObject({ stage: 'Closed won (Approved)', changed: true });
    expect(fake.stageOf('deals', deal.id)).toBe('Closed won (Approved)');
    await expect(run('hubspot.getDeal', { dealId: deal.id, properties: ['Deal name'] })).resolves.toMatchObject({
      pipeline: DEAL_PIPELINE, stage: 'Closed won (Approved)', properties: { 'Deal name': 'Theta - CINNOX' },
    });
  });

  test('moving a deal to the stage it is already in succeeds without writing', async () => {
    const dealId = (await run('hubspot.createDeal', { name: 'Iota', pipeline: DEAL_PIPELINE, stage: 'Close won' }) as { id: string }).id;
    const patchesBefore = fake.journal.filter((e) => e.method === 'PATCH').length;
    const moved = await run('hubspot.moveDeal', { dealId, pipeline: DEAL_PIPELINE, stage: 'Close won' });
    expect(moved).toMatchObject({ stage: 'Close won', changed: false });
    expect(fake.journal.filter((e) => e.method === 'PATCH')).toHaveLength(patchesBefore);
  });
});

describe('tickets, notes and associations', () => {
  test('creates a provisioning ticket and moves it through the stages the procedure names', async () => {
    const { id: companyId } = fake.seedCompany({ properties: { name: 'Kappa Ltd' } });
    const ticket = (await run('hubspot.createTicket', {
      subject: 'Kappa Ltd - provisioning', pipeline: PROVISIONING, stage: 'Sales - KYC and pandadoc contract issuance', companyId,
    })) as { id: string };
    expect(fake.stageOf('tickets', ticket.id)).toBe('Sales - KYC and pandadoc contract issuance');

    await run('hubspot.moveTicket', {
      ticketId: ticket.id, pipeline: PROVISIONING, stage: 'IOD - KYC approval and deposit invoice issuance',
      properties: { 'Virtual number details': '+852 5800 0000', 'Effective date': '2026-07-01' },
    });
    expect(fake.record('tickets', ticket.id)?.properties).toMatchObject({ virtual_number_details: '+852 5800 0000', effective_date: '2026-07-01' });
    await run('hubspot.moveTicket', { ticketId: ticket.id, pipeline: PROVISIONING, stage: 'Provisioning Team - Provisioning and approval' });
    await expect(run('hubspot.getTicket', { ticketId: ticket.id })).resolves.toMatchObject({
      pipeline: PROVISIONING, stage: 'Provisioning Team - Provisioning and approval',
    });
  });

  test('creates a ticket in the "Number reservation" pipeline with the requested numbers', async () => {
    const ticket = (await run('hubspot.createTicket', {
      subject: 'Reserve 2 numbers in HK', pipeline: 'Number reservation', stage: 'New request',
      properties: { 'Virtual number country': 'HK', 'Number of virtual numbers': '2' },
    })) as { id: string };
    expect(fake.record('tickets', ticket.id)?.properties).toMatchObject({ subject: 'Reserve 2 numbers in HK', virtual_number_quantity: '2' });
  });

  test('adds a provisioning note to a ticket', async () => {
    const ticketId = (await run('hubspot.createTicket', { subject: 'Lambda', pipeline: PROVISIONING, stage: 'Provisioning Team - Provisioning and approval' }) as { id: string }).id;
    const note = (await run('hubspot.addNote', { objectType: 'tickets', objectId: ticketId, body: 'Login: admin@lambda.example' })) as { id: string };
    expect(fake.record('notes', note.id)?.properties.hs_note_body).toBe('Login: admin@lambda.example');
    expect(fake.associatedIds('tickets', ticketId, 'notes')).toEqual([note.id]);
  });

  test('associates a deal with a company, and repeating it is harmless', async () => {
    const { id: companyId } = fake.seedCompany({ properties: { name: 'Mu Ltd' } });
    const dealId = (await run('hubspot.createDeal', { name: 'Mu', pipeline: DEAL_PIPELINE, stage: 'Deal registered' }) as { id: string }).id;
    await run('hubspot.associate', { fromType: 'deals', fromId: dealId, toType: 'companies', toId: companyId });
    await run('hubspot.associate', { fromType: 'deals', fromId: dealId, toType: 'companies', toId: companyId });
    await expect(run('hubspot.listAssociations', { fromType: 'companies', fromId: companyId, toType: 'deals' })).resolves.toEqual({ count: 1, ids: [dealId] });
  });

  test('an unknown pipeline label fails without retry, naming it and suggesting the close match', async () => {
    const failure = await failureOf(run('hubspot.createTicket', {
      subject: 'x', pipeline: 'PartnerStack Deal Registration and Processing', stage: 'Sales - KYC and pandadoc contract issuance',
    }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('unknown ticket pipeline "PartnerStack Deal Registration and Processing"');
    expect(failure.message).toContain(`Did you mean "${PROVISIONING}"`);
    expect(fake.records('tickets').some((t) => t.properties.subject === 'x')).toBe(false);
  });

  test('an ambiguous stage label fails without retry and lists the candidates', async () => {
    fake.addPipeline('tickets', 'Duplicated stages', ['Waiting', 'waiting ']);
    const failure = await failureOf(run('hubspot.createTicket', { subject: 'y', pipeline: 'Duplicated stages', stage: 'Waiting' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/stage "Waiting" in ticket pipeline "Duplicated stages" is ambiguous: it matches "Waiting" \(id \d+\), "waiting " \(id \d+\)/);
  });
});

describe('idempotency under retry', () => {
  test('the same create-ticket step run twice creates one ticket', async () => {
    const key = 'wf-42:create-ticket';
    const input = { subject: 'Nu Ltd - provisioning', pipeline: PROVISIONING, stage: 'Sales - KYC and pandadoc contract issuance' };
    const first = (await run('hubspot.createTicket', input, key)) as { id: string; created: boolean };
    const second = (await run('hubspot.createTicket', input, key)) as { id: string; created: boolean };
    expect(first.created).toBe(true);
    expect(second).toEqual({ id: first.id, created: false });
    expect(fake.records('tickets').filter((t) => t.properties.wf_request_key === key)).toHaveLength(1);
  });

  test('the same add-note step run twice adds one note', async () => {
    const ticketId = (await run('hubspot.createTicket', { subject: 'Xi', pipeline: PROVISIONING, stage: 'Sales - KYC and pandadoc contract issuance' }) as { id: string }).id;
    const input = { objectType: 'tickets', objectId: ticketId, body: 'Provisioned' };
    await run('hubspot.addNote', input, 'wf-43:note');
    await run('hubspot.addNote', input, 'wf-43:note');
    expect(fake.associatedIds('tickets', ticketId, 'notes')).toHaveLength(1);
  });

  test('a clash on another unique property is a non-retryable conflict, not mistaken for an earlier attempt', async () => {
    fake.defineProperty('tickets', { name: 'external_ref', label: 'External reference', hasUniqueValue: true });
    const input = { subject: 'Phi', pipeline: 'Number reservation', stage: 'New request', properties: { 'External reference': 'EXT-1' } };
    await run('hubspot.createTicket', input, 'wf-45:first');
    const failure = await failureOf(run('hubspot.createTicket', input, 'wf-45:second'));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('upsert tickets answered 409');
    expect(fake.records('tickets').filter((t) => t.properties.external_ref === 'EXT-1')).toHaveLength(1);
  });

  test('a create whose answer was lost to a timeout is not repeated by the retry', async () => {
    const impatient = new HubSpotClient({ ...config, timeoutMs: 300 });
    const key = 'wf-44:create-deal';
    const input = { name: 'Omicron', pipeline: DEAL_PIPELINE, stage: 'Deal registered' };
    // Reading a deal fills this client's pipeline cache, so the slow answer below hits the create itself.
    await runAction(hubspotConnector, impatient, 'hubspot.createDeal', input); // and its marker check
    fake.injectFault({ kind: 'delay', delayMs: 800 });
    const failure = await failureOf(runAction(hubspotConnector, impatient, 'hubspot.createDeal', input, key));
    expect(failure.nonRetryable).toBe(false);
    await sleep(800); // the slow create lands after the client gave up
    const retried = await runAction(hubspotConnector, impatient, 'hubspot.createDeal', input, key);
    expect(retried).toMatchObject({ created: false });
    expect(fake.records('deals').filter((d) => d.properties.wf_request_key === key)).toHaveLength(1);
  });
});

describe('the contradictions of issue 8, caught against the contract', () => {
  const token = () => ({ authorization: `Bearer ${config.accessToken}`, 'content-type': 'application/json' });

  test('HubSpot refuses a unique property on notes, so the note marker is created as a plain property and the ticket marker as unique', async () => {
    const refused = await fetch(`${fake.url}/crm/v3/properties/notes`, {
      method: 'POST', headers: token(),
      body: JSON.stringify({ name: 'unique_note_key', label: 'Unique note key', type: 'string', fieldType: 'text', groupName: 'engagement', hasUniqueValue: true }),
    });
    expect(refused.status).toBe(400);
    await expect(refused.json()).resolves.toMatchObject({ status: 'error', category: 'VALIDATION_ERROR' });

    const ticket = (await run('hubspot.createTicket', { subject: 'Marker', pipeline: 'Number reservation', stage: 'New request' })) as { id: string };
    await run('hubspot.addNote', { objectType: 'tickets', objectId: ticket.id, body: 'marker check' });
    const property = (type: string) => fetch(`${fake.url}/crm/v3/properties/${type}/wf_request_key`, { headers: token() }).then((r) => r.json());
    await expect(property('tickets')).resolves.toMatchObject({ name: 'wf_request_key', hasUniqueValue: true });
    await expect(property('notes')).resolves.toMatchObject({ name: 'wf_request_key', hasUniqueValue: false });
  });

  test('a marker property that exists but is not unique is reported for a person to fix, not used', async () => {
    fake.defineProperty('companies', { name: 'wf_request_key', label: 'Workflow request key', hasUniqueValue: false });
    const fresh = new HubSpotClient(config);
    await expect(fresh.ensureMarker('hubspot.test', 'companies')).rejects.toThrow('hubspot.test: the companies property wf_request_key exists but is not unique');
  });

  test('a note whose create answer was lost is found on the retry through its record, even while search lags', async () => {
    const impatient = new HubSpotClient({ ...config, timeoutMs: 300 });
    const ticket = (await run('hubspot.createTicket', { subject: 'Lagging note', pipeline: 'Number reservation', stage: 'New request' })) as { id: string };
    const input = { objectType: 'tickets', objectId: ticket.id, body: 'Provisioned after lag' };
    await runAction(hubspotConnector, impatient, 'hubspot.addNote', input); // warm the marker check
    fake.setSearchLag(60_000); // search would not see the note for a minute
    try {
      fake.injectFault({ kind: 'delay', delayMs: 0, times: 2 }); // the read-back of the ticket's notes answers at once
      fake.injectFault({ kind: 'delay', delayMs: 800, times: 1 }); // the create lands, its answer is lost
      await failureOf(runAction(hubspotConnector, impatient, 'hubspot.addNote', input, 'wf-50:note'));
      await sleep(800);
      await expect(runAction(hubspotConnector, impatient, 'hubspot.addNote', input, 'wf-50:note', 2)).resolves.toMatchObject({ created: false });
      const notes = fake.associatedIds('tickets', ticket.id, 'notes').map((id) => fake.record('notes', id)?.properties.wf_request_key);
      expect(notes.filter((key) => key === 'wf-50:note')).toHaveLength(1);
    } finally {
      fake.setSearchLag(0);
    }
  });

  test('deals and tickets are created through batch/upsert by the unique marker, the documented idempotent create', async () => {
    const before = fake.journal.length;
    await run('hubspot.createDeal', { name: 'Upserted', pipeline: DEAL_PIPELINE, stage: 'Deal registered' }, 'wf-51:deal');
    const calls = fake.journal.slice(before).map((e) => `${e.method} ${e.path}`);
    expect(calls).toContain('POST /crm/v3/objects/deals/batch/upsert');
    expect(calls).not.toContain('POST /crm/v3/objects/deals');
    await expect(run('hubspot.createDeal', { name: 'Upserted', pipeline: DEAL_PIPELINE, stage: 'Deal registered' }, 'wf-51:deal')).resolves.toMatchObject({ created: false });
    expect(fake.records('deals').filter((d) => d.properties.wf_request_key === 'wf-51:deal')).toHaveLength(1);
  });

  test('answers carry HubSpot\'s rate-limit headers (search answers do not)', async () => {
    const answer = await fetch(`${fake.url}/crm/v3/pipelines/tickets`, { headers: token() });
    expect(answer.headers.get('x-hubspot-ratelimit-max')).toBe('190');
    expect(answer.headers.get('x-hubspot-ratelimit-interval-milliseconds')).toBe('10000');
    expect(Number(answer.headers.get('x-hubspot-ratelimit-remaining'))).toBeLessThan(190);
    expect(answer.headers.get('x-hubspot-ratelimit-daily-remaining')).not.toBeNull();
    const search = await fetch(`${fake.url}/crm/v3/objects/tickets/search`, { method: 'POST', headers: token(), body: JSON.stringify({ limit: 1 }) });
    expect(search.status).toBe(200);
    expect(search.headers.get('x-hubspot-ratelimit-max')).toBeNull();
  });

  test('a daily-limit 429 is not retried within the day: it fails for a person to retry after midnight', async () => {
    const { id } = fake.seedCompany({ properties: { name: 'Daily Ltd' } });
    await run('hubspot.getCompany', { companyId: id });
    fake.exhaustDailyLimit();
    const failure = await failureOf(run('hubspot.getCompany', { companyId: id }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain("HubSpot's daily API limit is used up; it resets at midnight in the portal's time zone");
  });

  test('uploads a file to /files/v3/files and attaches it to a ticket as a note, once per step', async () => {
    const ticket = (await run('hubspot.createTicket', { subject: 'CSR 106', pipeline: 'Number reservation', stage: 'New request' })) as { id: string };
    const input = { objectType: 'tickets', objectId: ticket.id, file: { fileName: 'CSR106.pdf', contentBase64: Buffer.from('%PDF csr106').toString('base64') }, note: 'CSR 106 form' };
    const first = (await run('hubspot.attachFile', input, 'wf-52:csr106')) as { fileId: string; noteId: string; created: boolean };
    const second = (await run('hubspot.attachFile', input, 'wf-52:csr106')) as { fileId: string; noteId: string; created: boolean };
    expect(second).toEqual({ ...first, created: false });
    expect(fake.files().filter((f) => f.name === 'CSR106')).toHaveLength(1);
    expect(fake.record('notes', first.noteId)?.properties).toMatchObject({ hs_attachment_ids: first.fileId, hs_note_body: 'CSR 106 form' });
    const upload = fake.journal.find((e) => e.path === '/files/v3/files');
    expect(upload?.status).toBe(201);
  });

  test('an upload without the documented options field is refused, naming it', async () => {
    const form = new FormData();
    form.append('file', new Blob(['x']), 'x.txt');
    form.append('folderPath', '/x');
    const response = await fetch(`${fake.url}/files/v3/files`, { method: 'POST', headers: { authorization: `Bearer ${config.accessToken}` }, body: form });
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toMatchObject({ status: 'error', message: expect.stringContaining('options') });
  });
});

describe('failures and retry classification', () => {
  test('a 429 with Retry-After becomes a retryable failure whose next retry delay is the advertised delay, and the retry succeeds', async () => {
    const { id } = fake.seedCompany({ properties: { name: 'Pi Ltd' } });
    await run('hubspot.getCompany', { companyId: id }); // warm the property cache: the 429 must hit the record read
    fake.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 1 });
    const failure = await failureOf(run('hubspot.getCompany', { companyId: id }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(1000);
    expect(failure.message).toContain('hubspot.getCompany');
    await sleep(Number(failure.nextRetryDelay));
    await expect(run('hubspot.getCompany', { companyId: id })).resolves.toMatchObject({ id, properties: { name: 'Pi Ltd' } });
  });

  test("a 429 without Retry-After waits HubSpot's rate-limit window", async () => {
    const { id } = fake.seedCompany({ properties: { name: 'Rho Ltd' } });
    fake.injectFault({ kind: 'status', status: 429, headers: { 'X-HubSpot-RateLimit-Interval-Milliseconds': '10000', 'X-HubSpot-RateLimit-Remaining': '0' } });
    const failure = await failureOf(run('hubspot.getCompany', { companyId: id }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(10_000);
  });

  test('a 500 is classified retryable and the next attempt succeeds', async () => {
    const { id } = fake.seedCompany({ properties: { name: 'Sigma Ltd', country: 'SG' } });
    fake.injectFault({ kind: 'status', status: 500 });
    const failure = await failureOf(run('hubspot.checkCompanyKyc', { companyId: id, required: ['country'] }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.type).toBe('ConnectorRetryableError');
    await expect(run('hubspot.checkCompanyKyc', { companyId: id, required: ['country'] })).resolves.toMatchObject({ complete: true });
  });

  test('a 400 fails at once with a message naming the system, the action and the field', async () => {
    const failure = await failureOf(run('hubspot.createTicket', {
      subject: 'Tau', pipeline: 'Number reservation', stage: 'New request', properties: { 'Number of virtual numbers': 'two' },
    }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^hubspot.createTicket: upsert tickets answered 400: field "virtual_number_quantity"/);
    expect(failure.details?.[0]).toMatchObject({ system: 'hubspot', action: 'hubspot.createTicket', status: 400, field: 'virtual_number_quantity' });
  });

  test('a wrong access token gives a non-retryable failure that does not reveal the token', async () => {
    const wrongToken = 'pat-wrong-0123456789abcdef';
    const stranger = new HubSpotClient({ ...config, accessToken: wrongToken });
    const failure = await failureOf(runAction(hubspotConnector, stranger, 'hubspot.getCompany', { companyId: '1001', properties: ['name'] }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('answered 401: credentials rejected');
    expect(JSON.stringify([failure.message, failure.details])).not.toContain(wrongToken);
    expect(failure.message).not.toContain(config.accessToken);
  });

  test('an unreachable HubSpot is a retryable failure', async () => {
    // A port that was just freed: the connection is refused. (Not port 9: fetch refuses it as a "bad port"
    // before connecting, which is not the outage this test is about.)
    const nowhere = new HubSpotClient({ ...config, baseUrl: `http://127.0.0.1:${await freedPort()}` });
    const failure = await failureOf(runAction(hubspotConnector, nowhere, 'hubspot.getCompany', { companyId: '1001' }));
    expect(failure.nonRetryable).toBe(false);
  });
});

describe('webhooks', () => {
  test('a delivery signed by the fake the way HubSpot signs (v3) is accepted', async () => {
    const receiver = await startReceiver('/webhooks/hubspot?portal=1');
    try {
      await fake.sendWebhook(receiver.url, [{ subscriptionType: 'ticket.propertyChange', objectId: 1001, propertyName: 'hs_pipeline_stage', propertyValue: '7' }]);
      const [delivery] = receiver.deliveries;
      expect(JSON.parse(delivery.rawBody)[0]).toMatchObject({ subscriptionType: 'ticket.propertyChange', propertyName: 'hs_pipeline_stage' });
      expect(verifyV3(fake.webhookSecret, { method: delivery.method, url: receiver.url, rawBody: delivery.rawBody, headers: delivery.headers })).toEqual({ ok: true });
    } finally {
      await receiver.close();
    }
  });

  test('a forged, tampered, unsigned or stale delivery is refused with the reason', async () => {
    const receiver = await startReceiver('/webhooks/hubspot');
    try {
      await fake.sendWebhook(receiver.url, [{ subscriptionType: 'deal.propertyChange', objectId: 1 }], { secret: 'not-the-secret' });
      await fake.sendWebhook(receiver.url, [{ subscriptionType: 'deal.propertyChange', objectId: 2 }], { timestamp: Date.now() - 6 * 60 * 1000 });
      await fake.sendWebhook(receiver.url, [{ subscriptionType: 'deal.propertyChange', objectId: 3 }]);
      const [forged, stale, genuine] = receiver.deliveries;
      const verify = (d: typeof genuine, overrides: Partial<{ rawBody: string; headers: typeof genuine.headers }> = {}) =>
        verifyV3(fake.webhookSecret, { method: d.method, url: receiver.url, rawBody: d.rawBody, headers: d.headers, ...overrides });
      expect(verify(forged)).toEqual({ ok: false, reason: 'signature-mismatch' });
      expect(verify(stale)).toEqual({ ok: false, reason: 'stale-timestamp' });
      expect(verify(genuine, { rawBody: genuine.rawBody.replace('"objectId":3', '"objectId":4') })).toEqual({ ok: false, reason: 'signature-mismatch' });
      expect(verify(genuine, { headers: { ...genuine.headers, 'x-hubspot-signature-v3': undefined } })).toEqual({ ok: false, reason: 'missing-signature' });
      expect(verify(genuine)).toEqual({ ok: true });
    } finally {
      await receiver.close();
    }
  });
});

describe('the fake and the configuration', () => {
  test('the fake can be seeded, inspected and given faults over HTTP under /__control', async () => {
    const seeded = await fetch(`${fake.url}/__control/companies`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ properties: { name: 'Upsilon Ltd' }, files: ['SOF.pdf'] }),
    }).then((r) => r.json() as Promise<{ id: string; fileIds: string[] }>);
    expect(seeded.fileIds).toHaveLength(1);
    await expect(run('hubspot.listCompanyFiles', { companyId: seeded.id })).resolves.toMatchObject({ count: 1 });

    const fault = await fetch(`${fake.url}/__control/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'status', status: 503 }) });
    expect(fault.status).toBe(204);
    expect((await failureOf(run('hubspot.getCompany', { companyId: seeded.id }))).nonRetryable).toBe(false);

    const listed = await fetch(`${fake.url}/__control/records/companies`).then((r) => r.json() as Promise<{ results: Array<{ id: string }> }>);
    expect(listed.results.map((r) => r.id)).toContain(seeded.id);
    const journal = await fetch(`${fake.url}/__control/journal`).then((r) => r.json() as Promise<{ entries: Array<{ status: number }> }>);
    expect(journal.entries.some((e) => e.status === 503)).toBe(true);
  });

  test('the fake refuses requests without the bearer token', async () => {
    const response = await fetch(`${fake.url}/crm/v3/pipelines/tickets`);
    expect(response.status).toBe(401);
    await expect(response.json()).resolves.toMatchObject({ status: 'error', category: 'INVALID_AUTHENTICATION' });
  });

  test('configuration comes from HUBSPOT_* variables and is absent without a token', () => {
    expect(hubspotConnector.configFromEnv({})).toBeUndefined();
    expect(hubspotConnector.configFromEnv({ HUBSPOT_ACCESS_TOKEN: 'pat-1', HUBSPOT_BASE_URL: 'http://127.0.0.1:1234' })).toEqual({
      accessToken: 'pat-1', baseUrl: 'http://127.0.0.1:1234', timeoutMs: 15_000, uploadsDir: expect.stringMatching(/\.data[\\/]uploads$/),
    });
    // hubspot.attachFile reads form uploads from the store the API writes them to.
    expect(hubspotConnector.configFromEnv({ HUBSPOT_ACCESS_TOKEN: 'pat-1', OPS_UPLOADS_DIR: '/srv/ops/uploads' })?.uploadsDir).toBe('/srv/ops/uploads');
    expect(() => hubspotConnector.configFromEnv({ HUBSPOT_ACCESS_TOKEN: 'pat-secret', HUBSPOT_BASE_URL: 'not a url' })).toThrow(/invalid HubSpot configuration: baseUrl$/);
  });
});

describe('the contract', () => {
  test('every answer the fake gave in this file matched the HubSpot contract', () => {
    expect(fake.breaches()).toEqual([]);
  });
});

/** A loopback port nothing listens on: bound, then released. */
async function freedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}
