/**
 * CXone connector tests: every action runs through the typed DFO client against the local CXone fake over
 * real sockets (OpenID configuration, token grant, discovery, API); failures are checked as the
 * ApplicationFailure Temporal would receive. The fake serves only the documented endpoints (contract.ts).
 */
import { cxoneConnector, CxoneClient, type CxoneConfig } from '../../activities/cxone';
import { configFromEnv } from '../../activities/cxone/config';
import { startCxoneFake, type CxoneFake } from '../../fakes/cxone/fake';
import { failureOf, runAction, sleep } from './helpers/run-action';

let fake: CxoneFake;
let config: CxoneConfig;
let client: CxoneClient;
const run = (name: string, input: unknown, key?: string) => runAction(cxoneConnector, client, name, input, key);

const to = { email: 'admin@hwsolar.example', name: 'Partner Admin' };
/** The first e-mail of the channel-partner request: it opens the case. */
const firstReply = { quickReply: 'New Channel Req 1', to, subject: 'A New Channel Partner Request for HW Solar', variables: { name: 'Partner Admin', organisation: 'HW Solar' } };
/** The closing e-mail, in the same case. */
const secondReply = (caseId: string) => ({ quickReply: 'New Channel Req 2', to, caseId, variables: { organisation: 'HW Solar' } });

beforeAll(async () => {
  fake = await startCxoneFake();
  config = configFromEnv(fake.env) as CxoneConfig;
  client = cxoneConnector.createClient(config);
});

afterAll(() => fake.close());

beforeEach(() => fake.reset());

/** A raw DFO call through a new client (the fake's reset forgets issued tokens); resolves to the error or the answer. */
const raw = (method: 'GET' | 'POST', path: string, body?: unknown) => new CxoneClient(config).request('test', method, path, { body }).catch((err: unknown) => err);

describe('cxone.sendQuickReplyEmail', () => {
  test('the first quick reply "New Channel Req 1" opens a case on a new thread and e-mails the customer', async () => {
    const result = (await run('cxone.sendQuickReplyEmail', firstReply)) as { caseId: string; messageId: string; alreadySent: boolean };
    expect(result.alreadySent).toBe(false);
    expect(fake.cases()).toEqual([expect.objectContaining({ id: result.caseId, status: 'open', threadName: 'A New Channel Partner Request for HW Solar' })]);
    const [message] = fake.messages();
    expect(message).toMatchObject({
      id: result.messageId,
      caseId: result.caseId,
      direction: 'outbound',
      subject: 'A New Channel Partner Request for HW Solar',
      recipients: [{ idOnExternalPlatform: 'admin@hwsolar.example', name: 'Partner Admin', isPrimary: true, isPrivate: false }],
    });
    expect(message.text).toBe(
      'Hello Partner Admin,\n\nThank you for your request to add a new channel partner for HW Solar. ' +
        'Our configuration team is working on it. We will write again once it is complete.\n\nEverBright Support',
    );
  });

  test('the closing reply "New Channel Req 2" goes into the same case, filled in for its customer', async () => {
    const { caseId } = (await run('cxone.sendQuickReplyEmail', firstReply)) as { caseId: string };
    await expect(run('cxone.sendQuickReplyEmail', secondReply(caseId))).resolves.toMatchObject({ caseId, alreadySent: false });
    const messages = fake.messages();
    expect(messages.map((m) => m.caseId)).toEqual([caseId, caseId]);
    expect(messages[1].text).toContain('Hello Partner,\n\nThe channel partner configuration for HW Solar is complete.');
    expect(fake.cases()).toHaveLength(1);
  });

  test('running the same step twice sends one e-mail and opens one case', async () => {
    const first = (await run('cxone.sendQuickReplyEmail', firstReply, 'wf-2:reply-1')) as { messageId: string };
    const second = (await run('cxone.sendQuickReplyEmail', firstReply, 'wf-2:reply-1')) as { messageId: string; alreadySent: boolean };
    expect(second).toMatchObject({ messageId: first.messageId, alreadySent: true });
    expect(fake.messages()).toHaveLength(1);
    expect(fake.cases()).toHaveLength(1);
  });

  test('a send whose answer was lost is not repeated by the retry: the customer is e-mailed once', async () => {
    const impatient = new CxoneClient({ ...config, timeoutMs: 300 });
    await runAction(cxoneConnector, impatient, 'cxone.sendQuickReplyEmail', { ...firstReply, to: { email: 'warm@hwsolar.example' } }); // token, discovery, lists cached
    const { caseId } = (await run('cxone.sendQuickReplyEmail', firstReply)) as { caseId: string };
    fake.injectFault({ kind: 'delay', delayMs: 0, times: 3 }); // detail, render and read-back answer at once
    fake.injectFault({ kind: 'delay', delayMs: 800, times: 1 }); // the outbound lands, its answer is lost
    const failure = await failureOf(runAction(cxoneConnector, impatient, 'cxone.sendQuickReplyEmail', secondReply(caseId), 'wf-4:reply-2'));
    expect(failure.nonRetryable).toBe(false);
    await sleep(800);
    await expect(runAction(cxoneConnector, impatient, 'cxone.sendQuickReplyEmail', secondReply(caseId), 'wf-4:reply-2', 2)).resolves.toMatchObject({ alreadySent: true });
    expect(fake.messages().filter((m) => m.caseId === caseId && m.text.includes('configuration for HW Solar is complete'))).toHaveLength(1);
  });

  test('a quick reply title that does not exist fails without retry and suggests the one meant', async () => {
    const failure = await failureOf(run('cxone.sendQuickReplyEmail', { ...firstReply, quickReply: 'New Channel Req 3' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^cxone\.sendQuickReplyEmail: unknown quick reply "New Channel Req 3"\. Did you mean "New Channel Req 1" or "New Channel Req 2"\?/);
    expect(failure.details?.[0]).toMatchObject({ field: 'quickReply' });
  });

  test('a subject CXone rejects is refused before anything is sent, naming the field', async () => {
    // The action's own schema stops it first; the fake refuses it too, as CXone does.
    expect(cxoneConnector.actions[0].input.safeParse({ ...firstReply, subject: 'x'.repeat(251) }).success).toBe(false);
    const refused = await raw('POST', '/channels/email_everbright_support/outbound', {
      thread: { idOnExternalPlatform: 't', threadName: 'x'.repeat(251) }, messageContent: { type: 'TEXT', payload: { text: 'hi' } },
      recipients: [{ idOnExternalPlatform: 'a@b.example', isPrimary: true, isPrivate: false }],
    });
    expect(refused).toMatchObject({ details: { status: 400, field: 'thread.threadName', retryable: false } });
    expect(fake.messages()).toHaveLength(0);
  });

  test('a case that does not exist fails without retry', async () => {
    const failure = await failureOf(run('cxone.sendQuickReplyEmail', secondReply('case-404')));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('cxone.sendQuickReplyEmail: GET /dfo/3.0/contacts/case-404/detail answered 404: Contact case-404 not found');
  });
});

describe('the contradictions of issue 8, caught against the contract', () => {
  test('the undocumented endpoints are gone: organisations and creating a case directly answer 404', async () => {
    await expect(raw('GET', '/organizations')).resolves.toMatchObject({ details: { status: 404 } });
    await expect(raw('POST', '/contacts', {})).resolves.toMatchObject({ details: { status: 405 } });
    expect(cxoneConnector.actions.map((a) => a.name)).toEqual(['cxone.sendQuickReplyEmail']);
  });

  test('cases are looked up by status, the documented filter, never by an undocumented thread filter', async () => {
    await run('cxone.sendQuickReplyEmail', firstReply, 'wf-5:reply-1');
    await run('cxone.sendQuickReplyEmail', firstReply, 'wf-5:reply-1');
    const lookups = fake.journal.filter((e) => e.operation === 'contacts.list');
    expect(lookups.length).toBeGreaterThan(0);
    for (const lookup of lookups) expect(Object.keys(lookup.query)).toEqual(['status']);
  });

  test('the token endpoint is the one the issuer\'s OpenID configuration names', async () => {
    const elsewhere = await startCxoneFake({ tokenPath: '/oauth2/v2/token' });
    try {
      const other = cxoneConnector.createClient(configFromEnv(elsewhere.env) as CxoneConfig);
      await expect(runAction(cxoneConnector, other, 'cxone.sendQuickReplyEmail', firstReply)).resolves.toMatchObject({ alreadySent: false });
      expect(elsewhere.journal.slice(0, 2).map((e) => `${e.method} ${e.path} ${e.status}`)).toEqual([
        'GET /.well-known/openid-configuration 200', 'POST /oauth2/v2/token 200',
      ]);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('rate limits and server errors', () => {
  test('a 429 with Retry-After is retried after the advertised delay and the next attempt succeeds', async () => {
    await run('cxone.sendQuickReplyEmail', { ...firstReply, to: { email: 'warm@hwsolar.example' } }); // discovery and lists cached
    fake.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 4 });
    const failure = await failureOf(run('cxone.sendQuickReplyEmail', firstReply, 'wf-3:reply'));
    expect([failure.nonRetryable, failure.nextRetryDelay]).toEqual([false, 4000]);
    expect(fake.messages()).toHaveLength(1);

    await run('cxone.sendQuickReplyEmail', firstReply, 'wf-3:reply');
    expect(fake.messages()).toHaveLength(2);
  });

  test('a 500 is retryable', async () => {
    fake.injectFault({ kind: 'status', status: 500 });
    const failure = await failureOf(run('cxone.sendQuickReplyEmail', firstReply));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toMatch(/^cxone\.sendQuickReplyEmail: .* answered 500/);
  });
});

describe('authentication', () => {
  test('an expired token is refreshed once and the call goes through', async () => {
    const fresh = new CxoneClient(config);
    await runAction(cxoneConnector, fresh, 'cxone.sendQuickReplyEmail', firstReply);
    const issued = fake.tokensIssued;
    fake.expireTokens();

    await runAction(cxoneConnector, fresh, 'cxone.sendQuickReplyEmail', { ...firstReply, subject: 'second' });
    expect(fake.tokensIssued).toBe(issued + 1);
    expect(fake.cases()).toHaveLength(2);
  });

  test('the token is cached: several calls need one grant', async () => {
    const fresh = new CxoneClient(config);
    const before = fake.tokensIssued;
    const { caseId } = (await runAction(cxoneConnector, fresh, 'cxone.sendQuickReplyEmail', firstReply)) as { caseId: string };
    await runAction(cxoneConnector, fresh, 'cxone.sendQuickReplyEmail', secondReply(caseId));
    expect(fake.tokensIssued).toBe(before + 1);
    expect(fake.journal.filter((e) => e.path === '/auth/token')).toHaveLength(1);
  });

  test('wrong credentials fail without retry and the secret appears nowhere', async () => {
    const wrong = new CxoneClient({ ...config, accessKeySecret: 'not-the-access-key-secret' });
    const failure = await failureOf(runAction(cxoneConnector, wrong, 'cxone.sendQuickReplyEmail', firstReply));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'cxone.sendQuickReplyEmail: POST token_endpoint answered 400: credentials rejected (check CXONE_CLIENT_ID, CXONE_CLIENT_SECRET, CXONE_ACCESS_KEY_ID, CXONE_ACCESS_KEY_SECRET)',
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
  test('seeds a quick reply, then expires tokens, through /__control', async () => {
    const post = (path: string, body: unknown) => fetch(`${fake.url}/__control${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post('/seed', { quickReplies: [{ title: 'Welcome', content: 'Welcome, {{name}} of {{organisation}}!' }] });
    const fresh = new CxoneClient(config); // a new client reads the seeded quick replies
    await post('/tokens/expire', {});
    await runAction(cxoneConnector, fresh, 'cxone.sendQuickReplyEmail', { quickReply: 'Welcome', to: { email: 'dana@sunrise.example' }, subject: 'Welcome', variables: { name: 'Dana', organisation: 'Sunrise Energy' } });

    const { messages } = (await (await fetch(`${fake.url}/__control/messages`)).json()) as { messages: Array<{ text: string }> };
    expect(messages.map((m) => m.text)).toEqual(['Welcome, Dana of Sunrise Energy!']);
  });
});

describe('the contract', () => {
  test('every answer the fake gave in this file matched the CXone contract', () => {
    expect(fake.breaches()).toEqual([]);
  });
});
