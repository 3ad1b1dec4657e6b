/**
 * PartnerStack connector tests: every action runs through the typed HTTP client against the local fake over
 * real sockets; failures are checked as the ApplicationFailure Temporal would receive. Also covers the shared
 * HTTP client's 401-refresh, timeout and response-check behaviour, using this fake as the server.
 */
import { partnerstackConnector, PartnerStackClient, type PartnerStackConfig } from '../../activities/partnerstack';
import { startPartnerStackFake, type PartnerStackFake } from '../../fakes/partnerstack/fake';
import { confirmEvent, verifyPathToken } from '../../activities/partnerstack/webhook';
import { ConnectorError } from '../../activities/shared/errors';
import { createHttpClient } from '../../activities/shared/http';
import { z } from 'zod';
import { failureOf, runAction, sleep } from './helpers/run-action';
import { startReceiver } from './helpers/receiver';

let fake: PartnerStackFake;
let config: PartnerStackConfig;
let client: PartnerStackClient;
const run = (name: string, input: unknown, key?: string) => runAction(partnerstackConnector, client, name, input, key);
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

beforeAll(async () => {
  fake = await startPartnerStackFake();
  config = partnerstackConnector.configFromEnv(fake.env) as PartnerStackConfig;
  client = partnerstackConnector.createClient(config);
});

afterAll(() => fake.close());

describe('partners and commissions', () => {
  test('finds a partner by email, and answers found: false for an unknown one', async () => {
    const partner = fake.seedPartner({ email: 'reseller@alpha.example', firstName: 'Alpha', lastName: 'Reseller' });
    await expect(run('partnerstack.findPartner', { email: 'Reseller@Alpha.example' })).resolves.toEqual({
      found: true, partner: { key: partner.key, email: 'reseller@alpha.example', name: 'Alpha Reseller', group: 'Reseller Partners', archived: false },
    });
    await expect(run('partnerstack.findPartner', { email: 'nobody@nowhere.example' })).resolves.toEqual({ found: false, partner: null });
  });

  test('reads a partner by key with its group, which tells a reseller from an individual virtual sales partner; an unknown key fails without retry', async () => {
    const group = fake.seedGroup('Individual Virtual Sales');
    const partner = fake.seedPartner({ email: 'vs@delta.example', firstName: 'Vera', lastName: 'Sales', groupKey: group.key });
    await expect(run('partnerstack.getPartner', { partnerKey: partner.key })).resolves.toEqual({
      key: partner.key, email: 'vs@delta.example', name: 'Vera Sales', group: 'Individual Virtual Sales', archived: false,
    });
    const failure = await failureOf(run('partnerstack.getPartner', { partnerKey: 'part_missing' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('partnerstack.getPartner: PartnerStack knows no partner part_missing');
  });

  test('archives (the portal\'s "Delete partner") a partner found by email, and a second run changes nothing', async () => {
    const partner = fake.seedPartner({ email: 'leaving@beta.example' });
    await expect(run('partnerstack.archivePartner', { email: 'leaving@beta.example' }, 'wf-1:delete-partner')).resolves.toEqual({
      partnerKey: partner.key, archived: true, alreadyArchived: false,
    });
    await expect(run('partnerstack.archivePartner', { email: 'leaving@beta.example' }, 'wf-1:delete-partner')).resolves.toMatchObject({ alreadyArchived: true });
    expect(fake.state().archived).toContain(partner.key);
    expect(fake.journal.filter((e) => e.method === 'DELETE' && e.path.endsWith(partner.key))).toHaveLength(1);
  });

  test('archiving a partner that does not exist fails without retry, naming the partner', async () => {
    const failure = await failureOf(run('partnerstack.archivePartner', { partnerKey: 'part_missing' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('partnerstack.archivePartner: PartnerStack knows no partner part_missing');
  });

  test('counts the commissions still owed to a partner and leaves out the paid ones', async () => {
    const partner = fake.seedPartner({ email: 'owed@gamma.example' });
    fake.seedReward({ partnerKey: partner.key, amount: 10_000, status: 'pending' });
    fake.seedReward({ partnerKey: partner.key, amount: 5_000, status: 'approved' });
    fake.seedReward({ partnerKey: partner.key, amount: 7_000, status: 'paid' });
    const result = (await run('partnerstack.openCommissions', { partnerKey: partner.key })) as { count: number; totalAmount: number; items: Array<{ status: string }> };
    expect(result.count).toBe(2);
    expect(result.totalAmount).toBe(15_000);
    expect(result.items.map((i) => i.status).sort()).toEqual(['approved', 'pending']);
  });

  test('follows the list cursor across pages when a partner has many commissions', async () => {
    const partner = fake.seedPartner({ email: 'busy@delta.example' });
    for (let i = 0; i < 260; i++) fake.seedReward({ partnerKey: partner.key, amount: 100, status: 'pending' });
    await expect(run('partnerstack.openCommissions', { partnerKey: partner.key })).resolves.toMatchObject({ count: 260, totalAmount: 26_000 });
    expect(fake.journal.filter((e) => e.path === '/api/v2/rewards' && e.query.keywords === partner.key)).toHaveLength(2);
  });
});

describe('the contradictions of issue 8, caught against the contract', () => {
  test('open commissions read reward_status and partnership.key: another partner\'s rewards and settled ones are left out', async () => {
    const mine = fake.seedPartner({ email: 'mine@omicron.example' });
    const other = fake.seedPartner({ email: 'other@omicron.example' });
    fake.seedReward({ partnerKey: mine.key, amount: 1_000, status: 'hold' });
    fake.seedReward({ partnerKey: mine.key, amount: 2_000, status: 'pending' });
    fake.seedReward({ partnerKey: mine.key, amount: 4_000, status: 'declined' });
    fake.seedReward({ partnerKey: mine.key, amount: 8_000, status: 'paid' });
    fake.seedReward({ partnerKey: other.key, amount: 16_000, status: 'approved' });
    const result = (await run('partnerstack.openCommissions', { partnerKey: mine.key })) as { count: number; totalAmount: number; items: Array<{ status: string }> };
    expect(result).toMatchObject({ count: 2, totalAmount: 3_000 });
    expect(result.items.map((i) => i.status).sort()).toEqual(['hold', 'pending']);
  });

  test('the rewards list has no partner_key filter: the fake refuses it in PartnerStack\'s error shape', async () => {
    const response = await fetch(`${fake.url}/v2/rewards?partner_key=part_x`, { headers: { authorization: basic(config.publicKey, config.secretKey) } });
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toEqual({ status: 400, message: 'partner_key is not a documented query parameter' });
  });

  test('a partner key PartnerStack does not know is an error, never "nothing owed"', async () => {
    const failure = await failureOf(run('partnerstack.openCommissions', { partnerKey: 'part_mistyped' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('partnerstack.openCommissions: PartnerStack knows no partner part_mistyped');
    expect(failure.details?.[0]).toMatchObject({ status: 404, field: 'partnerKey' });
  });

  test('partners are found by email without the undocumented email filter, and archived ones through include_archived', async () => {
    const partner = fake.seedPartner({ email: 'gone@pi.example' });
    fake.archivePartner(partner.key);
    await expect(run('partnerstack.findPartner', { email: 'gone@pi.example' })).resolves.toMatchObject({ found: true, partner: { key: partner.key, archived: true } });
    expect(fake.journal.some((e) => e.path === '/api/v2/partnerships' && 'email' in e.query)).toBe(false);
    const refused = await fetch(`${fake.url}/v2/partnerships?email=gone@pi.example`, { headers: { authorization: basic(config.publicKey, config.secretKey) } });
    expect(refused.status).toBe(400);
  });

  test('a deal is found by its external key on the deal path, without listing every deal', async () => {
    const partner = fake.seedPartner({ email: 'seller@rho.example' });
    const { key } = (await run('partnerstack.createDeal', { partnerKey: partner.key, accountName: 'Rho', stage: 'Deal registered', externalKey: 'hs-deal-77' })) as { key: string };
    const before = fake.journal.length;
    await expect(run('partnerstack.findDeal', { externalKey: 'hs-deal-77' })).resolves.toMatchObject({ found: true, deal: { key } });
    expect(fake.journal.slice(before).map((e) => `${e.method} ${e.path}`)).toEqual(['GET /api/v2/deals/hs-deal-77']);
    await expect(run('partnerstack.findDeal', { externalKey: 'hs-deal-77', partnerKey: 'part_someone_else' })).resolves.toEqual({ found: false, deal: null });
  });

  test('a webhook delivery is the record itself with a top-level event and strings for booleans, and is read back', async () => {
    const partner = fake.seedPartner({ email: 'seller@sigma.example' });
    const receiver = await startReceiver('/webhooks/partnerstack/token-0123456789abcdef');
    try {
      await fake.sendWebhook(receiver.url, 'partnership.updated', { ...partner, partner_key: partner.key, archived: false });
      const body = JSON.parse(receiver.deliveries[0].rawBody) as Record<string, unknown>;
      expect(body).toMatchObject({ event: 'partnership.updated', key: partner.key, partner_key: partner.key, archived: 'false' });
      expect(body).not.toHaveProperty('data');
      await expect(confirmEvent(client, body)).resolves.toMatchObject({ kind: 'partnership', record: { key: partner.key, email: 'seller@sigma.example' } });
    } finally {
      await receiver.close();
    }
  });

  test('a deal body the API would refuse is refused by the fake, naming the field', async () => {
    const response = await fetch(`${fake.url}/v2/deals`, {
      method: 'POST',
      headers: { authorization: basic(config.publicKey, config.secretKey), 'content-type': 'application/json' },
      body: JSON.stringify({ partner_key: 'part_x', account_name: 'X', amount: '12.50' }),
    });
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toMatchObject({ status: 400, message: expect.stringContaining('amount') });
  });
});

describe('deals and customers', () => {
  test('registers a deal, reads it, and moves it to "Close won"', async () => {
    const partner = fake.seedPartner({ email: 'seller@epsilon.example' });
    const created = (await run('partnerstack.createDeal', { partnerKey: partner.key, accountName: 'Epsilon Ltd', stage: 'Deal registered', amount: 120_000, externalKey: 'hs-deal-1001' })) as { key: string; created: boolean };
    expect(created.created).toBe(true);
    await expect(run('partnerstack.getDeal', { dealKey: created.key })).resolves.toMatchObject({ accountName: 'Epsilon Ltd', stage: 'Deal registered', externalKey: 'hs-deal-1001', partnerKey: partner.key });
    await expect(run('partnerstack.moveDeal', { dealKey: created.key, stage: 'Close won' })).resolves.toEqual({ key: created.key, stage: 'Close won', changed: true });
    expect(fake.state().deals.find((d) => d.key === created.key)?.stage).toBe('Close won');
    await expect(run('partnerstack.findDeal', { externalKey: 'hs-deal-1001' })).resolves.toMatchObject({ found: true, deal: { key: created.key, stage: 'Close won' } });
  });

  test('moving a deal to the stage it is already in succeeds without writing', async () => {
    const partner = fake.seedPartner({ email: 'seller@zeta.example' });
    const { key } = (await run('partnerstack.createDeal', { partnerKey: partner.key, accountName: 'Zeta', stage: 'Contract sent' })) as { key: string };
    fake.setDealStage(key, 'Close won'); // e.g. the HubSpot sync got there first
    await expect(run('partnerstack.moveDeal', { dealKey: key, stage: 'Close won' })).resolves.toMatchObject({ changed: false });
    expect(fake.journal.filter((e) => e.method === 'PATCH' && e.path.endsWith(key))).toHaveLength(0);
  });

  test('the same create-deal step run twice registers one deal', async () => {
    const partner = fake.seedPartner({ email: 'seller@eta.example' });
    const input = { partnerKey: partner.key, accountName: 'Eta Ltd', stage: 'Deal registered' };
    const first = (await run('partnerstack.createDeal', input, 'wf-7:register-deal')) as { key: string };
    const second = await run('partnerstack.createDeal', input, 'wf-7:register-deal');
    expect(second).toEqual({ key: first.key, created: false });
    expect(fake.state().deals.filter((d) => d.external_key === 'wf-7:register-deal')).toHaveLength(1);
  });

  test('a deal create whose answer was lost to a timeout is found, not repeated, by the retry', async () => {
    const partner = fake.seedPartner({ email: 'seller@theta.example' });
    const impatient = new PartnerStackClient({ ...config, timeoutMs: 300 });
    const input = { partnerKey: partner.key, accountName: 'Theta Ltd', stage: 'Deal registered' };
    fake.injectFault({ kind: 'delay', delayMs: 0 }); // the lookup before the create answers at once
    fake.injectFault({ kind: 'delay', delayMs: 800 }); // the create itself is slow
    const failure = await failureOf(runAction(partnerstackConnector, impatient, 'partnerstack.createDeal', input, 'wf-8:register-deal'));
    expect(failure.nonRetryable).toBe(false);
    await sleep(800);
    await expect(runAction(partnerstackConnector, impatient, 'partnerstack.createDeal', input, 'wf-8:register-deal')).resolves.toMatchObject({ created: false });
    expect(fake.state().deals.filter((d) => d.external_key === 'wf-8:register-deal')).toHaveLength(1);
  });

  test('records a referred customer once per customer key, and finds it', async () => {
    const partner = fake.seedPartner({ email: 'seller@iota.example' });
    const input = { partnerKey: partner.key, email: 'owner@iota-customer.example', name: 'Iota Customer', customerKey: 'hs-company-2001' };
    const first = (await run('partnerstack.createCustomer', input)) as { key: string; created: boolean };
    expect(first.created).toBe(true);
    await expect(run('partnerstack.createCustomer', input)).resolves.toEqual({ key: first.key, customerKey: 'hs-company-2001', created: false });
    expect(fake.state().customers.filter((c) => c.customer_key === 'hs-company-2001')).toHaveLength(1);
    await expect(run('partnerstack.findCustomer', { customerKey: 'hs-company-2001' })).resolves.toMatchObject({ found: true, customer: { partnerKey: partner.key } });
    await expect(run('partnerstack.findCustomer', { customerKey: 'nope' })).resolves.toEqual({ found: false, customer: null });
  });
});

describe('failures and retry classification', () => {
  test('a 429 with Retry-After becomes a retryable failure whose next retry delay is the advertised delay, and the retry succeeds', async () => {
    const partner = fake.seedPartner({ email: 'limited@kappa.example' });
    fake.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 1 });
    const failure = await failureOf(run('partnerstack.findPartner', { email: 'limited@kappa.example' }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(1000);
    await sleep(Number(failure.nextRetryDelay));
    await expect(run('partnerstack.findPartner', { email: 'limited@kappa.example' })).resolves.toMatchObject({ found: true, partner: { key: partner.key } });
  });

  test('a 500 is classified retryable and the next attempt succeeds', async () => {
    const partner = fake.seedPartner({ email: 'flaky@lambda.example' });
    fake.injectFault({ kind: 'status', status: 500 });
    const failure = await failureOf(run('partnerstack.openCommissions', { partnerKey: partner.key }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.type).toBe('ConnectorRetryableError');
    await expect(run('partnerstack.openCommissions', { partnerKey: partner.key })).resolves.toEqual({ count: 0, totalAmount: 0, items: [] });
  });

  test('a 400 fails at once with a message naming the system, the action and the field', async () => {
    const partner = fake.seedPartner({ email: 'seller@mu.example' });
    const { key } = (await run('partnerstack.createDeal', { partnerKey: partner.key, accountName: 'Mu', stage: 'Deal registered' })) as { key: string };
    const failure = await failureOf(run('partnerstack.moveDeal', { dealKey: key, stage: 'Closed won' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`partnerstack.moveDeal: PATCH /api/v2/deals/${key} answered 400: stage "Closed won" is not one of`);
    expect(failure.details?.[0]).toMatchObject({ system: 'partnerstack', action: 'partnerstack.moveDeal', status: 400, field: 'stage' });
  });

  test('wrong API keys give a non-retryable failure that does not reveal them', async () => {
    const stranger = new PartnerStackClient({ ...config, secretKey: 'sk_wrong_0123456789abcdef' });
    const failure = await failureOf(runAction(partnerstackConnector, stranger, 'partnerstack.findPartner', { email: 'a@b.example' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('answered 401: credentials rejected');
    const shown = JSON.stringify([failure.message, failure.details]);
    for (const secret of ['sk_wrong_0123456789abcdef', config.secretKey, basic(config.publicKey, 'sk_wrong_0123456789abcdef')]) expect(shown).not.toContain(secret);
  });
});

describe('the shared HTTP client', () => {
  test('a 401 refreshes the credentials once and the request is sent again with them', async () => {
    let authorization = basic(config.publicKey, 'expired');
    let refreshes = 0;
    const http = createHttpClient({
      system: 'partnerstack', baseUrl: config.baseUrl, timeoutMs: 2000,
      headers: () => ({ authorization }),
      onUnauthorized: async () => {
        refreshes++;
        authorization = basic(config.publicKey, config.secretKey);
      },
    });
    const answer = await http.request('test.list', 'GET', '/v2/partnerships', { query: { limit: 1 } });
    expect(answer).toMatchObject({ status: 200, data: { items: expect.any(Array) } });
    expect(refreshes).toBe(1);
  });

  test('a second 401 after the refresh is a non-retryable error', async () => {
    let refreshes = 0;
    const http = createHttpClient({
      system: 'partnerstack', baseUrl: config.baseUrl, timeoutMs: 2000,
      headers: () => ({ authorization: basic('nobody', 'nothing-valid') }),
      onUnauthorized: async () => void refreshes++,
    });
    const error = await http.request('test.list', 'GET', '/v2/partnerships').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ConnectorError);
    expect((error as ConnectorError).details).toMatchObject({ status: 401, retryable: false });
    expect(refreshes).toBe(1);
  });

  test('an answer slower than the timeout is a retryable error', async () => {
    const http = createHttpClient({ system: 'partnerstack', baseUrl: config.baseUrl, timeoutMs: 200, headers: () => ({ authorization: basic(config.publicKey, config.secretKey) }) });
    fake.injectFault({ kind: 'delay', delayMs: 600 });
    const error = (await http.request('test.slow', 'GET', '/v2/partnerships').catch((e: unknown) => e)) as ConnectorError;
    expect(error.details.retryable).toBe(true);
    expect(error.message).toBe('partnerstack test.slow: GET /api/v2/partnerships failed: no answer within 200 ms');
    await sleep(500);
  });

  test('an answer that does not match the expected shape is a non-retryable error naming the path', async () => {
    const http = createHttpClient({ system: 'partnerstack', baseUrl: config.baseUrl, timeoutMs: 2000, headers: () => ({ authorization: basic(config.publicKey, config.secretKey) }) });
    const error = (await http.request('test.shape', 'GET', '/v2/partnerships', { schema: z.object({ data: z.object({ total: z.number() }) }) }).catch((e: unknown) => e)) as ConnectorError;
    expect(error.details.retryable).toBe(false);
    expect(error.message).toContain('unexpected response to GET /api/v2/partnerships at "data.total"');
  });
});

describe('webhooks', () => {
  test('an event is trusted only after reading back the deal it names', async () => {
    const partner = fake.seedPartner({ email: 'seller@nu.example' });
    const { key } = (await run('partnerstack.createDeal', { partnerKey: partner.key, accountName: 'Nu Ltd', stage: 'Deal registered' })) as { key: string };
    const receiver = await startReceiver('/webhooks/partnerstack/token-0123456789abcdef');
    try {
      await fake.sendWebhook(receiver.url, 'deal.updated', { ...fake.state().deals.find((d) => d.key === key) });
      await fake.sendWebhook(receiver.url, 'deal.updated', { key: 'deal_forged', partner_key: partner.key });
      const [genuine, forged] = receiver.deliveries.map((d) => JSON.parse(d.rawBody));
      await expect(confirmEvent(client, genuine)).resolves.toMatchObject({ kind: 'deal', record: { key, account_name: 'Nu Ltd' } });
      await expect(confirmEvent(client, forged)).resolves.toEqual({ kind: 'unconfirmed', reason: 'deal deal_forged does not exist' });
    } finally {
      await receiver.close();
    }
  });

  test('a delivery to a webhook URL with the wrong path token is refused', () => {
    expect(verifyPathToken('token-0123456789abcdef', 'token-0123456789abcdef')).toEqual({ ok: true });
    expect(verifyPathToken('token-0123456789abcdef', 'token-0123456789abcdeX')).toEqual({ ok: false, reason: 'secret-mismatch' });
    expect(verifyPathToken('token-0123456789abcdef', undefined)).toEqual({ ok: false, reason: 'missing-signature' });
  });
});

describe('the fake and the configuration', () => {
  test('the fake can be seeded, inspected and given faults over HTTP under /__control', async () => {
    const post = (path: string, body: unknown) =>
      fetch(`${fake.origin}/__control/${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    const partner = (await post('partners', { email: 'http@xi.example' }).then((r) => r.json())) as { key: string };
    await post('rewards', { partnerKey: partner.key, amount: 4_200, status: 'pending' });
    await expect(run('partnerstack.openCommissions', { partnerKey: partner.key })).resolves.toMatchObject({ count: 1, totalAmount: 4_200 });

    expect((await post('faults', { kind: 'status', status: 503 })).status).toBe(204);
    expect((await failureOf(run('partnerstack.openCommissions', { partnerKey: partner.key }))).nonRetryable).toBe(false);
    const state = (await fetch(`${fake.origin}/__control/state`).then((r) => r.json())) as { partnerships: Array<{ key: string }> };
    expect(state.partnerships.map((p) => p.key)).toContain(partner.key);
  });

  test('the fake refuses requests without valid Basic credentials', async () => {
    const response = await fetch(`${fake.url}/v2/deals`);
    expect(response.status).toBe(401);
    await expect(response.json()).resolves.toEqual({ status: 401, message: 'Authentication credentials not found: HTTP Basic is required.' });
  });

  test('configuration comes from PARTNERSTACK_* variables and is absent without keys', () => {
    expect(partnerstackConnector.configFromEnv({})).toBeUndefined();
    expect(partnerstackConnector.configFromEnv({ PARTNERSTACK_API_KEY: 'pk', PARTNERSTACK_API_SECRET: 'sk' })).toEqual({
      publicKey: 'pk', secretKey: 'sk', baseUrl: 'https://api.partnerstack.com/api', timeoutMs: 15_000,
    });
    expect(() => partnerstackConnector.configFromEnv({ PARTNERSTACK_API_KEY: 'pk' })).toThrow(/invalid PartnerStack configuration: secretKey$/);
  });
});

describe('the contract', () => {
  test('every answer the fake gave in this file matched the PartnerStack contract', () => {
    expect(fake.journal.length).toBeGreaterThan(50);
    expect(fake.breaches()).toEqual([]);
  });
});
