/**
 * A local NICE CXone: a real HTTP server on 127.0.0.1 with the issuer's token endpoint and discovery
 * documents (pointing `api_endpoint` back at itself) and the Digital (DFO 3.0) endpoints the CXone actions
 * call. Tokens are bearer tokens that can be expired on demand, so the client's refresh-once-on-401 path is
 * exercised. The default seed holds the email channel, organisations, a contact and the quick replies
 * "New Channel Req 1" and "New Channel Req 2".
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seed / POST /__control/seed                 organisations, contacts, quick replies, channels
 *   cases(), messages() / GET /__control/cases, /__control/messages
 *   expireTokens / POST /__control/tokens/expire   every issued token answers 401 from now on
 *   injectFault / POST /__control/faults        journal / GET /__control/journal
 *   reset / POST /__control/reset               back to the default seed
 * CXone has no webhooks in this process (vendors.md §3), so the fake sends none.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunningFake } from '../shared/action';
import { createFakeKit, type Fault, type JournalEntry } from '../shared/fake-kit';
import { constantTimeEqual } from '../shared/webhook';
import { cxoneError, CxoneFakeStore, FakeCxoneError, type FakeCase, type FakeMessage } from './fake-store';

export interface CxoneFakeOptions {
  /** Token lifetime in seconds (default one hour). */
  tokenTtlSeconds?: number;
}

export interface CxoneSeed {
  organisations?: string[];
  contacts?: Array<{ fullName: string; email: string; organisation?: string }>;
  quickReplies?: Array<{ title: string; content: string }>;
  channels?: Array<{ id?: string; name: string; integrationBoxIdent: string }>;
}

export interface CxoneFake extends RunningFake {
  clientId: string;
  clientSecret: string;
  accessKeyId: string;
  accessKeySecret: string;
  tenantId: string;
  /** How many tokens the issuer has handed out. */
  tokensIssued: number;
  journal: JournalEntry[];
  injectFault(fault: Fault): void;
  seed(seed: CxoneSeed): void;
  cases(): Array<ReturnType<typeof presentCase>>;
  messages(): FakeMessage[];
  expireTokens(): void;
  reset(): void;
}

type Params<T extends string> = { [K in T]: string };

export async function startCxoneFake(options: CxoneFakeOptions = {}): Promise<CxoneFake> {
  const clientId = `engine-app-${randomBytes(4).toString('hex')}`;
  const clientSecret = randomBytes(16).toString('hex');
  const accessKeyId = `AK${randomBytes(8).toString('hex').toUpperCase()}`;
  // Real access key secrets may contain "=", which the client must URL-encode.
  const accessKeySecret = `${randomBytes(18).toString('base64')}==`;
  const tenantId = '11eb1b8f-0000-4000-8000-fakefakefake';
  const signingKey = randomBytes(32);
  const ttl = options.tokenTtlSeconds ?? 3600;
  const tokens = new Map<string, number>(); // token → expiry (epoch ms)
  let store = new CxoneFakeStore();
  let origin = '';

  const isIssuerPath = (url: string) => url.startsWith('/auth/') || url.startsWith('/.well-known/');
  const kit = createFakeKit({
    reset: () => fake.reset(),
    authorize(request) {
      if (isIssuerPath(request.url)) return true; // the token endpoint checks its own credentials
      const token = /^Bearer (.+)$/.exec(request.headers.authorization ?? '')?.[1];
      const expiresAt = token === undefined ? undefined : tokens.get(token);
      return expiresAt !== undefined && Date.now() < expiresAt;
    },
    errorBody: (status, message) => cxoneError(status === 401 ? 'Invalid or expired access token' : message),
  });
  const { app } = kit;

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof FakeCxoneError) return reply.code(error.status).send(error.body);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send(cxoneError((error as Error).message));
  });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) =>
    done(null, Object.fromEntries(new URLSearchParams(String(body)))),
  );

  // ---- issuer --------------------------------------------------------------------------------------------

  const jwt = (claims: Record<string, unknown>) => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
    return `${unsigned}.${createHmac('sha256', signingKey).update(unsigned).digest('base64url')}`;
  };

  app.post('/auth/token', async (request: FastifyRequest<{ Body: Record<string, string> }>, reply: FastifyReply) => {
    const expected = `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`;
    if (!constantTimeEqual(request.headers.authorization ?? '', expected)) {
      return reply.code(401).send({ error: 'invalid_client', error_description: 'Client authentication failed' });
    }
    const body = request.body ?? {};
    if (body.grant_type !== 'password' || body.username !== accessKeyId || !constantTimeEqual(body.password ?? '', accessKeySecret)) {
      return reply.code(400).send({ error: 'invalid_grant', error_description: 'Invalid access key' });
    }
    const accessToken = randomBytes(24).toString('hex');
    tokens.set(accessToken, Date.now() + ttl * 1000);
    fake.tokensIssued++;
    const now = Math.floor(Date.now() / 1000);
    return {
      access_token: accessToken,
      token_type: 'Bearer',
      expires_in: ttl,
      id_token: jwt({ iss: origin, sub: `user:${accessKeyId}`, aud: clientId, tenantId, iat: now, exp: now + ttl }),
    };
  });

  app.get('/.well-known/openid-configuration', async () => ({ issuer: origin, token_endpoint: `${origin}/auth/token`, grant_types_supported: ['password'] }));

  app.get('/.well-known/cxone-configuration', async (request: FastifyRequest<{ Querystring: { tenantId?: string } }>, reply: FastifyReply) => {
    if (request.query.tenantId !== tenantId) return reply.code(404).send(cxoneError(`Tenant ${String(request.query.tenantId)} not found`));
    return { private: false, area: 'fake1', domain: '127.0.0.1', ui_endpoint: origin, auth_endpoint: origin, api_endpoint: origin, tenantId };
  });

  // ---- Digital (DFO 3.0) ---------------------------------------------------------------------------------

  const caseOut = (c: FakeCase) => presentCase(c, store);

  app.get('/dfo/3.0/channels', async () => ({ data: store.channels }));
  app.get('/dfo/3.0/quick-responses', async () => ({ data: store.quickResponses.map((q) => ({ ...q, isActive: true })) }));
  app.post('/dfo/3.0/quick-responses/:id/replace-variables', async (request: FastifyRequest<{ Params: Params<'id'> }>) => ({
    content: store.renderQuickResponse(request.params.id, request.body),
  }));
  app.get('/dfo/3.0/organizations', async (request: FastifyRequest<{ Querystring: { search?: string } }>) => ({ data: store.searchOrganisations(request.query.search) }));
  app.get('/dfo/3.0/contacts', async (request: FastifyRequest<{ Querystring: { threadIdOnExternalPlatform?: string } }>) => ({
    data: [...store.cases.values()].filter((c) => !request.query.threadIdOnExternalPlatform || c.threadIdOnExternalPlatform === request.query.threadIdOnExternalPlatform).map(caseOut),
  }));
  app.post('/dfo/3.0/contacts', async (request, reply: FastifyReply) => reply.code(201).send(caseOut(store.createCase(request.body))));
  app.get('/dfo/3.0/contacts/:id/detail', async (request: FastifyRequest<{ Params: Params<'id'> }>) => caseOut(store.getCase(request.params.id)));
  app.get('/dfo/3.0/contacts/:id/messages', async (request: FastifyRequest<{ Params: Params<'id'> }>) => {
    const found = store.getCase(request.params.id);
    return { data: store.messages.filter((m) => m.caseId === found.id).map(presentMessage) };
  });
  app.post('/dfo/3.0/channels/:channelId/outbound', async (request: FastifyRequest<{ Params: Params<'channelId'> }>) => {
    const sent = store.sendOutbound(request.params.channelId, request.body);
    return { consumerContact: caseOut(sent.consumerContact), message: presentMessage(sent.message) };
  });

  // ---- control -------------------------------------------------------------------------------------------

  const fake: CxoneFake = {
    system: 'cxone',
    url: '',
    clientId,
    clientSecret,
    accessKeyId,
    accessKeySecret,
    tenantId,
    tokensIssued: 0,
    journal: kit.journal,
    injectFault: kit.injectFault,
    seed(seed) {
      for (const name of seed.organisations ?? []) store.addOrganisation(name);
      for (const contact of seed.contacts ?? []) store.addCustomer(contact);
      for (const quickReply of seed.quickReplies ?? []) store.addQuickResponse(quickReply);
      for (const channel of seed.channels ?? []) store.addChannel(channel);
    },
    cases: () => [...store.cases.values()].map(caseOut),
    messages: () => [...store.messages],
    expireTokens: () => tokens.clear(),
    reset() {
      store = new CxoneFakeStore();
      tokens.clear();
      kit.journal.length = 0;
    },
    close: () => kit.close(),
  };

  app.post('/__control/seed', async (request: FastifyRequest<{ Body: CxoneSeed }>, reply: FastifyReply) => {
    fake.seed(request.body ?? {});
    return reply.code(204).send();
  });
  app.get('/__control/cases', async () => ({ cases: fake.cases() }));
  app.get('/__control/messages', async () => ({ messages: fake.messages() }));
  app.post('/__control/tokens/expire', async (_request, reply: FastifyReply) => {
    fake.expireTokens();
    return reply.code(204).send();
  });

  origin = await kit.listen();
  fake.url = origin;
  return fake;
}

function presentCase(c: FakeCase, store: CxoneFakeStore) {
  const customer = store.customers.find((x) => x.id === c.customerId);
  return {
    id: c.id,
    status: c.status,
    channelId: c.channelId,
    threadIdOnExternalPlatform: c.threadIdOnExternalPlatform,
    threadName: c.threadName,
    organizationId: c.organizationId,
    customer: { id: c.customerId, fullName: customer?.fullName, firstName: customer?.firstName, idOnExternalPlatform: customer?.email },
    createdAt: c.createdAt,
  };
}

function presentMessage(m: FakeMessage) {
  return {
    id: m.id,
    idOnExternalPlatform: m.idOnExternalPlatform,
    direction: m.direction,
    thread: { threadName: m.subject },
    messageContent: { type: 'TEXT', payload: { text: m.text } },
    recipients: m.recipients,
    createdAt: m.createdAt,
  };
}
