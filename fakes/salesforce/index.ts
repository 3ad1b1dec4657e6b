/**
 * A local Salesforce org: a real HTTP server on 127.0.0.1 speaking the REST API paths jsforce uses
 * (`/services/oauth2/token`, `/services/data/vNN.N/query`, `/sobjects/...`, `/chatter/...`), with the
 * rules in contract.ts. Point SALESFORCE_LOGIN_URL at `url`; the token answer names the same origin as the
 * instance.
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seed / POST /__control/records {type, fields}   expireTokens / POST /__control/expire-tokens
 *   setApiLimit / POST /__control/api-limit          state() / GET /__control/state
 *   injectFault / POST /__control/faults             journal / GET /__control/journal, reset
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunningFake } from '../../activities/shared/action';
import { createFakeKit, type Fault, type JournalEntry } from '../../activities/shared/fake-kit';
import { constantTimeEqual } from '../../activities/shared/webhook';
import { DEFAULT_DAILY_API_LIMIT, type SalesforceError } from './contract';
import { SalesforceFakeError, SalesforceFakeStore, type FeedElement, type SfRecord } from './store';

export interface SalesforceFake extends RunningFake {
  clientId: string;
  clientSecret: string;
  journal: JournalEntry[];
  injectFault(fault: Fault): void;
  /** Adds a record as an administrator or a data load would, without the API's field checks. */
  seed(type: string, fields: Record<string, unknown>): SfRecord;
  /** Every access token issued so far stops working (401 INVALID_SESSION_ID), as when a session times out. */
  expireTokens(): void;
  /** Sets the org's 24-hour API allocation and how much of it is used. */
  setApiLimit(limit: number, used?: number): void;
  state(): { records: SfRecord[]; feeds: Record<string, FeedElement[]>; apiUsage: { used: number; limit: number }; tokensIssued: number };
  reset(): void;
}

const TOKEN_PATH = '/services/oauth2/token';
const API = '/services/data/:version';
const sfError = (message: string, errorCode: string): SalesforceError[] => [{ message, errorCode }];

export async function startSalesforceFake(options: { clientId?: string; clientSecret?: string } = {}): Promise<SalesforceFake> {
  const clientId = options.clientId ?? `3MVG9fake${randomBytes(8).toString('hex')}`;
  const clientSecret = options.clientSecret ?? randomBytes(24).toString('hex');
  let store = new SalesforceFakeStore();
  let tokens = new Set<string>();
  let tokensIssued = 0;
  const usage = { used: 0, limit: DEFAULT_DAILY_API_LIMIT };

  const kit = createFakeKit({
    reset: () => fake.reset(),
    authorize: (request) => {
      if (request.url.startsWith(TOKEN_PATH)) return true;
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      return token !== undefined && tokens.has(token);
    },
    errorBody: (status, message) => (status === 401 ? sfError('Session expired or invalid', 'INVALID_SESSION_ID') : sfError(message, status >= 500 ? 'SERVER_UNAVAILABLE' : `HTTP_${status}`)),
  });
  const { app } = kit;

  // The token endpoint takes an HTML form body [oauth].
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof SalesforceFakeError) return reply.code(error.status).send([error.error]);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send(sfError((error as Error).message, status === 400 ? 'JSON_PARSER_ERROR' : 'UNKNOWN_EXCEPTION'));
  });

  // [limits]: every REST call counts against the org's allocation and reports it in Sforce-Limit-Info.
  app.addHook('preHandler', async (request, reply) => {
    if (!request.url.startsWith('/services/data/')) return;
    const version = /^\/services\/data\/(v\d+\.\d)\//.exec(request.url)?.[1];
    if (!version) return reply.code(404).send(sfError('The requested resource does not exist', 'NOT_FOUND'));
    if (usage.used >= usage.limit) {
      reply.header('sforce-limit-info', `api-usage=${usage.used}/${usage.limit}`);
      return reply.code(403).send(sfError('TotalRequests Limit exceeded.', 'REQUEST_LIMIT_EXCEEDED'));
    }
    usage.used += 1;
    reply.header('sforce-limit-info', `api-usage=${usage.used}/${usage.limit}`);
  });

  app.post(TOKEN_PATH, async (request: FastifyRequest<{ Body: Record<string, string> }>, reply: FastifyReply) => {
    const form = request.body ?? {};
    if (form.grant_type !== 'client_credentials') {
      return reply.code(400).send({ error: 'unsupported_grant_type', error_description: 'grant type not supported' });
    }
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

  app.get(`${API}/query`, async (request: FastifyRequest<{ Querystring: { q?: string } }>) => {
    if (!request.query.q) throw new SalesforceFakeError(400, { message: 'query parameter q is required', errorCode: 'MALFORMED_QUERY' });
    return store.query(request.query.q);
  });
  app.post(`${API}/sobjects/:type`, async (request: FastifyRequest<{ Params: { type: string }; Body: unknown }>, reply: FastifyReply) => {
    const record = store.create(request.params.type, request.body);
    return reply.code(201).send({ id: record.Id, success: true, errors: [] });
  });
  app.get(`${API}/sobjects/:type/:id`, async (request: FastifyRequest<{ Params: { type: string; id: string } }>) => {
    const record = store.get(request.params.type, request.params.id);
    return { ...record, attributes: { type: request.params.type, url: `/services/data/v62.0/sobjects/${request.params.type}/${record.Id}` } };
  });
  app.patch(`${API}/sobjects/:type/:id`, async (request: FastifyRequest<{ Params: { type: string; id: string }; Body: unknown }>, reply: FastifyReply) => {
    store.update(request.params.type, request.params.id, request.body);
    return reply.code(204).send();
  });
  app.patch(`${API}/sobjects/:type/:field/:value`, async (request: FastifyRequest<{ Params: { type: string; field: string; value: string }; Body: unknown }>, reply: FastifyReply) => {
    const { status, record } = store.upsert(request.params.type, request.params.field, request.params.value, request.body);
    return reply.code(status).send({ id: record.Id, success: true, errors: [], created: status === 201 });
  });
  app.post(`${API}/chatter/feed-elements`, async (request: FastifyRequest<{ Body: unknown }>, reply: FastifyReply) => reply.code(201).send(store.postFeedElement(request.body)));
  app.get(`${API}/chatter/feeds/record/:recordId/feed-elements`, async (request: FastifyRequest<{ Params: { recordId: string } }>) => ({
    elements: store.feedOf(request.params.recordId),
    nextPageUrl: null,
  }));

  let integrationUser = store.seed('User', { Name: 'Integration User', Email: 'integration@everbright.example' });

  const fake: SalesforceFake = {
    system: 'salesforce',
    url: '',
    clientId,
    clientSecret,
    journal: kit.journal,
    injectFault: kit.injectFault,
    seed: (type, fields) => store.seed(type, fields),
    expireTokens: () => void (tokens = new Set()),
    setApiLimit(limit, used = usage.used) {
      usage.limit = limit;
      usage.used = used;
    },
    state: () => ({ records: [...store.records.values()], feeds: Object.fromEntries(store.feeds), apiUsage: { ...usage }, tokensIssued }),
    reset() {
      store = new SalesforceFakeStore();
      integrationUser = store.seed('User', { Name: 'Integration User', Email: 'integration@everbright.example' });
      usage.used = 0;
      usage.limit = DEFAULT_DAILY_API_LIMIT;
      kit.journal.length = 0;
    },
    close: () => kit.close(),
  };

  app.post('/__control/records', async (request: FastifyRequest<{ Body: { type: string; fields: Record<string, unknown> } }>) => fake.seed(request.body.type, request.body.fields));
  app.post('/__control/expire-tokens', async (_request, reply: FastifyReply) => {
    fake.expireTokens();
    return reply.code(204).send();
  });
  app.post('/__control/api-limit', async (request: FastifyRequest<{ Body: { limit: number; used?: number } }>, reply: FastifyReply) => {
    fake.setApiLimit(request.body.limit, request.body.used);
    return reply.code(204).send();
  });
  app.get('/__control/state', async () => fake.state());

  fake.url = await kit.listen();
  return fake;
}
