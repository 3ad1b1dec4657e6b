/**
 * JotForm connector tests: the small typed client against the local fake over real sockets, and the
 * webhook confirmation the ingress relies on: a delivery is believed only after its submission is read
 * back through JotForm's API.
 */
import { confirmJotFormSubmission, jotformConnector, JotFormClient, verifyJotFormToken, type JotFormConfig } from '../../activities/jotform';
import { channelPartnerAnswers, CHANNEL_PARTNER_FORM_ID, startJotFormFake, type JotFormFake } from '../../fakes/jotform/fake';
import { parseMultipart } from '../../fakes/shared/multipart';
import { failureOf, runAction } from './helpers/run-action';
import { startReceiver } from './helpers/receiver';

let fake: JotFormFake;
let config: JotFormConfig;
let client: JotFormClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const run = (name: string, input: unknown) => runAction(jotformConnector, client, name, input);

beforeAll(async () => {
  fake = await startJotFormFake();
  config = jotformConnector.configFromEnv(fake.env) as JotFormConfig;
  client = jotformConnector.createClient(config);
  receiver = await startReceiver('/webhooks/jotform');
});

afterAll(async () => {
  await fake.close();
  await receiver.close();
});

/** Delivers a submission as JotForm would and returns the multipart fields the ingress would parse. */
async function deliver(submissionId: string, overrides?: Record<string, string>) {
  await fake.sendWebhook(receiver.url, submissionId, overrides);
  const delivery = receiver.deliveries[receiver.deliveries.length - 1];
  return parseMultipart(Buffer.from(delivery.rawBody), String(delivery.headers['content-type'])).fields;
}

test('re-reads a Channel Partner Form submission by id, answers keyed by field name with labels', async () => {
  const submission = fake.seedSubmission({ answers: channelPartnerAnswers('Acme Ltd', 'ada@acme.example') });
  await expect(run('jotform.getSubmission', { submissionId: submission.id })).resolves.toEqual({
    submissionId: submission.id,
    formId: CHANNEL_PARTNER_FORM_ID,
    createdAt: submission.created_at,
    status: 'ACTIVE',
    answers: {
      companyName: { label: 'Company Name', name: 'companyName', type: 'control_textbox', value: 'Acme Ltd', text: 'Acme Ltd' },
      channelPartner: { label: 'Channel Partner Name', name: 'channelPartner', type: 'control_textbox', value: 'Acme Ltd Channel', text: 'Acme Ltd Channel' },
      adminName: { label: 'Administrator', name: 'adminName', type: 'control_fullname', value: { first: 'Ada', last: 'Admin' }, text: 'Ada Admin' },
      adminEmail: { label: 'Administrator E-mail', name: 'adminEmail', type: 'control_email', value: 'ada@acme.example', text: 'ada@acme.example' },
    },
  });
  // The key travels in the APIKEY header, never in the URL.
  expect(fake.journal.every((e) => !('apiKey' in e.query))).toBe(true);
});

describe('a webhook delivery is believed only after JotForm confirms it', () => {
  test('a genuine delivery is confirmed with the answers JotForm has, not the posted ones', async () => {
    const submission = fake.seedSubmission({ answers: channelPartnerAnswers('Beta GmbH', 'ben@beta.example') });
    const fields = await deliver(submission.id, { rawRequest: JSON.stringify({ q1_companyName: 'Evil Corp' }) });
    expect(fields.formID).toBe(CHANNEL_PARTNER_FORM_ID);
    const confirmation = await confirmJotFormSubmission(client, fields, config.formIds);
    expect(confirmation.ok).toBe(true);
    expect(confirmation.ok && confirmation.submission.answers.companyName.value).toBe('Beta GmbH');
  });

  test('a forged submission id, another form\'s id, a mismatched pair or a malformed body is refused', async () => {
    const submission = fake.seedSubmission({ answers: channelPartnerAnswers('Gamma', 'g@gamma.example') });
    const other = fake.seedSubmission({ formId: '230000000000001', answers: channelPartnerAnswers('Other', 'o@other.example') });
    await expect(confirmJotFormSubmission(client, await deliver(submission.id, { submissionID: '999999999999999999' }), config.formIds)).resolves.toEqual({ ok: false, reason: 'unknown-submission' });
    await expect(confirmJotFormSubmission(client, await deliver(other.id), config.formIds)).resolves.toEqual({ ok: false, reason: 'unknown-form' });
    await expect(confirmJotFormSubmission(client, await deliver(other.id, { formID: CHANNEL_PARTNER_FORM_ID }), config.formIds)).resolves.toEqual({ ok: false, reason: 'form-mismatch' });
    await expect(confirmJotFormSubmission(client, { formID: CHANNEL_PARTNER_FORM_ID }, config.formIds)).resolves.toEqual({ ok: false, reason: 'malformed' });
  });

  test('the URL token is compared in constant time and a wrong one is refused', () => {
    expect(verifyJotFormToken(config.webhookToken, config.webhookToken as string)).toBe(true);
    expect(verifyJotFormToken('guessed-token-0123456789', config.webhookToken as string)).toBe(false);
    expect(verifyJotFormToken(undefined, config.webhookToken as string)).toBe(false);
  });
});

describe('errors', () => {
  test('the plan\'s daily calls used up answers 429, retryable, and the confirmation passes it on instead of refusing the delivery', async () => {
    const submission = fake.seedSubmission({ answers: channelPartnerAnswers('Delta', 'd@delta.example') });
    fake.setLimitLeft(0);
    const failure = await failureOf(run('jotform.getSubmission', { submissionId: submission.id }));
    await expect(confirmJotFormSubmission(client, await deliver(submission.id), config.formIds)).rejects.toMatchObject({ details: { status: 429, retryable: true } });
    fake.setLimitLeft(1000);
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe(`jotform.getSubmission: GET /submission/${submission.id} answered 429: You reached your daily limit.`);
  });

  test('a 503 with Retry-After is retryable after that delay', async () => {
    fake.injectFault({ kind: 'status', status: 503, retryAfterSeconds: 4 });
    const failure = await failureOf(run('jotform.getSubmission', { submissionId: '1' }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(4000);
  });

  test('a wrong API key is refused without retry and the key is not in the message', async () => {
    const wrong = jotformConnector.createClient({ ...config, apiKey: 'not-the-key-0123456789' });
    const failure = await failureOf(runAction(jotformConnector, wrong, 'jotform.getSubmission', { submissionId: '1' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('jotform.getSubmission: GET /submission/1 answered 401: credentials rejected: You\'re not authorized to use (/submission/1)');
  });

  test('no answer of the fake broke the contract', () => {
    expect(fake.breaches()).toEqual([]);
  });
});
