/**
 * A local DocuSign: the OAuth service (JWT grant, userinfo) and the eSignature REST API on one real HTTP
 * server on 127.0.0.1, serving the operations of contract.ts through the contract kit. The JWT assertion is
 * verified with the integration's public key, as DocuSign does. Envelopes go created → sent → delivered →
 * completed; `complete` delivers the Connect JSON payload signed with X-DocuSign-Signature-1.
 *
 * Control, in process or over HTTP under `/__control`:
 *   seedTemplate / POST /__control/templates {name, roles}   subscribe / POST /__control/connect {url}
 *   complete / POST /__control/envelopes/:id/complete        setRemaining (hourly calls left)
 *   state() / GET /__control/state, injectFault, journal, reset
 */
import { createHmac, createVerify, generateKeyPair, randomBytes, randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createFakeKit, deliverWebhook, FakeError, type Fault, type JournalEntry, type RunningFake } from '../shared/fake-kit';
import { persistStore } from '../shared/persist';
import { docusignContract, HOURLY_LIMIT } from './contract';

export interface FakeEnvelope {
  envelopeId: string;
  status: 'created' | 'sent' | 'delivered' | 'completed' | 'declined' | 'voided';
  templateId: string;
  emailSubject: string;
  recipients: Array<{ roleName: string; name: string; email: string }>;
  customFields: Array<{ name: string; value: string }>;
  createdDateTime: string;
  statusChangedDateTime: string;
  sentDateTime?: string;
  completedDateTime?: string;
}

export interface DocuSignFake extends RunningFake {
  integrationKey: string;
  userId: string;
  accountId: string;
  /** PEM of the RSA key the integration signs its JWT assertions with. */
  privateKey: string;
  connectKey: string;
  journal: JournalEntry[];
  breaches(): string[];
  injectFault(fault: Fault): void;
  seedTemplate(name: string, roles: string[]): { templateId: string; name: string; roles: string[] };
  subscribe(url: string): void;
  /** Every recipient signs: the envelope is completed and Connect delivers `envelope-completed`. */
  complete(envelopeId: string): Promise<{ status: number }>;
  /** Hourly API calls left before 429 HOURLY_APIINVOCATION_LIMIT_EXCEEDED. */
  setRemaining(calls: number): void;
  deliveries: Array<{ url: string; body: string; headers: Record<string, string>; status: number }>;
  state(): { envelopes: FakeEnvelope[]; tokensIssued: number; templates: Array<{ templateId: string; name: string; roles: string[] }> };
  reset(): void;
}

/** A refusal in DocuSign's REST error shape {errorCode, message} [errors]. */
const dsError = (status: number, errorCode: string, field: string | undefined, message: string) => new FakeError(status, message, field, { errorCode, message });

/** `stateFile`: keep templates and envelopes there across restarts (the embedded default). */
export async function startDocuSignFake(options: { port?: number; stateFile?: string } = {}): Promise<DocuSignFake> {
  // Generated off the event loop: the sandbox starts every fake alongside the Temporal server.
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  const integrationKey = randomUUID();
  const userId = randomUUID();
  const accountId = randomUUID();
  const connectKey = randomBytes(32).toString('base64');
  // One object, so persistStore can save and restore it; tokens, limits and Connect are set at each start.
  let data = { templates: [] as Array<{ templateId: string; name: string; roles: string[] }>, envelopes: [] as FakeEnvelope[] };
  let tokens = new Set<string>();
  let tokensIssued = 0;
  let remaining = HOURLY_LIMIT;
  let connectUrl: string | undefined;

  const topOfNextHour = () => Math.ceil((Date.now() + 1) / 3_600_000) * 3_600;
  const kit = createFakeKit({
    contract: docusignContract,
    credentials: { bearer: (token) => tokens.has(token) },
    reset: () => fake.reset(),
    // [limits]: every REST answer states the hourly allocation.
    answerHeaders: (operation): Record<string, string> =>
      operation.id.startsWith('oauth.') ? {} : { 'x-ratelimit-limit': String(HOURLY_LIMIT), 'x-ratelimit-remaining': String(Math.max(remaining, 0)), 'x-ratelimit-reset': String(topOfNextHour()) },
  });

  const countCall = () => {
    if (remaining <= 0) throw new FakeError(429, 'The maximum number of hourly API invocations has been exceeded. Hourly Limit: 3000');
    remaining -= 1;
  };
  const checkAccount = (id: string) => {
    if (id !== accountId) throw dsError(400, 'USER_NOT_MEMBER_OF_ACCOUNT', undefined, 'The user is not a member of the specified account.');
  };
  const find = (id: string) =>
    data.envelopes.find((e) => e.envelopeId === id) ?? (() => { throw dsError(404, 'ENVELOPE_DOES_NOT_EXIST', undefined, 'The envelope specified either does not exist or you have no access to it.'); })();
  const view = (e: FakeEnvelope) => ({
    envelopeId: e.envelopeId,
    status: e.status,
    emailSubject: e.emailSubject,
    createdDateTime: e.createdDateTime,
    statusChangedDateTime: e.statusChangedDateTime,
    ...(e.sentDateTime ? { sentDateTime: e.sentDateTime } : {}),
    ...(e.completedDateTime ? { completedDateTime: e.completedDateTime } : {}),
    customFields: { textCustomFields: e.customFields },
  });
  const setStatus = (e: FakeEnvelope, status: FakeEnvelope['status']) => {
    const now = new Date().toISOString();
    e.status = status;
    e.statusChangedDateTime = now;
    if (status === 'sent') e.sentDateTime = now;
    if (status === 'completed') e.completedDateTime = now;
  };

  kit.handle('oauth.token', ({ body }, reply) => {
    const form = body as { grant_type: string; assertion: string };
    if (form.grant_type !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') return reply.code(400).send({ error: 'unsupported_grant_type' });
    const problem = checkAssertion(form.assertion);
    if (problem) return reply.code(400).send({ error: problem === 'consent' ? 'consent_required' : 'invalid_grant', error_description: problem === 'consent' ? undefined : problem });
    const accessToken = randomBytes(32).toString('base64url');
    tokens.add(accessToken);
    tokensIssued += 1;
    return { access_token: accessToken, token_type: 'Bearer', expires_in: 3600 };
  });
  kit.handle('oauth.userinfo', () => ({
    sub: userId,
    name: 'Partnerships Integration',
    email: 'partnerships@everbright.example',
    accounts: [{ account_id: accountId, is_default: true, account_name: 'EverBright', base_uri: fake.url }],
  }));
  kit.handle('templates.list', ({ params, query }) => {
    checkAccount(params.accountId);
    countCall();
    const found = data.templates.filter((t) => !query.search_text || t.name.toLowerCase().includes(query.search_text.toLowerCase()));
    return { envelopeTemplates: found.map((t) => ({ templateId: t.templateId, name: t.name })), resultSetSize: String(found.length), totalSetSize: String(found.length) };
  });
  kit.handle('envelopes.create', ({ params, body }) => {
    checkAccount(params.accountId);
    countCall();
    const input = body as { templateId: string; templateRoles: FakeEnvelope['recipients']; emailSubject: string; status: 'created' | 'sent'; customFields?: { textCustomFields?: Array<{ name: string; value: string }> } };
    const template = data.templates.find((t) => t.templateId === input.templateId);
    if (!template) throw dsError(400, 'TEMPLATE_ID_INVALID', 'templateId', `Invalid template ID: ${input.templateId}`);
    for (const role of input.templateRoles) {
      if (!template.roles.includes(role.roleName)) {
        throw dsError(400, 'INVALID_REQUEST_PARAMETER', 'templateRoles', `The role name "${role.roleName}" is not a role of the template. Roles: ${template.roles.join(', ')}`);
      }
    }
    const now = new Date().toISOString();
    const envelope: FakeEnvelope = {
      envelopeId: randomUUID(),
      status: 'created',
      templateId: template.templateId,
      emailSubject: input.emailSubject,
      recipients: input.templateRoles.map((r) => ({ roleName: r.roleName, name: r.name, email: r.email })),
      customFields: (input.customFields?.textCustomFields ?? []).map((f) => ({ name: f.name, value: f.value })),
      createdDateTime: now,
      statusChangedDateTime: now,
    };
    if (input.status === 'sent') setStatus(envelope, 'sent');
    data.envelopes.push(envelope);
    return { envelopeId: envelope.envelopeId, status: envelope.status, statusDateTime: envelope.statusChangedDateTime, uri: `/envelopes/${envelope.envelopeId}` };
  });
  kit.handle('envelopes.listStatusChanges', ({ params, query }) => {
    checkAccount(params.accountId);
    countCall();
    if (!query.from_date && !query.envelope_ids && !query.transaction_ids && !query.folder_ids) {
      throw new FakeError(400, "The request contained at least one invalid parameter. A value for 'from_date', 'envelope_ids', 'transaction_ids' or 'folder_ids' must be set.");
    }
    const [name, value] = (query.custom_field ?? '').split(/=(.*)/s);
    const since = query.from_date ? Date.parse(query.from_date) : 0;
    const found = data.envelopes.filter((e) => Date.parse(e.statusChangedDateTime) >= since && (!query.custom_field || e.customFields.some((f) => f.name === name && f.value === value)));
    return { envelopes: found.map(view), resultSetSize: String(found.length), totalSetSize: String(found.length), startPosition: '0', endPosition: String(Math.max(found.length - 1, 0)) };
  });
  kit.handle('envelopes.get', ({ params }) => {
    checkAccount(params.accountId);
    countCall();
    return view(find(params.envelopeId));
  });
  kit.handle('envelopes.update', ({ params, body }) => {
    checkAccount(params.accountId);
    countCall();
    const envelope = find(params.envelopeId);
    const status = (body as { status?: string }).status;
    if (status === 'sent') {
      if (envelope.status !== 'created') throw dsError(400, 'ENVELOPE_CANNOT_SEND', 'status', `Envelope is ${envelope.status}; only a draft can be sent.`);
      setStatus(envelope, 'sent');
    }
    return { envelopeId: envelope.envelopeId };
  });

  /** Verifies an RS256 JWT grant assertion [jwt]; returns what is wrong, or undefined. */
  function checkAssertion(assertion: string): string | 'consent' | undefined {
    const [header, payload, signature] = assertion.split('.');
    if (!header || !payload || !signature) return 'no_valid_keys_or_signatures';
    const verified = createVerify('RSA-SHA256').update(`${header}.${payload}`).verify(publicKey, Buffer.from(signature, 'base64url'));
    if (!verified) return 'no_valid_keys_or_signatures';
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (claims.iss !== integrationKey) return 'issuer_not_found';
    if (claims.aud !== new URL(fake.url).host) return 'invalid_request: aud must be the OAuth host';
    if (typeof claims.exp !== 'number' || claims.exp * 1000 < Date.now()) return 'expired_grant';
    if (typeof claims.scope !== 'string' || !claims.scope.split(' ').includes('signature')) return 'invalid_scope';
    if (claims.sub !== userId) return 'consent';
    return undefined;
  }

  const fake: DocuSignFake = {
    system: 'docusign',
    url: '',
    env: {},
    integrationKey,
    userId,
    accountId,
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    connectKey,
    journal: kit.journal,
    breaches: kit.breaches,
    injectFault: kit.injectFault,
    deliveries: [],
    seedTemplate(name, roles) {
      const template = { templateId: randomUUID(), name, roles };
      data.templates.push(template);
      return template;
    },
    subscribe: (url) => void (connectUrl = url),
    async complete(envelopeId) {
      const envelope = find(envelopeId);
      if (envelope.status !== 'sent' && envelope.status !== 'delivered') throw new FakeError(409, `envelope ${envelopeId} is ${envelope.status}; only a sent envelope can be completed`);
      setStatus(envelope, 'completed');
      if (!connectUrl) return { status: 0 };
      const body = JSON.stringify({
        event: 'envelope-completed',
        apiVersion: 'v2.1',
        uri: `/restapi/v2.1/accounts/${accountId}/envelopes/${envelopeId}`,
        retryCount: 0,
        configurationId: 10_001,
        generatedDateTime: new Date().toISOString(),
        data: { accountId, userId, envelopeId, envelopeSummary: { status: 'completed', emailSubject: envelope.emailSubject, customFields: { textCustomFields: envelope.customFields } } },
      });
      const headers = { 'x-docusign-signature-1': createHmac('sha256', connectKey).update(body).digest('base64') };
      const { status } = await deliverWebhook(connectUrl, body, headers).catch(() => ({ status: 0 }));
      fake.deliveries.push({ url: connectUrl, body, headers, status });
      return { status };
    },
    setRemaining: (calls) => void (remaining = calls),
    state: () => ({ envelopes: data.envelopes, tokensIssued, templates: data.templates }),
    reset() {
      data = { templates: [], envelopes: [] };
      tokens = new Set();
      remaining = HOURLY_LIMIT;
      connectUrl = undefined;
      fake.deliveries.length = 0;
      kit.journal.length = 0;
      fake.seedTemplate('Reseller Agreement', ['Reseller', 'Partnerships']);
    },
    close: () => kit.close(),
  };
  fake.reset();

  kit.app.post('/__control/templates', async (request: FastifyRequest<{ Body: { name: string; roles: string[] } }>) => fake.seedTemplate(request.body.name, request.body.roles));
  kit.app.post('/__control/connect', async (request: FastifyRequest<{ Body: { url: string } }>, reply: FastifyReply) => {
    fake.subscribe(request.body.url);
    return reply.code(204).send();
  });
  kit.app.post('/__control/envelopes/:id/complete', async (request: FastifyRequest<{ Params: { id: string } }>) => fake.complete(request.params.id));
  kit.app.get('/__control/state', async () => fake.state());

  persistStore(kit.app, options.stateFile, () => data);
  fake.url = await kit.listen(options.port);
  fake.env = {
    DOCUSIGN_OAUTH_URL: fake.url,
    DOCUSIGN_INTEGRATION_KEY: integrationKey,
    DOCUSIGN_USER_ID: userId,
    DOCUSIGN_PRIVATE_KEY: fake.privateKey.replace(/\n/g, '\\n'),
    DOCUSIGN_CONNECT_KEYS: connectKey,
  };
  return fake;
}
