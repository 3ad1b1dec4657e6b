/**
 * PandaDoc connector tests: the official pandadoc-node-client against the local fake over real sockets:
 * the sales order form created from its template with three recipients in signing order, sent once the
 * draft exists, signed, its signed state-change webhooks verified, and faults classified.
 */
import { pandadocConnector, PandaDocClient, readPandaDocEvents, verifyPandaDocSignature, type PandaDocConfig } from '../../activities/pandadoc';
import { startPandaDocFake, type PandaDocFake } from '../../fakes/pandadoc/fake';
import { failureOf, runAction, sleep } from './helpers/run-action';
import { startReceiver } from './helpers/receiver';

let fake: PandaDocFake;
let config: PandaDocConfig;
let client: PandaDocClient;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
const run = (name: string, input: unknown, key?: string) => runAction(pandadocConnector, client, name, input, key);

const SOF = 'SOF_SOF_Direct Customer_2022 (EB) Standard Template';
const recipients = [
  { email: 'buyer@acme.example', firstName: 'Ben', lastName: 'Buyer', role: 'Client' },
  { email: 'signatory@everbright.example', firstName: 'Sue', lastName: 'Signatory', role: 'Company Signatory' },
  { email: 'head@everbright.example', firstName: 'Hal', lastName: 'Head', role: 'Sales Head' },
];

beforeAll(async () => {
  fake = await startPandaDocFake();
  config = pandadocConnector.configFromEnv(fake.env) as PandaDocConfig;
  client = pandadocConnector.createClient(config);
  receiver = await startReceiver('/webhooks/pandadoc');
  fake.subscribe(receiver.url);
});

afterAll(async () => {
  await fake.close();
  await receiver.close();
});

async function untilStatus(documentId: string, status: string) {
  for (let i = 0; i < 50; i++) {
    const current = (await run('pandadoc.getDocumentStatus', { documentId })) as { status: string };
    if (current.status === status) return;
    await sleep(20);
  }
  throw new Error(`document ${documentId} never reached ${status}`);
}

describe('the sales order form (seed 000)', () => {
  test('is created from the template by name with customer, signatory and sales head in signing order, once per step', async () => {
    const input = { template: SOF, name: 'SOF Acme Ltd', recipients, tokens: { 'Client.Company': 'Acme Ltd' }, metadata: { hubspot_deal_id: '1001' } };
    const first = (await run('pandadoc.createDocument', input, 'wf-000:create-sof')) as { documentId: string; status: string; created: boolean };
    expect(first).toMatchObject({ status: 'document.uploaded', created: true });
    await expect(run('pandadoc.createDocument', input, 'wf-000:create-sof')).resolves.toMatchObject({ documentId: first.documentId, created: false });
    const documents = fake.state().documents.filter((d) => d.metadata.wf_key === 'wf-000:create-sof');
    expect(documents).toHaveLength(1);
    expect(documents[0].recipients.map((r) => [r.role, r.signing_order])).toEqual([['Client', 1], ['Company Signatory', 2], ['Sales Head', 3]]);
    expect(documents[0].metadata).toEqual({ hubspot_deal_id: '1001', wf_key: 'wf-000:create-sof' });
    expect(documents[0].tokens).toEqual([{ name: 'Client.Company', value: 'Acme Ltd' }]);
  });

  test('sending before PandaDoc has made the draft is retryable, then sends once; a retried send e-mails nobody twice', async () => {
    fake.draftAfterMs = 60_000;
    const { documentId } = (await run('pandadoc.createDocument', { template: SOF, name: 'SOF Beta', recipients })) as { documentId: string };
    fake.draftAfterMs = 50;
    const early = await failureOf(run('pandadoc.sendDocument', { documentId, subject: 'Your order form' }));
    expect(early.nonRetryable).toBe(false);
    expect(early.nextRetryDelay).toBe(2000);
    expect(early.message).toContain('answered 409: Document is in document.uploaded status');
    await fake.makeDraft(documentId);
    await expect(run('pandadoc.sendDocument', { documentId, subject: 'Your order form' })).resolves.toEqual({ documentId, status: 'document.sent', sent: true });
    await expect(run('pandadoc.sendDocument', { documentId, subject: 'Your order form' })).resolves.toEqual({ documentId, status: 'document.sent', sent: false });
    expect(fake.state().documents.find((d) => d.id === documentId)?.sent).toEqual([{ subject: 'Your order form' }]);
  });

  test('is completed when the three have signed in order, and each state change arrives as a signed webhook', async () => {
    const { documentId } = (await run('pandadoc.createDocument', { template: SOF, name: 'SOF Gamma', recipients }, 'wf-000:gamma')) as { documentId: string };
    await untilStatus(documentId, 'document.draft');
    await run('pandadoc.sendDocument', { documentId });
    for (let i = 0; i < 3; i++) await fake.signNext(documentId);
    await expect(run('pandadoc.getDocumentStatus', { documentId })).resolves.toEqual({ documentId, name: 'SOF Gamma', status: 'document.completed', completed: true });

    const mine = receiver.deliveries.filter((d) => d.rawBody.includes(documentId));
    const events = mine.map((d) => {
      const signature = new URL(d.url, 'http://x').searchParams.get('signature') ?? undefined;
      expect(verifyPandaDocSignature(d.rawBody, signature, config.webhookKey as string)).toEqual({ ok: true });
      return readPandaDocEvents(d.rawBody)[0];
    });
    expect(events.map((e) => e.status)).toEqual(['document.draft', 'document.sent', 'document.viewed', 'document.viewed', 'document.completed']);
    expect(events.every((e) => e.workflowKey === 'wf-000:gamma' && e.event === 'document_state_changed')).toBe(true);
  });

  test('a forged or tampered webhook is refused', async () => {
    const body = JSON.stringify([{ event: 'document_state_changed', data: { id: 'abc', status: 'document.completed' } }]);
    expect(verifyPandaDocSignature(body, undefined, config.webhookKey as string)).toEqual({ ok: false, reason: 'missing-signature' });
    expect(verifyPandaDocSignature(body, 'f'.repeat(64), config.webhookKey as string)).toEqual({ ok: false, reason: 'signature-mismatch' });
    const genuine = receiver.deliveries[0];
    const signature = new URL(genuine.url, 'http://x').searchParams.get('signature') ?? undefined;
    expect(verifyPandaDocSignature(genuine.rawBody.replace('document.', 'document.x'), signature, config.webhookKey as string)).toEqual({ ok: false, reason: 'signature-mismatch' });
  });
});

describe('errors', () => {
  test('a role the template does not have is refused without retry, naming recipients', async () => {
    const failure = await failureOf(run('pandadoc.createDocument', { template: SOF, name: 'bad', recipients: [{ ...recipients[0], role: 'Customer' }] }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('pandadoc.createDocument: POST /public/v1/documents answered 400: recipients: Role "Customer" not found in the template. Roles: Client, Company Signatory, Sales Head');
  });

  test('an unknown template name fails without retry and suggests the close one', async () => {
    fake.seedTemplate('Reseller Agreement', ['Reseller']);
    const failure = await failureOf(run('pandadoc.createDocument', { template: 'SOF_SOF_Direct Customer_2022 (EB) Standard', name: 'x', recipients }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain(`unknown template "SOF_SOF_Direct Customer_2022 (EB) Standard". Did you mean "${SOF}"?`);
  });

  test('a 429 with Retry-After is retryable after that delay', async () => {
    fake.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 30 });
    const failure = await failureOf(run('pandadoc.getDocumentStatus', { documentId: 'anything' }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(30_000);
  });

  test('an answer slower than the configured timeout is given up on and retryable', async () => {
    const impatient = pandadocConnector.createClient({ ...config, timeoutMs: 100 });
    fake.injectFault({ kind: 'delay', delayMs: 600 });
    const failure = await failureOf(runAction(pandadocConnector, impatient, 'pandadoc.getDocumentStatus', { documentId: 'slow' }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('pandadoc.getDocumentStatus: GET /public/v1/documents/{id} failed: no answer within 100 ms');
    await sleep(600);
  });

  test('a wrong API key is refused without retry and the key is not in the message', async () => {
    const wrong = pandadocConnector.createClient({ ...config, apiKey: 'wrong-key-0123456789abcdef' });
    const failure = await failureOf(runAction(pandadocConnector, wrong, 'pandadoc.getDocumentStatus', { documentId: 'x' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('pandadoc.getDocumentStatus: GET /public/v1/documents/{id} answered 401: Authentication credentials were not provided or are invalid.');
  });

  test('a metadata filter without PandaDoc\'s metadata_ prefix is refused by the fake, as documented', async () => {
    const response = await fetch(`${fake.url}/public/v1/documents?metadata=wf_key%3Dx`, { headers: { authorization: `API-Key ${config.apiKey}` } });
    expect(response.status).toBe(400);
    await expect(response.json()).resolves.toEqual({ type: 'request_error', detail: { metadata: ['query parameter metadata: metadata_{key}={value}: the metadata_ prefix is required'] } });
  });

  test('no answer of the fake broke the contract', () => {
    expect(fake.breaches()).toEqual([]);
  });
});
