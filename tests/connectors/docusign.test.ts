/**
 * DocuSign connector tests: the official docusign-esign SDK (and our JWT-grant sign-in) against the local
 * fake over real sockets: the Reseller Agreement envelope from its template, sent once, completed, the
 * Connect delivery verified by HMAC, and faults classified.
 */
import { docusignConnector, DocuSignClient, readDocuSignEvent, verifyDocuSignConnect, type DocuSignConfig } from '../../activities/docusign';
import { startDocuSignFake, type DocuSignFake } from '../../fakes/docusign/fake';
import { failureOf, runAction } from './helpers/run-action';
import { startReceiver } from './helpers/receiver';

let fake: DocuSignFake;
let config: DocuSignConfig;
let client: DocuSignClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const run = (name: string, input: unknown, key?: string) => runAction(docusignConnector, client, name, input, key);

const agreement = (email: string) => ({
  template: 'Reseller Agreement',
  emailSubject: 'Your EverBright Reseller Agreement',
  roles: [{ roleName: 'Reseller', name: 'Rita Reseller', email }],
});

beforeAll(async () => {
  fake = await startDocuSignFake();
  config = docusignConnector.configFromEnv(fake.env) as DocuSignConfig;
  client = docusignConnector.createClient(config);
  receiver = await startReceiver('/webhooks/docusign');
  fake.subscribe(receiver.url);
});

afterAll(async () => {
  await fake.close();
  await receiver.close();
});

describe('the Reseller Agreement (seed 004)', () => {
  test('is sent from the template to the reseller once, even when the step is retried', async () => {
    const first = (await run('docusign.createEnvelope', agreement('rita@reseller.example'), 'wf-004:agreement')) as { envelopeId: string; status: string; created: boolean };
    expect(first).toMatchObject({ status: 'sent', created: true });
    await expect(run('docusign.createEnvelope', agreement('rita@reseller.example'), 'wf-004:agreement')).resolves.toEqual({ envelopeId: first.envelopeId, status: 'sent', created: false });
    const mine = fake.state().envelopes.filter((e) => e.customFields.some((f) => f.name === 'wf_key' && f.value === 'wf-004:agreement'));
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ emailSubject: 'Your EverBright Reseller Agreement', recipients: [{ roleName: 'Reseller', name: 'Rita Reseller', email: 'rita@reseller.example' }] });
    const signIns = fake.journal.filter((e) => e.operation === 'oauth.token');
    expect(signIns).toHaveLength(1);
    expect(signIns[0].body).toMatchObject({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer' });
  });

  test('a draft is sent by sendEnvelope, once', async () => {
    const { envelopeId } = (await run('docusign.createEnvelope', { ...agreement('draft@reseller.example'), send: false })) as { envelopeId: string };
    await expect(run('docusign.getEnvelopeStatus', { envelopeId })).resolves.toMatchObject({ status: 'created', completed: false });
    await expect(run('docusign.sendEnvelope', { envelopeId })).resolves.toEqual({ envelopeId, status: 'sent', sent: true });
    await expect(run('docusign.sendEnvelope', { envelopeId })).resolves.toEqual({ envelopeId, status: 'sent', sent: false });
    expect(fake.journal.filter((e) => e.operation === 'envelopes.update')).toHaveLength(1);
  });

  test('completion is read as completed, and Connect\'s signed delivery names the envelope and the step', async () => {
    const { envelopeId } = (await run('docusign.createEnvelope', agreement('done@reseller.example'), 'wf-004:done')) as { envelopeId: string };
    await fake.complete(envelopeId);
    const status = (await run('docusign.getEnvelopeStatus', { envelopeId })) as { completed: boolean; completedAt: string | null };
    expect(status.completed).toBe(true);
    expect(status.completedAt).not.toBeNull();
    const delivery = receiver.deliveries.find((d) => d.rawBody.includes(envelopeId));
    expect(delivery).toBeDefined();
    expect(verifyDocuSignConnect(delivery!.rawBody, delivery!.headers, config.connectKeys)).toEqual({ ok: true });
    expect(readDocuSignEvent(delivery!.rawBody)).toEqual({ event: 'envelope-completed', envelopeId, status: 'completed', workflowKey: 'wf-004:done' });
  });

  test('a Connect delivery is genuine when any of several active keys matches, and a forged one is refused', async () => {
    const delivery = receiver.deliveries[0];
    expect(verifyDocuSignConnect(delivery.rawBody, delivery.headers, ['an-older-key', config.connectKeys[0]])).toEqual({ ok: true });
    expect(verifyDocuSignConnect(delivery.rawBody, {}, config.connectKeys)).toEqual({ ok: false, reason: 'missing-signature' });
    expect(verifyDocuSignConnect(delivery.rawBody, { 'x-docusign-signature-1': 'Zm9yZ2Vk' }, config.connectKeys)).toEqual({ ok: false, reason: 'signature-mismatch' });
    expect(verifyDocuSignConnect(delivery.rawBody.replace('completed', 'declined'), delivery.headers, config.connectKeys)).toEqual({ ok: false, reason: 'signature-mismatch' });
  });
});

describe('errors', () => {
  test('a role the template does not have is refused without retry', async () => {
    const failure = await failureOf(run('docusign.createEnvelope', { ...agreement('x@reseller.example'), roles: [{ roleName: 'Signer', name: 'X', email: 'x@reseller.example' }] }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('docusign.createEnvelope: POST /v2.1/accounts/{accountId}/envelopes answered 400 INVALID_REQUEST_PARAMETER: The role name "Signer" is not a role of the template. Roles: Reseller, Partnerships');
  });

  test('an envelope that does not exist is a non-retryable 404', async () => {
    const failure = await failureOf(run('docusign.getEnvelopeStatus', { envelopeId: '00000000-0000-4000-8000-000000000000' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('answered 404 ENVELOPE_DOES_NOT_EXIST');
  });

  test('the hourly API limit used up is retryable at the top of the hour, from X-RateLimit-Reset', async () => {
    await run('docusign.getEnvelopeStatus', { envelopeId: fake.state().envelopes[0].envelopeId });
    fake.setRemaining(0);
    const failure = await failureOf(run('docusign.getEnvelopeStatus', { envelopeId: fake.state().envelopes[0].envelopeId }));
    fake.setRemaining(3000);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toContain('answered 429 HOURLY_APIINVOCATION_LIMIT_EXCEEDED');
    const untilTopOfHour = Math.ceil((Date.now() + 1) / 3_600_000) * 3_600_000 - Date.now();
    expect(Math.abs((failure.nextRetryDelay as number) - untilTopOfHour)).toBeLessThan(2_000);
  });

  test('a 503 with Retry-After is retryable after that delay', async () => {
    await run('docusign.getEnvelopeStatus', { envelopeId: fake.state().envelopes[0].envelopeId });
    fake.injectFault({ kind: 'status', status: 503, retryAfterSeconds: 12 });
    const failure = await failureOf(run('docusign.getEnvelopeStatus', { envelopeId: fake.state().envelopes[0].envelopeId }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(12_000);
  });

  test('an assertion signed with another key is refused at sign-in without retry', async () => {
    const other = await import('node:crypto').then((c) => c.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
    const wrong = docusignConnector.createClient({ ...config, privateKey: other });
    const failure = await failureOf(runAction(docusignConnector, wrong, 'docusign.getEnvelopeStatus', { envelopeId: '00000000-0000-4000-8000-000000000000' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('docusign.getEnvelopeStatus: POST /oauth/token answered 400: invalid_grant: no_valid_keys_or_signatures');
  });

  test('no answer of the fake broke the contract', () => {
    expect(fake.breaches()).toEqual([]);
  });
});
