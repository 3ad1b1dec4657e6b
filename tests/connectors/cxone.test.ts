/**
 * CXone connector tests: every action runs through the typed DFO client against the local CXone fake over
 * real sockets (token grant, discovery, API); failures are checked as the ApplicationFailure Temporal would receive.
 */
import { cxoneConnector, CxoneClient, type CxoneConfig } from '../../activities/cxone';
import { configFromEnv } from '../../activities/cxone/config';
import type { CxoneFake } from '../../activities/cxone/fake';
import { failureOf, runAction } from './helpers/run-action';

let fake: CxoneFake;
let config: CxoneConfig;
let client: CxoneClient;
const run = (name: string, input: unknown, key?: string) => runAction(cxoneConnector, client, name, input, key);

const partnerRequest = { organisation: 'HW Solar', contact: { name: 'Partner Admin', email: 'admin@hwsolar.example' }, subject: 'A New Channel Partner Request for HW Solar' };

async function openCase(key?: string): Promise<string> {
  return ((await run('cxone.createCase', partnerRequest, key)) as { caseId: string }).caseId;
}

const reply = (caseId: string, quickReply = 'New Channel Req 1') => ({
  quickReply,
  caseId,
  to: { email: 'admin@hwsolar.example', name: 'Partner Admin' },
  subject: 'RE: A New Channel Partner Request for HW Solar',
});

beforeAll(async () => {
  const started = await cxoneConnector.startFake();
  fake = started.fake as CxoneFake;
  config = started.config;
  client = cxoneConnector.createClient(config);
});

afterAll(() => fake.close());

beforeEach(() => fake.reset());

describe('cxone.createCase', () => {
  test('opens a case under the organisation named on the form, for the contact who asked', async () => {
    const result = (await run('cxone.createCase', partnerRequest)) as { caseId: string; organisationId: string; created: boolean };
    expect(result.created).toBe(true);
    expect(fake.cases()).toEqual([
      expect.objectContaining({
        id: result.caseId,
        status: 'new',
        channelId: 'email_everbright_support',
        threadName: 'A New Channel Partner Request for HW Solar',
        organizationId: result.organisationId,
        customer: expect.objectContaining({ fullName: 'Partner Admin', idOnExternalPlatform: 'admin@hwsolar.example' }),
      }),
    ]);
  });

  test('running the same step twice opens one case', async () => {
    const first = (await run('cxone.createCase', partnerRequest, 'wf-1:open-case')) as { caseId: string };
    const second = (await run('cxone.createCase', partnerRequest, 'wf-1:open-case')) as { caseId: string; created: boolean };
    expect(second).toMatchObject({ caseId: first.caseId, created: false });
    expect(fake.cases()).toHaveLength(1);
  });

  test('an organisation that does not exist fails without retry and suggests the one meant', async () => {
    const failure = await failureOf(run('cxone.createCase', { ...partnerRequest, organisation: 'HW Solr' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('cxone.createCase: unknown organisation "HW Solr". Did you mean "HW Solar"? Available: "HW Solar", "Green Light Solar"');
    expect(fake.cases()).toHaveLength(0);
  });
});

describe('cxone.sendQuickReplyEmail', () => {
  test('e-mails the customer the quick reply "New Channel Req 1", filled in and related to the case', async () => {
    const caseId = await openCase();
    const result = (await run('cxone.sendQuickReplyEmail', reply(caseId))) as { messageId: string; alreadySent: boolean };

    expect(result.alreadySent).toBe(false);
    const [message] = fake.messages();
    expect(message).toMatchObject({
      id: result.messageId,
      caseId,
      direction: 'outbound',
      subject: 'RE: A New Channel Partner Request for HW Solar',
      recipients: [{ idOnExternalPlatform: 'admin@hwsolar.example', name: 'Partner Admin', isPrimary: true, isPrivate: false }],
    });
    expect(message.text).toBe(
      `Hello Partner,\n\nThank you for your request to add a new channel partner for HW Solar. We have opened case ${caseId} ` +
        'and our configuration team is working on it. We will write again once it is complete.\n\nEverBright Support',
    );
    expect(fake.cases()[0].status).toBe('open');
  });

  test('the closing reply "New Channel Req 2" goes into the same case as the first', async () => {
    const caseId = await openCase();
    await run('cxone.sendQuickReplyEmail', reply(caseId, 'New Channel Req 1'));
    await run('cxone.sendQuickReplyEmail', reply(caseId, 'New Channel Req 2'));
    const messages = fake.messages();
    expect(messages.map((m) => m.caseId)).toEqual([caseId, caseId]);
    expect(messages[1].text).toContain('The channel partner configuration for HW Solar is complete.');
  });

  test('running the same step twice sends one e-mail', async () => {
    const caseId = await openCase();
    const first = (await run('cxone.sendQuickReplyEmail', reply(caseId), 'wf-2:reply-1')) as { messageId: string };
    const second = (await run('cxone.sendQuickReplyEmail', reply(caseId), 'wf-2:reply-1')) as { messageId: string; alreadySent: boolean };
    expect(second).toMatchObject({ messageId: first.messageId, alreadySent: true });
    expect(fake.messages()).toHaveLength(1);
  });

  test('a quick reply title that does not exist fails without retry and suggests the one meant', async () => {
    const caseId = await openCase();
    const failure = await failureOf(run('cxone.sendQuickReplyEmail', reply(caseId, 'New Channel Req 3')));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^cxone\.sendQuickReplyEmail: unknown quick reply "New Channel Req 3"\. Did you mean "New Channel Req 1" or "New Channel Req 2"\?/);
    expect(failure.details?.[0]).toMatchObject({ field: 'quickReply' });
  });

  test('a subject CXone rejects fails at once, naming the system, the action and the field', async () => {
    const caseId = await openCase();
    const failure = await failureOf(run('cxone.sendQuickReplyEmail', { ...reply(caseId), subject: 'x'.repeat(251) }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      `cxone.sendQuickReplyEmail: POST /dfo/3.0/channels/email_everbright_support/outbound answered 400: field "thread.threadName": Thread name (e-mail subject) must be at most 250 characters`,
    );
    expect(failure.details?.[0]).toMatchObject({ system: 'cxone', action: 'cxone.sendQuickReplyEmail', status: 400, field: 'thread.threadName' });
    expect(fake.messages()).toHaveLength(0);
  });

  test('a case that does not exist fails without retry', async () => {
    const failure = await failureOf(run('cxone.sendQuickReplyEmail', reply('case-404')));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('cxone.sendQuickReplyEmail: GET /dfo/3.0/contacts/case-404/detail answered 404: Contact case-404 not found');
  });
});

describe('rate limits and server errors', () => {
  test('a 429 with Retry-After is retried after the advertised delay and the next attempt succeeds', async () => {
    const caseId = await openCase();
    fake.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 4 });
    const failure = await failureOf(run('cxone.sendQuickReplyEmail', reply(caseId), 'wf-3:reply'));
    expect([failure.nonRetryable, failure.nextRetryDelay]).toEqual([false, 4000]);
    expect(fake.messages()).toHaveLength(0);

    await run('cxone.sendQuickReplyEmail', reply(caseId), 'wf-3:reply');
    expect(fake.messages()).toHaveLength(1);
  });

  test('a 500 is retryable', async () => {
    fake.injectFault({ kind: 'status', status: 500 });
    const failure = await failureOf(run('cxone.createCase', partnerRequest));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/^cxone\.createCase: .* answered 500/);
  });
});

describe('authentication', () => {
  test('an expired token is refreshed once and the call goes through', async () => {
    const fresh = new CxoneClient(config);
    await runAction(cxoneConnector, fresh, 'cxone.createCase', partnerRequest);
    const issued = fake.tokensIssued;
    fake.expireTokens();

    await runAction(cxoneConnector, fresh, 'cxone.createCase', { ...partnerRequest, subject: 'second' });
    expect(fake.tokensIssued).toBe(issued + 1);
    expect(fake.cases()).toHaveLength(2);
  });

  test('the token is cached: several calls need one grant', async () => {
    const fresh = new CxoneClient(config);
    const before = fake.tokensIssued;
    const caseId = ((await runAction(cxoneConnector, fresh, 'cxone.createCase', partnerRequest)) as { caseId: string }).caseId;
    await runAction(cxoneConnector, fresh, 'cxone.sendQuickReplyEmail', reply(caseId));
    expect(fake.tokensIssued).toBe(before + 1);
    expect(fake.journal.filter((e) => e.path === '/auth/token')).toHaveLength(1);
  });

  test('wrong credentials fail without retry and the secret appears nowhere', async () => {
    const wrong = new CxoneClient({ ...config, accessKeySecret: 'not-the-access-key-secret' });
    const failure = await failureOf(runAction(cxoneConnector, wrong, 'cxone.createCase', partnerRequest));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'cxone.createCase: POST /auth/token answered 400: credentials rejected (check CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID, CXONE_ACCESS_KEY_SECRET)',
    );
    expect(JSON.stringify(failure)).not.toContain('not-the-access-key-secret');
  });

  test('configuration comes from CXONE_* variables and a missing one is named', () => {
    expect(configFromEnv({})).toBeUndefined();
    const env = { CXONE_CLIENT_ID: 'app', CXONE_CLIENT_SECRET: 's', CXONE_ACCESS_KEY_ID: 'AK1', CXONE_ACCESS_KEY_SECRET: 'k=' };
    expect(configFromEnv(env)).toMatchObject({ issuerUrl: 'https://cxone.niceincontact.com', accessKeyId: 'AK1' });
    expect(() => configFromEnv({ ...env, CXONE_CLIENT_SECRET: undefined })).toThrow('invalid CXone configuration: check CXONE_CLIENT_SECRET');
  });
});

describe('control interface over HTTP', () => {
  test('seeds an organisation and a quick reply, then expires tokens, through /__control', async () => {
    const post = (path: string, body: unknown) => fetch(`${fake.url}/__control${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post('/seed', { organisations: ['Sunrise Energy'], quickReplies: [{ title: 'Welcome', content: 'Welcome, {{customer.firstName}} of {{organization.name}}!' }] });
    const fresh = new CxoneClient(config); // a new client reads the seeded quick replies
    const { caseId } = (await runAction(cxoneConnector, fresh, 'cxone.createCase', { ...partnerRequest, organisation: 'Sunrise Energy', contact: { name: 'Dana Lee', email: 'dana@sunrise.example' } })) as { caseId: string };
    await post('/tokens/expire', {});
    await runAction(cxoneConnector, fresh, 'cxone.sendQuickReplyEmail', { ...reply(caseId, 'Welcome'), to: { email: 'dana@sunrise.example' } });

    const { messages } = (await (await fetch(`${fake.url}/__control/messages`)).json()) as { messages: Array<{ text: string }> };
    expect(messages.map((m) => m.text)).toEqual(['Welcome, Dana of Sunrise Energy!']);
  });
});
