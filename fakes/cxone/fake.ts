/**
 * A local NICE CXone: a real HTTP server on 127.0.0.1 serving contract.ts: the issuer's OpenID configuration,
 * its token endpoint (at `tokenPath`, wherever the configuration says), CXone's API discovery (pointing
 * `api_endpoint` back at itself) and the documented Digital (DFO 3.0) endpoints. A case is opened only by
 * the first outbound message on a new thread, as in CXone. Tokens are bearer tokens that can be expired on
 * demand, so the client's refresh-once-on-401 path is exercised. The default seed holds the email channel,
 * a contact and the quick replies "New Channel Req 1" and "New Channel Req 2".
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seed / POST /__control/seed                 contacts, quick replies, channels
 *   cases(), messages() / GET /__control/cases, /__control/messages
 *   expireTokens / POST /__control/tokens/expire   every issued token answers 401 from now on
 *   injectFault / POST /__control/faults        journal / GET /__control/journal
 *   reset / POST /__control/reset               back to the default seed
 * CXone has no webhooks in this process (vendors.md §3), so the fake sends none.
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../shared/compare';
import { createFakeKit, type FakeKit, type Fault, type JournalEntry, type RunningFake } from '../shared/fake-kit';
import { persistStore } from '../shared/persist';
import { cxoneContract } from './contract';
import { cxoneError, CxoneFakeStore, type FakeCase, type FakeMessage } from './store';

export interface CxoneFakeOptions {
  /** Where its data is kept across restarts (fakes/shared/persist.ts); default: in memory only. */
  stateFile?: string;
  /** The port to listen on (default 0: any free port). */
  port?: number;
  /** Token lifetime in seconds (default one hour). */
  tokenTtlSeconds?: number;
  /** Where the issuer serves its token endpoint (published in its OpenID configuration); default `/auth/token`. */
  tokenPath?: string;
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
  breaches: FakeKit['breaches'];
  injectFault(fault: Fault): void;
  seed(seed: CxoneSeed): void;
  cases(): Array<ReturnType<typeof presentCase>>;
  messages(): FakeMessage[];
  expireTokens(): void;
  reset(): void;
}

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

  const tokenPath = options.tokenPath ?? '/auth/token';
  const kit = createFakeKit({
    contract: cxoneContract(tokenPath),
    reset: () => fake.reset(),
    credentials: {
      bearer: (token) => (tokens.get(token) ?? 0) > Date.now(),
      basic: (user, password) => constantTimeEqual(user, clientId) && constantTimeEqual(password, clientSecret),
    },
  });
  const { app } = kit;


  // ---- issuer --------------------------------------------------------------------------------------------

  const jwt = (claims: Record<string, unknown>) => {
    const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const unsigned = `${encode({ alg: 'HS256', typ: 'JWT' })}.${encode(claims)}`;
    return `${unsigned}.${createHmac('sha256', signingKey).update(unsigned).digest('base64url')}`;
  };

  kit.handle('oidc.token', ({ body }, reply: FastifyReply) => {
    const b = body as Record<string, string>;
    if (b.username !== accessKeyId || !constantTimeEqual(b.password ?? '', accessKeySecret)) {
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

  kit.handle('oidc.configuration', () => ({ issuer: origin, token_endpoint: `${origin}${tokenPath}`, grant_types_supported: ['password'] }));

  kit.handle('cxone.configuration', ({ query }, reply: FastifyReply) => {
    if (query.tenantId !== tenantId) return reply.code(404).send(cxoneError(`Tenant ${String(query.tenantId)} not found`));
    return { private: false, area: 'fake1', domain: '127.0.0.1', ui_endpoint: origin, auth_endpoint: origin, api_endpoint: origin, tenantId };
  });

  // ---- Digital (DFO 3.0) ---------------------------------------------------------------------------------

  const caseOut = (c: FakeCase) => presentCase(c, store);

  kit.handle('channels.list', () => ({ data: store.channels }));
  kit.handle('quickResponses.list', () => ({ data: store.quickResponses.map((q) => ({ ...q, isActive: true })) }));
  kit.handle('quickResponses.replace', ({ params, body }) => ({ content: store.renderQuickResponse(params.quickResponseId, body) }));
  kit.handle('contacts.list', ({ query }) => {
    const raw = query.status as string | string[] | undefined;
    const statuses = raw === undefined ? undefined : Array.isArray(raw) ? raw : [raw];
    return { data: [...store.cases.values()].filter((c) => !statuses || statuses.includes(c.status)).map(caseOut) };
  });
  kit.handle('contacts.detail', ({ params }) => caseOut(store.getCase(params.contactId)));
  kit.handle('contacts.messages', ({ params }) => {
    const found = store.getCase(params.contactId);
    return { data: store.messages.filter((m) => m.caseId === found.id).map(presentMessage) };
  });
  kit.handle('channels.outbound', ({ params, body }) => {
    const sent = store.sendOutbound(params.channelId, body);
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
    env: {},
    journal: kit.journal,
    breaches: kit.breaches,
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

  persistStore(kit.app, options.stateFile, () => store);
  origin = await kit.listen(options.port);
  fake.url = origin;
  fake.env = {
    CXONE_ISSUER_URL: origin, CXONE_CLIENT_ID: clientId, CXONE_CLIENT_SECRET: clientSecret,
    CXONE_ACCESS_KEY_ID: accessKeyId, CXONE_ACCESS_KEY_SECRET: accessKeySecret, CXONE_TIMEOUT_MS: '10000',
  };
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
