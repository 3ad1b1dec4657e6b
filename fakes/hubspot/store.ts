/**
 * The HubSpot fake's in-memory portal: CRM records, pipelines, property definitions, files and associations,
 * with the validation rules HubSpot applies that our actions depend on (unknown property → 400, unknown
 * pipeline or stage → 400, unique property clash → 409, missing record → 404). Errors are thrown as
 * FakeHttpError carrying HubSpot's error envelope; the routes in fake.ts only translate HTTP to these calls.
 */
import { randomUUID } from 'node:crypto';
import { associationTarget, CRM_OBJECT_TYPES, type CrmType as CrmObjectType } from './association-types';
import { UNIQUE_VALUE_TYPES } from './contract';
import { SEED_PIPELINES, SEED_PROPERTIES, type SeedProperty } from './seed';

export class FakeHttpError extends Error {
  constructor(readonly status: number, readonly body: unknown) {
    super(`fake HubSpot answered ${status}`);
  }
}

const CATEGORIES: Record<number, string> = {
  400: 'VALIDATION_ERROR', 401: 'INVALID_AUTHENTICATION', 403: 'MISSING_SCOPES', 404: 'OBJECT_NOT_FOUND', 409: 'CONFLICT', 429: 'RATE_LIMITS',
};

/** HubSpot's error envelope; 429s also carry the rate-limit policy. */
export function hubspotError(status: number, message: string, extra: Record<string, unknown> = {}): unknown {
  const rate = status === 429 ? { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' } : {};
  return { status: 'error', message, correlationId: randomUUID(), category: CATEGORIES[status] ?? 'INTERNAL_ERROR', ...rate, ...extra };
}

const fail = (status: number, message: string, extra?: Record<string, unknown>) => new FakeHttpError(status, hubspotError(status, message, extra));

export interface StoredRecord {
  id: string;
  type: CrmObjectType;
  properties: Record<string, string>;
  createdAt: string;
  updatedAt: string;
}

export interface StoredPipeline {
  id: string;
  label: string;
  stages: Array<{ id: string; label: string }>;
}

export interface StoredFile {
  id: string;
  folderPath: string;
  name: string;
  extension: string;
  size: number;
  url: string;
  createdAt: string;
  /** SHA-256 of the bytes uploaded (a control-interface convenience: HubSpot's answer does not carry it). */
  sha256?: string;
}

interface Edge {
  fromType: CrmObjectType;
  fromId: string;
  toType: CrmObjectType;
  toId: string;
}

export interface InlineAssociation {
  to: { id: string };
  types: Array<{ associationCategory: string; associationTypeId: number }>;
}

export interface SearchRequest {
  filterGroups?: Array<{ filters?: Array<{ propertyName: string; operator: string; value?: string; values?: string[] }> }>;
  properties?: string[];
  limit?: number;
  after?: string;
}

const STAGE_KEYS: Partial<Record<CrmObjectType, { objectType: 'deals' | 'tickets'; pipeline: string; stage: string }>> = {
  deals: { objectType: 'deals', pipeline: 'pipeline', stage: 'dealstage' },
  tickets: { objectType: 'tickets', pipeline: 'hs_pipeline', stage: 'hs_pipeline_stage' },
};

const REQUIRED: Partial<Record<CrmObjectType, string[]>> = {
  tickets: ['subject', 'hs_pipeline_stage'],
  deals: ['dealname'],
  notes: ['hs_timestamp'],
};

export class HubSpotFakeStore {
  readonly records = new Map<string, StoredRecord>();
  readonly files = new Map<string, StoredFile>();
  readonly pipelines: Record<'deals' | 'tickets', StoredPipeline[]> = { deals: [], tickets: [] };
  readonly properties = {} as Record<CrmObjectType, SeedProperty[]>;
  private readonly edges: Edge[] = [];
  private nextId = 1001;

  constructor() {
    for (const type of CRM_OBJECT_TYPES) this.properties[type] = SEED_PROPERTIES[type].map((p) => ({ ...p }));
    for (const p of SEED_PIPELINES.tickets) this.addPipeline('tickets', p.label, p.stages);
    for (const p of SEED_PIPELINES.deals) this.addPipeline('deals', p.label, p.stages);
  }

  private newId(): string {
    return String(this.nextId++);
  }

  addPipeline(objectType: 'deals' | 'tickets', label: string, stages: string[]): StoredPipeline {
    const pipeline = { id: this.newId(), label, stages: stages.map((s) => ({ id: this.newId(), label: s })) };
    this.pipelines[objectType].push(pipeline);
    return pipeline;
  }

  defineProperty(objectType: CrmObjectType, property: SeedProperty): void {
    if (!this.properties[objectType].some((p) => p.name === property.name)) this.properties[objectType].push(property);
  }

  property(objectType: CrmObjectType, name: string): SeedProperty {
    const property = this.properties[objectType].find((p) => p.name === name);
    if (!property) throw fail(404, `Unable to find property ${name} on object type ${objectType}`);
    return property;
  }

  /** POST /crm/v3/properties: a unique value is refused where HubSpot refuses it (notes and other engagements). */
  createProperty(objectType: CrmObjectType, body: { name: string; label: string; type: string; hasUniqueValue?: boolean }): SeedProperty {
    if (body.hasUniqueValue && !(UNIQUE_VALUE_TYPES as readonly string[]).includes(objectType)) {
      throw fail(400, `Unique value properties are not supported for object type ${objectType}`, { errors: [{ message: 'hasUniqueValue not allowed', context: { propertyName: ['hasUniqueValue'] } }] });
    }
    if (this.properties[objectType].some((p) => p.name === body.name)) throw fail(409, `Property named '${body.name}' already exists.`);
    const property: SeedProperty = { name: body.name, label: body.label, type: body.type === 'string' ? undefined : (body.type as SeedProperty['type']), hasUniqueValue: body.hasUniqueValue ?? false };
    this.properties[objectType].push(property);
    return property;
  }

  /** batch/upsert: `id` is the value of the unique `idProperty`; creates or updates, saying which. */
  upsert(type: CrmObjectType, input: { id: string; idProperty: string; properties: Record<string, string> }): { record: StoredRecord; created: boolean } {
    const definition = this.properties[type].find((p) => p.name === input.idProperty);
    if (!definition?.hasUniqueValue) throw fail(400, `${input.idProperty} is not a unique property of ${type}`, { errors: [{ message: 'idProperty must be unique', context: { propertyName: ['idProperty'] } }] });
    const existing = this.list(type).find((r) => r.properties[input.idProperty] === input.id);
    if (existing) return { record: this.update(type, existing.id, { ...input.properties }), created: false };
    return { record: this.create(type, { ...input.properties, [input.idProperty]: input.id }), created: true };
  }

  objectType(type: string): CrmObjectType {
    if ((CRM_OBJECT_TYPES as readonly string[]).includes(type)) return type as CrmObjectType;
    throw fail(400, `Unable to infer object type from: ${type}`);
  }

  // ---- records ------------------------------------------------------------------------------------------

  create(type: CrmObjectType, properties: Record<string, string>, associations: InlineAssociation[] = []): StoredRecord {
    this.validate(type, properties, undefined);
    for (const name of REQUIRED[type] ?? []) {
      if (!properties[name]) throw fail(400, `Property "${name}" is required`, { errors: [{ message: `${name} is required`, code: 'REQUIRED_PROPERTY', context: { propertyName: [name] } }] });
    }
    const targets = associations.map((a) => {
      const typeId = a.types[0]?.associationTypeId;
      const toType = associationTarget(type, typeId);
      if (!toType) throw fail(400, `association type id ${typeId} is not valid from ${type}`, { errors: [{ message: 'invalid association type', context: { propertyName: ['associations'] } }] });
      this.get(toType, String(a.to.id));
      return { toType, toId: String(a.to.id) };
    });
    const now = new Date().toISOString();
    const id = this.newId();
    const record: StoredRecord = { id, type, properties: { ...properties, hs_object_id: id, createdate: now, hs_lastmodifieddate: now }, createdAt: now, updatedAt: now };
    if (type === 'contacts' && record.properties.email) record.properties.email = record.properties.email.toLowerCase();
    this.records.set(id, record);
    for (const t of targets) this.associate(type, id, t.toType, t.toId);
    return record;
  }

  update(type: CrmObjectType, id: string, properties: Record<string, string>): StoredRecord {
    const record = this.get(type, id);
    this.validate(type, properties, record);
    const now = new Date().toISOString();
    Object.assign(record.properties, properties, { hs_lastmodifieddate: now });
    record.updatedAt = now;
    return record;
  }

  /** A record by id, or by the value of a unique property (`idProperty`, e.g. wf_request_key or email). */
  get(type: CrmObjectType, id: string, idProperty?: string): StoredRecord {
    const record = idProperty
      ? [...this.records.values()].find((r) => r.type === type && r.properties[idProperty]?.toLowerCase() === id.toLowerCase())
      : this.records.get(id);
    if (!record || record.type !== type) throw fail(404, `Object not found.  objectId are usually numeric.`, { context: { id: [id] } });
    return record;
  }

  list(type: CrmObjectType): StoredRecord[] {
    return [...this.records.values()].filter((r) => r.type === type);
  }

  /** `indexed` says whether the search index has caught up with a record (HubSpot's search lags writes). */
  search(type: CrmObjectType, request: SearchRequest, indexed: (r: StoredRecord) => boolean = () => true): { total: number; results: StoredRecord[]; after?: string } {
    const groups = request.filterGroups?.length ? request.filterGroups : [{ filters: [] }];
    const matches = this.list(type).filter(indexed).filter((r) => groups.some((g) => (g.filters ?? []).every((f) => matchFilter(r.properties[f.propertyName], f))));
    const offset = Number(request.after ?? 0) || 0;
    const limit = Math.min(request.limit ?? 10, 200);
    const page = matches.slice(offset, offset + limit);
    return { total: matches.length, results: page, after: offset + limit < matches.length ? String(offset + limit) : undefined };
  }

  private validate(type: CrmObjectType, properties: Record<string, string>, existing: StoredRecord | undefined): void {
    for (const name of Object.keys(properties)) {
      const definition = this.properties[type].find((p) => p.name === name);
      if (!definition) {
        throw fail(400, `Property values were not valid: [{"isValid":false,"message":"Property \\"${name}\\" does not exist","error":"PROPERTY_DOESNT_EXIST","name":"${name}"}]`, {
          errors: [{ message: `Property "${name}" does not exist`, code: 'PROPERTY_DOESNT_EXIST', context: { propertyName: [name] } }],
        });
      }
      if (definition.type === 'number' && !Number.isFinite(Number(properties[name]))) {
        throw fail(400, `Property values were not valid: [{"isValid":false,"message":"${properties[name]} was not a valid number.","error":"INVALID_INTEGER","name":"${name}"}]`, {
          errors: [{ message: `${properties[name]} was not a valid number.`, code: 'INVALID_INTEGER', context: { propertyName: [name] } }],
        });
      }
      if (definition.hasUniqueValue) {
        const clash = this.list(type).find((r) => r !== existing && r.properties[name] === properties[name]);
        if (clash) throw fail(409, `A ${type} record with ${name}=${properties[name]} already exists. Existing ID: ${clash.id}`);
      }
    }
    if (type === 'contacts' && properties.email && !existing) {
      const clash = this.list('contacts').find((r) => r.properties.email === properties.email.toLowerCase());
      if (clash) throw fail(409, `Contact already exists. Existing ID: ${clash.id}`);
    }
    const keys = STAGE_KEYS[type];
    if (!keys || (properties[keys.pipeline] === undefined && properties[keys.stage] === undefined)) return;
    const pipelineId = properties[keys.pipeline] ?? existing?.properties[keys.pipeline] ?? this.pipelines[keys.objectType][0]?.id;
    const pipeline = this.pipelines[keys.objectType].find((p) => p.id === pipelineId);
    const invalid = (name: string, value: string) =>
      fail(400, `Property values were not valid: ${value} is not a valid option for ${name}`, {
        errors: [{ message: `${value} is not a valid ${name}`, code: 'INVALID_OPTION', context: { propertyName: [name] } }],
      });
    if (!pipeline) throw invalid(keys.pipeline, String(pipelineId));
    properties[keys.pipeline] = pipeline.id;
    const stageId = properties[keys.stage] ?? existing?.properties[keys.stage];
    if (!stageId || !pipeline.stages.some((s) => s.id === stageId)) throw invalid(keys.stage, String(stageId));
  }

  // ---- associations -------------------------------------------------------------------------------------

  associate(fromType: CrmObjectType, fromId: string, toType: CrmObjectType, toId: string): void {
    this.get(fromType, fromId);
    this.get(toType, toId);
    const exists = this.edges.some((e) => this.connects(e, fromType, fromId, toType, toId));
    if (!exists) this.edges.push({ fromType, fromId, toType, toId });
  }

  /** Associations are two-way: an edge made from either side is visible from both. */
  associatedIds(fromType: CrmObjectType, fromId: string, toType: CrmObjectType): string[] {
    const ids = this.edges.flatMap((e) => {
      if (e.fromType === fromType && e.fromId === fromId && e.toType === toType) return [e.toId];
      if (e.toType === fromType && e.toId === fromId && e.fromType === toType) return [e.fromId];
      return [];
    });
    return [...new Set(ids)];
  }

  private connects(e: Edge, aType: CrmObjectType, aId: string, bType: CrmObjectType, bId: string): boolean {
    return (e.fromType === aType && e.fromId === aId && e.toType === bType && e.toId === bId) ||
      (e.fromType === bType && e.fromId === bId && e.toType === aType && e.toId === aId);
  }

  // ---- files --------------------------------------------------------------------------------------------

  addFile(name: string, size = 1024, folderPath = '/kyc'): StoredFile {
    const id = this.newId();
    const extension = name.includes('.') ? name.split('.').pop() ?? '' : '';
    const file = { id, folderPath, name: name.replace(/\.[^.]*$/, ''), extension, size, url: `https://files.example.invalid/${id}/${encodeURIComponent(name)}`, createdAt: new Date().toISOString() };
    this.files.set(id, file);
    return file;
  }

  /** A file of that name in that folder, for `duplicateValidationStrategy: RETURN_EXISTING` within `EXACT_FOLDER`. */
  fileNamed(folderPath: string, name: string): StoredFile | undefined {
    return [...this.files.values()].find((f) => f.folderPath === folderPath && `${f.name}${f.extension ? `.${f.extension}` : ''}` === name);
  }

  getFile(id: string): StoredFile {
    const file = this.files.get(id);
    if (!file) throw fail(404, `File ${id} not found`);
    return file;
  }
}

function matchFilter(actual: string | undefined, filter: { operator: string; value?: string; values?: string[] }): boolean {
  const a = actual?.toLowerCase();
  const v = filter.value?.toLowerCase();
  const numeric = (x: string | undefined) => (x !== undefined && x !== '' && Number.isFinite(Number(x)) ? Number(x) : Date.parse(x ?? ''));
  switch (filter.operator) {
    case 'EQ': return a !== undefined && a === v;
    case 'NEQ': return a !== v;
    case 'IN': return a !== undefined && (filter.values ?? []).map((x) => x.toLowerCase()).includes(a);
    case 'HAS_PROPERTY': return a !== undefined && a !== '';
    case 'NOT_HAS_PROPERTY': return a === undefined || a === '';
    case 'GT': return numeric(actual) > numeric(filter.value);
    case 'GTE': return numeric(actual) >= numeric(filter.value);
    case 'LT': return numeric(actual) < numeric(filter.value);
    case 'LTE': return numeric(actual) <= numeric(filter.value);
    default: throw new FakeHttpError(400, hubspotError(400, `Unsupported filter operator ${filter.operator}`));
  }
}
