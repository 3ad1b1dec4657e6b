/**
 * A local HubSpot: a real HTTP server on 127.0.0.1 speaking the wire protocol of exactly the endpoints the
 * HubSpot actions call (CRM objects v3, search, pipelines, properties, v4 associations, file metadata), with
 * bearer-token auth and HubSpot's error envelope. Tests and the embedded default point `@hubspot/api-client`
 * at it through `basePath`.
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seedCompany / POST /__control/companies        company with properties and attached files
 *   seedRecord / POST /__control/records/:type     any CRM record; setProperties / PATCH .../:type/:id
 *   addPipeline / POST /__control/pipelines/:type  defineProperty / POST /__control/properties/:type
 *   records(type) / GET /__control/records/:type   journal / GET /__control/journal
 *   injectFault / POST /__control/faults           sendWebhook / POST /__control/webhooks (v3-signed)
 *   reset / POST /__control/reset                  back to the default seed
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunningFake } from '../shared/action';
import { createFakeKit, deliverWebhook, type Fault, type JournalEntry } from '../shared/fake-kit';
import { constantTimeEqual } from '../shared/webhook';
import type { CrmObjectType } from './association-types';
import type { SeedProperty } from './fake-seed';
import { FakeHttpError, hubspotError, HubSpotFakeStore, type InlineAssociation, type SearchRequest, type StoredRecord } from './fake-store';
import { signV3, SIGNATURE_HEADER, TIMESTAMP_HEADER, type HubSpotWebhookEvent } from './webhook';

export interface HubSpotFakeOptions {
  accessToken?: string;
  /** The "client secret" the fake signs webhooks with. */
  webhookSecret?: string;
}

export interface SeedCompanyInput {
  properties: Record<string, string>;
  /** File names attached on the company page (HubSpot stores them as a note with hs_attachment_ids). */
  files?: string[];
}

export interface HubSpotFake extends RunningFake {
  accessToken: string;
  webhookSecret: string;
  journal: JournalEntry[];
  injectFault(fault: Fault): void;
  seedCompany(input: SeedCompanyInput): { id: string; fileIds: string[] };
  seedRecord(type: CrmObjectType, properties: Record<string, string>): string;
  /** Changes a record the way a person would in the HubSpot UI (no validation of who may do it). */
  setProperties(type: CrmObjectType, id: string, properties: Record<string, string>): void;
  addPipeline(type: 'deals' | 'tickets', label: string, stages: string[]): { id: string; stages: Array<{ id: string; label: string }> };
  defineProperty(type: CrmObjectType, property: SeedProperty): void;
  record(type: CrmObjectType, id: string): StoredRecord | undefined;
  records(type: CrmObjectType): StoredRecord[];
  associatedIds(type: CrmObjectType, id: string, toType: CrmObjectType): string[];
  /** Label of the stage a deal or ticket is in. */
  stageOf(type: 'deals' | 'tickets', id: string): string | undefined;
  /** POSTs a batch of events to `url`, signed with X-HubSpot-Signature-v3; `timestamp` overrides the clock. */
  sendWebhook(url: string, events: Array<Partial<HubSpotWebhookEvent>>, options?: { timestamp?: number; secret?: string }): Promise<{ status: number }>;
  reset(): void;
}

type Params<T extends string> = { [K in T]: string };

export async function startHubSpotFake(options: HubSpotFakeOptions = {}): Promise<HubSpotFake> {
  const accessToken = options.accessToken ?? `pat-fake-${randomBytes(12).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? randomBytes(16).toString('hex');
  let store = new HubSpotFakeStore();
  let nextEventId = 1;

  const kit = createFakeKit({
    reset: () => fake.reset(),
    authorize: (request) => constantTimeEqual(request.headers.authorization ?? '', `Bearer ${accessToken}`),
    errorBody: (status, message) => hubspotError(status, message),
  });
  const { app } = kit;

  // Store errors carry HubSpot's envelope; anything else is a bug in the fake and answers 500.
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof FakeHttpError) return reply.code(error.status).send(error.body);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send(hubspotError(status, (error as Error).message));
  });

  const typeOf = (type: string) => store.objectType(type);
  const requested = (query: unknown): string[] | undefined => {
    const raw = (query as { properties?: string | string[] }).properties;
    if (raw === undefined) return undefined;
    return (Array.isArray(raw) ? raw : [raw]).flatMap((p) => p.split(',')).filter(Boolean);
  };

  // ---- HubSpot API ---------------------------------------------------------------------------------------

  app.get('/crm/v3/pipelines/:objectType', async (request: FastifyRequest<{ Params: Params<'objectType'> }>) => {
    const { objectType } = request.params;
    if (objectType !== 'deals' && objectType !== 'tickets') throw new FakeHttpError(400, hubspotError(400, `Object type ${objectType} has no pipelines`));
    const at = new Date(0).toISOString();
    return {
      results: store.pipelines[objectType].map((p, i) => ({
        id: p.id, label: p.label, displayOrder: i, archived: false, createdAt: at, updatedAt: at,
        stages: p.stages.map((s, j) => ({ id: s.id, label: s.label, displayOrder: j, metadata: {}, archived: false, createdAt: at, updatedAt: at, writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT' })),
      })),
    };
  });

  app.get('/crm/v3/properties/:objectType', async (request: FastifyRequest<{ Params: Params<'objectType'> }>) => ({
    results: store.properties[typeOf(request.params.objectType)].map((p) => ({
      name: p.name, label: p.label, type: p.type ?? 'string', fieldType: p.type === 'enumeration' ? 'select' : 'text', groupName: 'information',
      description: '', options: [], hasUniqueValue: p.hasUniqueValue ?? false, hidden: false, formField: true,
    })),
  }));

  app.post('/crm/v3/objects/:objectType', async (request: FastifyRequest<{ Params: Params<'objectType'>; Body: { properties?: Record<string, string>; associations?: InlineAssociation[] } }>, reply: FastifyReply) => {
    const record = store.create(typeOf(request.params.objectType), { ...(request.body?.properties ?? {}) }, request.body?.associations ?? []);
    return reply.code(201).send(present(record));
  });

  app.post('/crm/v3/objects/:objectType/search', async (request: FastifyRequest<{ Params: Params<'objectType'>; Body: SearchRequest }>) => {
    const result = store.search(typeOf(request.params.objectType), request.body ?? {});
    return {
      total: result.total,
      results: result.results.map((r) => present(r, request.body?.properties?.length ? request.body.properties : ['hs_object_id', 'createdate', 'hs_lastmodifieddate'])),
      ...(result.after ? { paging: { next: { after: result.after } } } : {}),
    };
  });

  app.get('/crm/v3/objects/:objectType/:id', async (request: FastifyRequest<{ Params: Params<'objectType' | 'id'>; Querystring: { idProperty?: string } }>) => {
    const record = store.get(typeOf(request.params.objectType), request.params.id, request.query.idProperty);
    return present(record, requested(request.query));
  });

  app.patch('/crm/v3/objects/:objectType/:id', async (request: FastifyRequest<{ Params: Params<'objectType' | 'id'>; Body: { properties?: Record<string, string> } }>) => {
    const record = store.update(typeOf(request.params.objectType), request.params.id, { ...(request.body?.properties ?? {}) });
    return present(record);
  });

  app.put('/crm/v4/objects/:from/:fromId/associations/default/:to/:toId', async (request: FastifyRequest<{ Params: Params<'from' | 'fromId' | 'to' | 'toId'> }>) => {
    const { from, fromId, to, toId } = request.params;
    store.associate(typeOf(from), fromId, typeOf(to), toId);
    const now = new Date().toISOString();
    return { status: 'COMPLETE', results: [{ from: { id: fromId }, to: { id: toId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 0 } }], startedAt: now, completedAt: now };
  });

  app.get('/crm/v4/objects/:from/:fromId/associations/:to', async (request: FastifyRequest<{ Params: Params<'from' | 'fromId' | 'to'>; Querystring: { after?: string; limit?: string } }>) => {
    const { from, fromId, to } = request.params;
    store.get(typeOf(from), fromId);
    const ids = store.associatedIds(typeOf(from), fromId, typeOf(to));
    const offset = Number(request.query.after ?? 0) || 0;
    const limit = Math.min(Number(request.query.limit ?? 500) || 500, 500);
    return {
      results: ids.slice(offset, offset + limit).map((id) => ({ toObjectId: id, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 0, label: null }] })),
      ...(offset + limit < ids.length ? { paging: { next: { after: String(offset + limit) } } } : {}),
    };
  });

  app.get('/files/v3/files/:fileId', async (request: FastifyRequest<{ Params: Params<'fileId'> }>) => {
    const file = store.getFile(request.params.fileId);
    return { ...file, updatedAt: file.createdAt, archived: false, access: 'PRIVATE', path: `/kyc/${file.name}.${file.extension}` };
  });

  // ---- control -------------------------------------------------------------------------------------------

  const fake: HubSpotFake = {
    system: 'hubspot',
    url: '',
    accessToken,
    webhookSecret,
    journal: kit.journal,
    injectFault: kit.injectFault,
    seedCompany(input) {
      const company = store.create('companies', { ...input.properties });
      const fileIds = (input.files ?? []).map((name) => store.addFile(name).id);
      if (fileIds.length) {
        const note = store.create('notes', { hs_timestamp: new Date().toISOString(), hs_note_body: 'Attached files', hs_attachment_ids: fileIds.join(';') });
        store.associate('notes', note.id, 'companies', company.id);
      }
      return { id: company.id, fileIds };
    },
    seedRecord: (type, properties) => store.create(type, { ...properties }).id,
    setProperties: (type, id, properties) => void store.update(type, id, { ...properties }),
    addPipeline: (type, label, stages) => store.addPipeline(type, label, stages),
    defineProperty: (type, property) => store.defineProperty(type, property),
    record: (type, id) => store.list(type).find((r) => r.id === id),
    records: (type) => store.list(type),
    associatedIds: (type, id, toType) => store.associatedIds(type, id, toType),
    stageOf(type, id) {
      const record = store.list(type).find((r) => r.id === id);
      const stageId = record?.properties[type === 'deals' ? 'dealstage' : 'hs_pipeline_stage'];
      return store.pipelines[type].flatMap((p) => p.stages).find((s) => s.id === stageId)?.label;
    },
    async sendWebhook(url, events, sendOptions = {}) {
      const timestamp = String(sendOptions.timestamp ?? Date.now());
      const body = JSON.stringify(events.map((e) => ({
        eventId: nextEventId++, subscriptionId: 1, portalId: 1, appId: 1, occurredAt: Date.now(), attemptNumber: 0, changeSource: 'CRM_UI', ...e,
      })));
      const signature = signV3(sendOptions.secret ?? webhookSecret, 'POST', url, body, timestamp);
      return deliverWebhook(url, body, { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp });
    },
    reset() {
      store = new HubSpotFakeStore();
      kit.journal.length = 0;
    },
    close: () => kit.close(),
  };

  app.post('/__control/companies', async (request: FastifyRequest<{ Body: SeedCompanyInput }>) => fake.seedCompany(request.body));
  app.post('/__control/records/:type', async (request: FastifyRequest<{ Params: Params<'type'>; Body: { properties: Record<string, string> } }>) => ({
    id: fake.seedRecord(typeOf(request.params.type), request.body.properties),
  }));
  app.patch('/__control/records/:type/:id', async (request: FastifyRequest<{ Params: Params<'type' | 'id'>; Body: { properties: Record<string, string> } }>) => {
    fake.setProperties(typeOf(request.params.type), request.params.id, request.body.properties);
    return { ok: true };
  });
  app.get('/__control/records/:type', async (request: FastifyRequest<{ Params: Params<'type'> }>) => ({ results: fake.records(typeOf(request.params.type)) }));
  app.post('/__control/pipelines/:type', async (request: FastifyRequest<{ Params: Params<'type'>; Body: { label: string; stages: string[] } }>) => {
    const type = request.params.type === 'deals' ? 'deals' : 'tickets';
    return fake.addPipeline(type, request.body.label, request.body.stages);
  });
  app.post('/__control/properties/:type', async (request: FastifyRequest<{ Params: Params<'type'>; Body: SeedProperty }>) => {
    fake.defineProperty(typeOf(request.params.type), request.body);
    return { ok: true };
  });
  app.post('/__control/webhooks', async (request: FastifyRequest<{ Body: { url: string; events: Array<Partial<HubSpotWebhookEvent>>; timestamp?: number } }>) =>
    fake.sendWebhook(request.body.url, request.body.events, { timestamp: request.body.timestamp }),
  );

  fake.url = await kit.listen();
  return fake;
}

/** A record as HubSpot returns it: the requested properties (null when unset) or, by default, all that are set. */
function present(record: StoredRecord, properties?: string[]) {
  const shown = properties
    ? Object.fromEntries([...new Set([...properties, 'hs_object_id', 'createdate', 'hs_lastmodifieddate'])].map((p) => [p, record.properties[p] ?? null]))
    : { ...record.properties };
  return { id: record.id, properties: shown, createdAt: record.createdAt, updatedAt: record.updatedAt, archived: false };
}
