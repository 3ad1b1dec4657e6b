/**
 * A local Salesforce org: a real HTTP server on 127.0.0.1 serving the operations of contract.ts (the REST
 * API paths jsforce uses: `/services/oauth2/token`, `/services/data/vNN.N/query`, `/sobjects/...`,
 * `/chatter/...`), enforced by the contract kit, with the object rules of the store. Point
 * SALESFORCE_LOGIN_URL at `url` (see `env`); the token answer names the same origin as the instance.
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seed / POST /__control/records {type, fields}   expireTokens / POST /__control/expire-tokens
 *   setApiLimit / POST /__control/api-limit          state() / GET /__control/state
 *   injectFault / POST /__control/faults             journal / GET /__control/journal, reset
 *   failOperation (aimed at one operation; `oauth.token` fails sign-in and token renewal)
 * The token endpoint takes every fault, chaos included, as the REST operations do.
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../shared/compare';
import { createFakeKit, FakeError, type Fault, type JournalEntry, type RunningFake } from '../shared/fake-kit';
import { persistStore } from '../shared/persist';
import { DEFAULT_DAILY_API_LIMIT, salesforceContract } from './contract';
import { SalesforceFakeStore, type FeedElement, type SfRecord } from './store';

export interface SalesforceFake extends RunningFake {
  clientId: string;
  clientSecret: string;
  journal: JournalEntry[];
  /** Answers that broke the contract; the tests assert there are none. */
  breaches(): string[];
  injectFault(fault: Fault): void;
  /**
   * Answers the next `times` requests of one contract operation (e.g. `sobjects.upsert`) with a status, in
   * Salesforce's error shape; for `oauth.token` (sign-in and renewal) in OAuth's, `errorCode` as its `error`.
   */
  failOperation(operationId: string, fault: { status: number; errorCode: string; retryAfterSeconds?: number; times?: number }): void;
  /** Adds a record as an administrator or a data load would, without the API's field checks. */
  seed(type: string, fields: Record<string, unknown>): SfRecord;
  /** Every access token issued so far stops working (401 INVALID_SESSION_ID), as when a session times out. */
  expireTokens(): void;
  /** Sets the org's 24-hour API allocation and how much of it is used. */
  setApiLimit(limit: number, used?: number): void;
  state(): { records: SfRecord[]; feeds: Record<string, FeedElement[]>; apiUsage: { used: number; limit: number }; tokensIssued: number };
  reset(): void;
}

const INTEGRATION_USER = { Name: 'Integration User', Email: 'integration@everbright.example' };

export async function startSalesforceFake(options: { clientId?: string; clientSecret?: string; port?: number; stateFile?: string } = {}): Promise<SalesforceFake> {
  const clientId = options.clientId ?? `3MVG9fake${randomBytes(8).toString('hex')}`;
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('hex');
  let store = new SalesforceFakeStore();
  let integrationUser = store.seed('User', INTEGRATION_USER);
  let tokens = new Set<string>();
  let tokensIssued = 0;
  const usage = { used: 0, limit: DEFAULT_DAILY_API_LIMIT };

  const kit = createFakeKit({
    contract: salesforceContract,
    credentials: { bearer: (token) => tokens.has(token) },
    reset: () => fake.reset(),
    // [limits]: every REST answer reports the org's usage (the token endpoint is not part of the REST API).
    answerHeaders: (operation): Record<string, string> => (operation.id === 'oauth.token' ? {} : { 'sforce-limit-info': `api-usage=${usage.used}/${usage.limit}` }),
  });

  const operationFaults = new Map<string, { status: number; errorCode: string; retryAfterSeconds?: number; remaining: number }>();
  /** Serves an operation, first answering any fault aimed at it (a scenario fails one step, not "the next request"). */
  const serve = (operationId: string, handler: Parameters<typeof kit.handle>[1]) =>
    kit.handle(operationId, (request, reply) => {
      const fault = operationFaults.get(operationId);
      if (fault) {
        if (--fault.remaining <= 0) operationFaults.delete(operationId);
        if (fault.retryAfterSeconds !== undefined) reply.header('retry-after', String(fault.retryAfterSeconds));
        const message = `injected ${fault.errorCode}`;
        // The token endpoint is OAuth's, not the REST API's, and answers OAuth's error shape [oauth].
        return reply.code(fault.status).send(operationId === 'oauth.token' ? { error: fault.errorCode, error_description: message } : [{ message, errorCode: fault.errorCode }]);
      }
      return handler(request, reply);
    });

  /** Counts a REST call against the org's 24-hour allocation; over it, 403 REQUEST_LIMIT_EXCEEDED [limits]. */
  const countCall = () => {
    if (usage.used >= usage.limit) {
      throw new FakeError(403, 'TotalRequests Limit exceeded.', undefined, [{ message: 'TotalRequests Limit exceeded.', errorCode: 'REQUEST_LIMIT_EXCEEDED' }]);
    }
    usage.used += 1;
  };

  serve('oauth.token', ({ body }, reply) => {
    const form = body as Record<string, string>;
    if (form.grant_type !== 'client_credentials') return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    if (!constantTimeEqual(form.client_id ?? '', clientId) || !constantTimeEqual(form.client_secret ?? '', clientSecret)) {
      return reply.code(400).send({ error: 'invalid_client', error_description: 'invalid client credentials' });
    }
    const accessToken = `00D5g000000FAKE!${randomBytes(24).toString('base64url')}`;
    tokens.add(accessToken);
    tokensIssued += 1;
    return {
      access_token: accessToken,
      signature: randomBytes(32).toString('base64'),
      scope: 'api',
      instance_url: fake.url,
      id: `${fake.url}/id/00D5g000000FAKEEAA/${integrationUser.Id}`,
      token_type: 'Bearer',
      issued_at: String(Date.now()),
    };
  });
  serve('query', ({ query }) => {
    countCall();
    return store.query(query.q);
  });
  serve('sobjects.create', ({ params, body }) => {
    countCall();
    return { id: store.create(params.type, body).Id, success: true, errors: [] };
  });
  serve('sobjects.upsert', ({ params, body }, reply) => {
    countCall();
    const { status, record } = store.upsert(params.type, params.field, params.value, body);
    return reply.code(status).send({ id: record.Id, success: true, errors: [], created: status === 201 });
  });
  serve('sobjects.get', ({ params }) => {
    countCall();
    const record = store.get(params.type, params.id);
    return { ...record, attributes: { type: params.type, url: `/services/data/${params.version}/sobjects/${params.type}/${record.Id}` } };
  });
  serve('sobjects.update', ({ params, body }, reply) => {
    countCall();
    store.update(params.type, params.id, body);
    return reply.code(204).send();
  });
  serve('chatter.feedElements.post', ({ body }) => {
    countCall();
    return store.postFeedElement(body);
  });
  serve('chatter.recordFeed', ({ params }) => {
    countCall();
    return { elements: store.feedOf(params.recordId), nextPageUrl: null };
  });

  const fake: SalesforceFake = {
    system: 'salesforce',
    url: '',
    env: {},
    clientId,
    clientSecret,
    journal: kit.journal,
    breaches: kit.breaches,
    injectFault: kit.injectFault,
    failOperation: (operationId, fault) => void operationFaults.set(operationId, { ...fault, remaining: fault.times ?? 1 }),
    seed: (type, fields) => store.seed(type, fields),
    expireTokens: () => void (tokens = new Set()),
    setApiLimit(limit, used = usage.used) {
      usage.limit = limit;
      usage.used = used;
    },
    state: () => ({ records: [...store.records.values()], feeds: Object.fromEntries(store.feeds), apiUsage: { ...usage }, tokensIssued }),
    reset() {
      store = new SalesforceFakeStore();
      integrationUser = store.seed('User', INTEGRATION_USER);
      usage.used = 0;
      usage.limit = DEFAULT_DAILY_API_LIMIT;
      operationFaults.clear();
      kit.journal.length = 0;
    },
    close: () => kit.close(),
  };

  kit.app.post('/__control/records', async (request: FastifyRequest<{ Body: { type: string; fields: Record<string, unknown> } }>) => fake.seed(request.body.type, request.body.fields));
  kit.app.post('/__control/expire-tokens', async (_request, reply: FastifyReply) => {
    fake.expireTokens();
    return reply.code(204).send();
  });
  kit.app.post('/__control/api-limit', async (request: FastifyRequest<{ Body: { limit: number; used?: number } }>, reply: FastifyReply) => {
    fake.setApiLimit(request.body.limit, request.body.used);
    return reply.code(204).send();
  });
  kit.app.get('/__control/state', async () => fake.state());

  persistStore(kit.app, options.stateFile, () => store);
  fake.url = await kit.listen(options.port);
  fake.env = { SALESFORCE_LOGIN_URL: fake.url, SALESFORCE_CLIENT_ID: clientId, SALESFORCE_CLIENT_SECRET: clientSecret };
  return fake;
}
