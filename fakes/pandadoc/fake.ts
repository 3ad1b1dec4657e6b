/**
 * A local PandaDoc: a real HTTP server on 127.0.0.1 serving the operations of contract.ts, enforced by the
 * contract kit. Documents go through PandaDoc's states: created `document.uploaded`, a draft after
 * `draftAfterMs`, `document.sent` when sent, `document.completed` once every recipient has signed in
 * signing order. Each state change is delivered to the subscribed URL as PandaDoc does: a JSON array,
 * signed with `?signature=`.
 *
 * Control, in process or over HTTP under `/__control`:
 *   seedTemplate / POST /__control/templates {name, roles}    subscribe / POST /__control/webhook {url}
 *   signNext / POST /__control/documents/:id/sign              state() / GET /__control/state
 *   injectFault / POST /__control/faults                       journal / GET /__control/journal, reset
 */
import { createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../shared/compare';
import { createFakeKit, deliverWebhook, FakeError, type Fault, type JournalEntry, type RunningFake } from '../shared/fake-kit';
import { persistStore } from '../shared/persist';
import { pandadocContract } from './contract';

export interface FakeTemplate { id: string; name: string; roles: string[] }
export interface FakeRecipient { email: string; first_name?: string; last_name?: string; role: string; signing_order: number; has_completed: boolean }
export interface FakeDocument {
  id: string;
  name: string;
  status: string;
  template: { id: string; name: string };
  recipients: FakeRecipient[];
  tokens: Array<{ name: string; value: string }>;
  metadata: Record<string, unknown>;
  date_created: string;
  date_modified: string;
  sent: Array<{ subject?: string; message?: string }>;
}

export interface PandaDocFake extends RunningFake {
  apiKey: string;
  webhookKey: string;
  journal: JournalEntry[];
  breaches(): string[];
  injectFault(fault: Fault): void;
  seedTemplate(name: string, roles: string[]): FakeTemplate;
  /** How long PandaDoc takes to turn a new document into a draft (default 50 ms). */
  draftAfterMs: number;
  /** Finishes processing a document now (uploaded → draft). */
  makeDraft(documentId: string): Promise<void>;
  /** Where state changes are delivered (the engine's PandaDoc webhook route). */
  subscribe(url: string): void;
  /** The next recipient in signing order signs; the last one completes the document. Resolves once the webhooks are delivered. */
  signNext(documentId: string): Promise<FakeDocument>;
  /** Webhook deliveries made, with their answers. */
  deliveries: Array<{ url: string; body: string; status: number }>;
  state(): { templates: FakeTemplate[]; documents: FakeDocument[] };
  reset(): void;
}

/** PandaDoc ids are 22 letters and digits. */
const newId = () => randomBytes(16).toString('base64').replace(/[^a-zA-Z0-9]/g, '').padEnd(22, 'x').slice(0, 22);
const SOF_TEMPLATE = 'SOF_SOF_Direct Customer_2022 (EB) Standard Template';

/** `stateFile`: keep templates and documents there across restarts (the embedded default). */
export async function startPandaDocFake(options: { draftAfterMs?: number; port?: number; stateFile?: string } = {}): Promise<PandaDocFake> {
  const apiKey = randomBytes(20).toString('hex');
  const webhookKey = randomBytes(20).toString('hex');
  // One object, so persistStore can save and restore it; the webhook subscription is set at each start.
  let data = { templates: [] as FakeTemplate[], documents: [] as FakeDocument[] };
  let webhookUrl: string | undefined;
  const timers = new Set<NodeJS.Timeout>();

  const summary = (d: FakeDocument) => ({ id: d.id, name: d.name, status: d.status, date_created: d.date_created, date_modified: d.date_modified, expiration_date: null, version: '2', uuid: d.id });
  const find = (id: string) => data.documents.find((d) => d.id === id) ?? (() => { throw new FakeError(404, 'Not found.'); })();

  async function moveTo(document: FakeDocument, status: string) {
    document.status = status;
    document.date_modified = new Date().toISOString();
    if (!webhookUrl) return;
    const body = JSON.stringify([{ event: 'document_state_changed', data: { ...summary(document), metadata: document.metadata, recipients: document.recipients, template: document.template } }]);
    const signature = createHmac('sha256', webhookKey).update(body).digest('hex');
    const url = `${webhookUrl}${webhookUrl.includes('?') ? '&' : '?'}signature=${signature}`;
    const { status: answer } = await deliverWebhook(url, body, {}).catch(() => ({ status: 0 }));
    fake.deliveries.push({ url, body, status: answer });
  }

  /** PandaDoc turns a new document into a draft a moment after it is created. */
  function draftLater(document: FakeDocument) {
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (document.status === 'document.uploaded') void moveTo(document, 'document.draft');
    }, fake.draftAfterMs);
    timers.add(timer);
  }

  const kit = createFakeKit({
    contract: pandadocContract,
    credentials: {},
    reset: () => fake.reset(),
  });
  // [auth]: `API-Key <key>`. The kit's schemes are Bearer and Basic, so the contract says 'none' and the
  // fake checks the key here (after the kit's fault injection, which therefore also hits unauthenticated calls).
  kit.app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.config?.operation || reply.sent) return;
    const [scheme, key = ''] = (request.headers.authorization ?? '').split(/\s+/, 2);
    if (scheme === 'API-Key' && constantTimeEqual(key, apiKey)) return;
    return reply.code(401).send(pandadocContract.error(401, 'Authentication credentials were not provided or are invalid.'));
  });

  kit.handle('templates.list', ({ query }) => ({
    results: data.templates.filter((t) => !query.q || t.name.toLowerCase().includes(query.q.toLowerCase())).map((t) => ({ id: t.id, name: t.name, date_created: '2022-01-10T00:00:00Z', date_modified: '2022-01-10T00:00:00Z', version: '2' })),
  }));
  kit.handle('documents.list', ({ query }) => {
    const [, key, value] = /^metadata_(\w+)=(.*)$/s.exec(query.metadata ?? '') ?? [];
    const count = Math.min(Number(query.count ?? 50), 100);
    const pageNo = Math.max(Number(query.page ?? 1), 1);
    const matching = data.documents.filter((d) => (!key || d.metadata[key] === value) && (!query.status || d.status === query.status));
    return { results: matching.slice((pageNo - 1) * count, pageNo * count).map(summary) };
  });
  kit.handle('documents.create', ({ body }) => {
    const input = body as { name: string; template_uuid: string; recipients?: Array<Omit<FakeRecipient, 'has_completed'>>; tokens?: FakeDocument['tokens']; metadata?: Record<string, unknown> };
    const template = data.templates.find((t) => t.id === input.template_uuid);
    if (!template) throw new FakeError(400, `Template ${input.template_uuid} does not exist or you have no access to it.`, 'template_uuid');
    const recipients = input.recipients ?? [];
    for (const r of recipients) {
      // [lifecycle]: a recipient's role must be one of the template's roles, matched exactly.
      if (!r.role || !template.roles.includes(r.role)) throw new FakeError(400, `Role "${r.role ?? ''}" not found in the template. Roles: ${template.roles.join(', ')}`, 'recipients');
    }
    const now = new Date().toISOString();
    const document: FakeDocument = {
      id: newId(),
      name: input.name,
      status: 'document.uploaded',
      template: { id: template.id, name: template.name },
      recipients: recipients.map((r, i) => ({ ...r, signing_order: r.signing_order ?? i + 1, has_completed: false })),
      tokens: input.tokens ?? [],
      metadata: input.metadata ?? {},
      date_created: now,
      date_modified: now,
      sent: [],
    };
    data.documents.push(document);
    draftLater(document);
    return summary(document);
  });
  kit.handle('documents.status', ({ params }) => summary(find(params.id)));
  kit.handle('documents.send', async ({ params, body }) => {
    const document = find(params.id);
    if (document.status !== 'document.draft') throw new FakeError(409, `Document is in ${document.status} status; only a document.draft can be sent.`);
    const input = body as { subject?: string; message?: string };
    document.sent.push({ subject: input.subject, message: input.message });
    await moveTo(document, 'document.sent');
    return summary(document);
  });

  const fake: PandaDocFake = {
    system: 'pandadoc',
    url: '',
    env: {},
    apiKey,
    webhookKey,
    journal: kit.journal,
    breaches: kit.breaches,
    injectFault: kit.injectFault,
    deliveries: [],
    draftAfterMs: options.draftAfterMs ?? 50,
    async makeDraft(documentId) {
      const document = find(documentId);
      if (document.status === 'document.uploaded') await moveTo(document, 'document.draft');
    },
    seedTemplate(name, roles) {
      const template = { id: newId(), name, roles };
      data.templates.push(template);
      return template;
    },
    subscribe: (url) => void (webhookUrl = url),
    async signNext(documentId) {
      const document = find(documentId);
      if (document.status !== 'document.sent' && document.status !== 'document.viewed') throw new FakeError(409, `document ${documentId} is ${document.status}; only a sent document can be signed`);
      const next = [...document.recipients].sort((a, b) => a.signing_order - b.signing_order).find((r) => !r.has_completed);
      if (!next) throw new FakeError(409, `every recipient of ${documentId} has signed`);
      next.has_completed = true;
      await moveTo(document, document.recipients.every((r) => r.has_completed) ? 'document.completed' : 'document.viewed');
      return document;
    },
    state: () => ({ templates: data.templates, documents: data.documents }),
    reset() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      data = { templates: [], documents: [] };
      webhookUrl = undefined;
      fake.deliveries.length = 0;
      kit.journal.length = 0;
      fake.seedTemplate(SOF_TEMPLATE, ['Client', 'Company Signatory', 'Sales Head']);
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      await kit.close();
    },
  };
  fake.reset();

  kit.app.post('/__control/templates', async (request: FastifyRequest<{ Body: { name: string; roles: string[] } }>) => fake.seedTemplate(request.body.name, request.body.roles));
  kit.app.post('/__control/webhook', async (request: FastifyRequest<{ Body: { url: string } }>, reply: FastifyReply) => {
    fake.subscribe(request.body.url);
    return reply.code(204).send();
  });
  kit.app.post('/__control/documents/:id/sign', async (request: FastifyRequest<{ Params: { id: string } }>) => fake.signNext(request.params.id));
  kit.app.get('/__control/state', async () => fake.state());

  persistStore(kit.app, options.stateFile, () => data);
  // A document saved before it became a draft becomes one now, as PandaDoc would have finished it meanwhile.
  for (const document of data.documents) if (document.status === 'document.uploaded') draftLater(document);
  fake.url = await kit.listen(options.port);
  fake.env = { PANDADOC_API_KEY: apiKey, PANDADOC_BASE_URL: fake.url, PANDADOC_WEBHOOK_KEY: webhookKey };
  return fake;
}
