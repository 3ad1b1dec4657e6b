/**
 * A local HubSpot: a real HTTP server on 127.0.0.1 serving the operations of contract.ts (CRM objects v3
 * with search, batch upsert and batch read, pipelines, properties, v4 associations, Files v3 upload and
 * read), with bearer-token auth, HubSpot's error envelope and its rate-limit headers on every answer but
 * search. Search lags writes by `searchLagMs`, as HubSpot's index does. Tests and the embedded default point
 * `@hubspot/api-client` at it through `basePath`.
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seedCompany / POST /__control/companies        company with properties and attached files
 *   attachFiles(type, id, names)                   files attached to a record's page later, as a person does
 *   seedRecord / POST /__control/records/:type     any CRM record; setProperties / PATCH .../:type/:id
 *   addPipeline / POST /__control/pipelines/:type  defineProperty / POST /__control/properties/:type
 *   records(type) / GET /__control/records/:type   journal / GET /__control/journal
 *   injectFault / POST /__control/faults           sendWebhook / POST /__control/webhooks (v3-signed)
 *   reset / POST /__control/reset                  back to the default seed
 */
import { createHash, randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { createFakeKit, deliverWebhook, FakeError, type FakeKit, type Fault, type JournalEntry, type MultipartForm, type RunningFake } from '../shared/fake-kit';
import { persistStore } from '../shared/persist';
import { hubspotContract } from './contract';
import { constantTimeEqual } from '../shared/compare';
import type { CrmType as CrmObjectType } from './association-types';
import type { SeedProperty } from './seed';
import { HubSpotFakeStore, type InlineAssociation, type SearchRequest, type StoredFile, type StoredRecord } from './store';
import type { HubSpotWebhookEvent } from '../../activities/hubspot/webhook';
import { signDelivery, SIGNATURE_HEADER, TIMESTAMP_HEADER } from './signing';

export interface HubSpotFakeOptions {
  /** Where its data is kept across restarts (fakes/shared/persist.ts); default: in memory only. */
  stateFile?: string;
  /** The port to listen on (default 0: any free port). */
  port?: number;
  /** How long a created or changed record stays out of search results (HubSpot's index lags); default 0. */
  searchLagMs?: number;
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
  breaches: FakeKit['breaches'];
  injectFault(fault: Fault): void;
  /** Answers the next request with HubSpot's daily-limit 429 (policyName DAILY, Daily-Remaining 0). */
  exhaustDailyLimit(): void;
  setSearchLag(ms: number): void;
  files(): StoredFile[];
  seedCompany(input: SeedCompanyInput): { id: string; fileIds: string[] };
  seedRecord(type: CrmObjectType, properties: Record<string, string>): string;
  /** Attaches files to a record the way a person does on its page (one note carrying them); returns the file ids. */
  attachFiles(type: CrmObjectType, id: string, names: string[]): string[];
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

  let searchLagMs = options.searchLagMs ?? 0;
  /** When each record last changed, for the search lag. */
  const changedAt = new Map<string, number>();
  const touched = (record: StoredRecord) => (changedAt.set(record.id, Date.now()), record);

  // Rate-limit accounting as HubSpot reports it for a private app on a Professional portal [rate].
  const WINDOW_MS = 10_000;
  const MAX = 190;
  const DAILY = 500_000;
  let window: number[] = [];
  let dailyUsed = 0;
  const rateHeaders = (status: number): Record<string, string> => {
    const now = Date.now();
    window = window.filter((at) => at > now - WINDOW_MS);
    if (status !== 429) {
      window.push(now);
      dailyUsed++;
    }
    return {
      'X-HubSpot-RateLimit-Max': String(MAX),
      'X-HubSpot-RateLimit-Remaining': String(Math.max(0, MAX - window.length)),
      'X-HubSpot-RateLimit-Interval-Milliseconds': String(WINDOW_MS),
      'X-HubSpot-RateLimit-Daily': String(DAILY),
      'X-HubSpot-RateLimit-Daily-Remaining': String(Math.max(0, DAILY - dailyUsed)),
    };
  };

  const kit = createFakeKit({
    contract: hubspotContract,
    reset: () => fake.reset(),
    credentials: { bearer: (token) => constantTimeEqual(token, accessToken) },
    answerHeaders: (operation, status) => (operation.rateLimitHeaders === false ? {} : rateHeaders(status)),
  });
  const { app } = kit;


  const typeOf = (type: string) => store.objectType(type);
  const requested = (raw: string | string[] | undefined): string[] | undefined =>
    raw === undefined ? undefined : (Array.isArray(raw) ? raw : [raw]).flatMap((p) => p.split(',')).filter(Boolean);
  const presentProperty = (p: SeedProperty) => ({
    name: p.name, label: p.label, type: p.type ?? 'string', fieldType: p.type === 'enumeration' ? 'select' : 'text', groupName: 'information',
    description: '', options: [], hasUniqueValue: p.hasUniqueValue ?? false, hidden: false, formField: true,
  });

  // ---- HubSpot API ---------------------------------------------------------------------------------------

  kit.handle('pipelines.list', ({ params }) => {
    const objectType = params.objectType as 'deals' | 'tickets';
    const at = new Date(0).toISOString();
    return {
      results: store.pipelines[objectType].map((p, i) => ({
        id: p.id, label: p.label, displayOrder: i, archived: false, createdAt: at, updatedAt: at,
        stages: p.stages.map((s, j) => ({ id: s.id, label: s.label, displayOrder: j, metadata: {}, archived: false, createdAt: at, updatedAt: at, writePermissions: 'CRM_PERMISSIONS_ENFORCEMENT' })),
      })),
    };
  });

  kit.handle('properties.list', ({ params }) => ({ results: store.properties[typeOf(params.objectType)].map(presentProperty) }));
  kit.handle('properties.get', ({ params }) => presentProperty(store.property(typeOf(params.objectType), params.propertyName)));
  kit.handle('properties.create', ({ params, body }) => presentProperty(store.createProperty(typeOf(params.objectType), body as { name: string; label: string; type: string; hasUniqueValue?: boolean })));

  kit.handle('objects.create', ({ params, body }) => {
    const b = body as { properties: Record<string, string>; associations?: InlineAssociation[] };
    return present(touched(store.create(typeOf(params.objectType), { ...b.properties }, b.associations ?? [])));
  });

  kit.handle('objects.batchUpsert', ({ params, body }) => {
    const type = typeOf(params.objectType);
    const startedAt = new Date().toISOString();
    const results = (body as { inputs: Array<{ id: string; idProperty: string; properties: Record<string, string> }> }).inputs.map((input) => {
      const { record, created } = store.upsert(type, input);
      return { ...present(touched(record)), new: created };
    });
    return { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  });

  kit.handle('objects.batchRead', ({ params, body }) => {
    const type = typeOf(params.objectType);
    const b = body as { inputs: Array<{ id: string }>; properties: string[]; idProperty?: string };
    const startedAt = new Date().toISOString();
    const results = b.inputs.flatMap((i) => {
      try {
        return [present(store.get(type, i.id, b.idProperty), b.properties)];
      } catch {
        return []; // HubSpot leaves out ids it does not find (and reports them under errors with 207)
      }
    });
    return { status: 'COMPLETE', results, startedAt, completedAt: new Date().toISOString() };
  });

  kit.handle('objects.search', ({ params, body }) => {
    const request = body as SearchRequest;
    const now = Date.now();
    const result = store.search(typeOf(params.objectType), request, (r) => (changedAt.get(r.id) ?? 0) + searchLagMs <= now);
    return {
      total: result.total,
      results: result.results.map((r) => present(r, request.properties?.length ? request.properties : ['hs_object_id', 'createdate', 'hs_lastmodifieddate'])),
      ...(result.after ? { paging: { next: { after: result.after } } } : {}),
    };
  });

  kit.handle('objects.get', ({ params, query }) => present(store.get(typeOf(params.objectType), params.objectId, query.idProperty), requested(query.properties as string | string[] | undefined)));

  kit.handle('objects.update', ({ params, body }) =>
    present(touched(store.update(typeOf(params.objectType), params.objectId, { ...(body as { properties: Record<string, string> }).properties }))),
  );

  kit.handle('associations.put', ({ params }) => {
    const { fromObjectType, fromObjectId, toObjectType, toObjectId } = params;
    store.associate(typeOf(fromObjectType), fromObjectId, typeOf(toObjectType), toObjectId);
    const now = new Date().toISOString();
    return { status: 'COMPLETE', results: [{ from: { id: fromObjectId }, to: { id: toObjectId }, associationSpec: { associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 0 } }], startedAt: now, completedAt: now };
  });

  kit.handle('associations.list', ({ params, query }) => {
    const { objectType, objectId, toObjectType } = params;
    store.get(typeOf(objectType), objectId);
    const ids = store.associatedIds(typeOf(objectType), objectId, typeOf(toObjectType));
    const offset = Number(query.after ?? 0) || 0;
    const limit = Math.min(Number(query.limit ?? 500) || 500, 500);
    return {
      results: ids.slice(offset, offset + limit).map((id) => ({ toObjectId: id, associationTypes: [{ category: 'HUBSPOT_DEFINED', typeId: 0, label: null }] })),
      ...(offset + limit < ids.length ? { paging: { next: { after: String(offset + limit) } } } : {}),
    };
  });

  kit.handle('files.upload', ({ body }) => {
    const form = body as MultipartForm;
    const upload = form.files.file[0];
    const options = JSON.parse(form.fields.options) as { access: string; duplicateValidationStrategy?: string; duplicateValidationScope?: string };
    const folderPath = form.fields.folderPath ?? `/folder-${form.fields.folderId}`;
    const name = form.fields.fileName ?? upload.filename;
    const duplicate = store.fileNamed(folderPath, name);
    if (duplicate && options.duplicateValidationStrategy === 'REJECT') throw new FakeError(409, `A file named ${name} already exists in ${folderPath}`);
    const file = duplicate && options.duplicateValidationStrategy === 'RETURN_EXISTING' ? duplicate : store.addFile(name, upload.data.length, folderPath);
    if (file !== duplicate) file.sha256 = createHash('sha256').update(upload.data).digest('hex');
    return presentFile(file, options.access);
  });

  kit.handle('files.get', ({ params }) => presentFile(store.getFile(params.fileId), 'PRIVATE'));

  // ---- control -------------------------------------------------------------------------------------------

  const fake: HubSpotFake = {
    system: 'hubspot',
    url: '',
    accessToken,
    webhookSecret,
    env: {},
    journal: kit.journal,
    breaches: kit.breaches,
    injectFault: kit.injectFault,
    exhaustDailyLimit() {
      kit.injectFault({
        kind: 'status', status: 429,
        headers: { 'X-HubSpot-RateLimit-Daily': String(DAILY), 'X-HubSpot-RateLimit-Daily-Remaining': '0' },
        body: { ...(hubspotContract.error(429, 'You have reached your daily limit.') as object), policyName: 'DAILY' },
      });
    },
    setSearchLag: (ms) => void (searchLagMs = ms),
    files: () => [...store.files.values()],
    seedCompany(input) {
      const company = store.create('companies', { ...input.properties });
      return { id: company.id, fileIds: fake.attachFiles('companies', company.id, input.files ?? []) };
    },
    attachFiles(type, id, names) {
      const fileIds = names.map((name) => store.addFile(name).id);
      if (fileIds.length) {
        const note = store.create('notes', { hs_timestamp: new Date().toISOString(), hs_note_body: 'Attached files', hs_attachment_ids: fileIds.join(';') });
        store.associate('notes', note.id, type, id);
      }
      return fileIds;
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
      const signature = signDelivery(sendOptions.secret ?? webhookSecret, 'POST', url, body, timestamp);
      return deliverWebhook(url, body, { [SIGNATURE_HEADER]: signature, [TIMESTAMP_HEADER]: timestamp });
    },
    reset() {
      store = new HubSpotFakeStore();
      searchLagMs = options.searchLagMs ?? 0;
      changedAt.clear();
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

  persistStore(kit.app, options.stateFile, () => store);
  fake.url = await kit.listen(options.port);
  fake.env = { HUBSPOT_ACCESS_TOKEN: accessToken, HUBSPOT_BASE_URL: fake.url, HUBSPOT_WEBHOOK_SECRET: webhookSecret, HUBSPOT_TIMEOUT_MS: '10000' };
  return fake;
}

function presentFile(file: StoredFile, access: string) {
  const at = file.createdAt;
  return { id: file.id, name: file.name, extension: file.extension, size: file.size, url: file.url, access, path: `${file.folderPath}/${file.name}.${file.extension}`, createdAt: at, updatedAt: at, archived: false };
}

/** A record as HubSpot returns it: the requested properties (null when unset) or, by default, all that are set. */
function present(record: StoredRecord, properties?: string[]) {
  const shown = properties
    ? Object.fromEntries([...new Set([...properties, 'hs_object_id', 'createdate', 'hs_lastmodifieddate'])].map((p) => [p, record.properties[p] ?? null]))
    : { ...record.properties };
  return { id: record.id, properties: shown, createdAt: record.createdAt, updatedAt: record.updatedAt, archived: false };
}
