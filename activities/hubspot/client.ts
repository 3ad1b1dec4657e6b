/**
 * The HubSpot client the actions receive: the official `@hubspot/api-client` pointed at the configured base
 * URL, wrapped so that every call has a deadline and every failure becomes a classified ConnectorError.
 * It also resolves pipeline, stage and property labels to ids (cached for the client's lifetime) and offers
 * the few CRM primitives the actions are built from, including an idempotent create.
 */
import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter';
import { PropertyCreateFieldTypeEnum, PropertyCreateTypeEnum } from '@hubspot/api-client/lib/codegen/crm/properties/models/PropertyCreate';
import { ConnectorError, isTransientNetworkError } from '../shared/errors';
import { httpError } from '../shared/http';
import { resolveLabel, type Labelled } from '../shared/labels';
import { associationTypeId, type CrmObjectType } from './association-types';
import type { HubSpotConfig } from './config';
import { cached } from '../shared/cached';

export const SYSTEM = 'hubspot';

/**
 * The marker property that stores a step's idempotency key on records we create. It is created on first use
 * in each object type: unique on companies, contacts, deals and tickets (the types HubSpot allows unique
 * values on, "Properties API" `hasUniqueValue`), a plain property on notes.
 */
export const REQUEST_KEY_PROPERTY = 'wf_request_key';
const UNIQUE_CAPABLE: ReadonlySet<CrmObjectType> = new Set(['companies', 'contacts', 'deals', 'tickets']);
/** Each object type's default property group, where the marker is created. */
const PROPERTY_GROUP: Record<CrmObjectType, string> = {
  companies: 'companyinformation', contacts: 'contactinformation', deals: 'dealinformation', tickets: 'ticketinformation', notes: 'engagement',
};

export type PipelineObjectType = 'deals' | 'tickets';

export interface Pipeline extends Labelled {
  stages: Labelled[];
}

export interface CrmRecord {
  id: string;
  properties: Record<string, string | null>;
}

export interface Association {
  toType: CrmObjectType;
  toId: string;
}

export class HubSpotClient {
  readonly sdk: Client;
  private readonly pipelineCache = new Map<PipelineObjectType, Promise<Pipeline[]>>();
  private readonly propertyCache = new Map<CrmObjectType, Promise<Labelled[]>>();
  private readonly markerCache = new Map<CrmObjectType, Promise<void>>();

  constructor(readonly config: HubSpotConfig) {
    // Retries are Temporal's job: the SDK's own retry would re-send POST creates on 5xx and ignores
    // Retry-After. The SDK keeps decorators in a process-wide singleton, so every client must agree on 0.
    this.sdk = new Client({ accessToken: config.accessToken, basePath: config.baseUrl.replace(/\/+$/, ''), numberOfApiCallRetries: 0 });
  }

  /** Runs one SDK call with the configured deadline and turns its failure into a ConnectorError. */
  async call<T>(action: string, what: string, signal: AbortSignal | undefined, fn: (sdk: Client) => Promise<T>): Promise<T> {
    try {
      return await withDeadline(fn(this.sdk), this.config.timeoutMs, signal);
    } catch (err) {
      throw classify(action, what, err, this.config.accessToken);
    }
  }

  // ---- labels → ids -------------------------------------------------------------------------------------

  pipelines(action: string, objectType: PipelineObjectType, signal?: AbortSignal): Promise<Pipeline[]> {
    return cached(this.pipelineCache, objectType, () =>
      this.call(action, `list ${objectType} pipelines`, signal, async (sdk) => {
        const response = await sdk.crm.pipelines.pipelinesApi.getAll(objectType);
        return response.results.map((p) => ({ id: p.id, label: p.label, stages: p.stages.map((s) => ({ id: s.id, label: s.label })) }));
      }),
    );
  }

  /** Finds a pipeline and one of its stages by label (or id). Unknown or ambiguous labels fail without retry. */
  async resolveStage(action: string, objectType: PipelineObjectType, pipelineLabel: string, stageLabel: string, signal?: AbortSignal) {
    const noun = objectType === 'deals' ? 'deal' : 'ticket';
    return this.withFreshCache(this.pipelineCache, objectType, async () => {
      const pipelines = await this.pipelines(action, objectType, signal);
      const pipeline = resolveLabel({ system: SYSTEM, action, kind: `${noun} pipeline`, field: 'pipeline' }, pipelineLabel, pipelines);
      const stage = resolveLabel({ system: SYSTEM, action, kind: 'stage', field: 'stage', scope: `in ${noun} pipeline "${pipeline.label}"` }, stageLabel, pipeline.stages);
      return { pipeline, stage };
    });
  }

  /** Labels of a pipeline and stage given their ids (for reporting where a record is). */
  async describeStage(action: string, objectType: PipelineObjectType, pipelineId: string | null, stageId: string | null, signal?: AbortSignal) {
    const pipeline = (await this.pipelines(action, objectType, signal)).find((p) => p.id === pipelineId);
    const stage = pipeline?.stages.find((s) => s.id === stageId);
    return { pipeline: pipeline?.label ?? null, stage: stage?.label ?? null };
  }

  /** Accepts an internal property name (`odb_company_id`) or its label (`ODB company ID`). */
  async propertyName(action: string, objectType: CrmObjectType, nameOrLabel: string, signal?: AbortSignal): Promise<string> {
    return this.withFreshCache(this.propertyCache, objectType, async () => {
      const properties = await cached(this.propertyCache, objectType, () =>
        this.call(action, `list ${objectType} properties`, signal, async (sdk) => {
          const response = await sdk.crm.properties.coreApi.getAll(objectType);
          return response.results.map((p) => ({ id: p.name, label: p.label }));
        }),
      );
      return resolveLabel({ system: SYSTEM, action, kind: `${objectType} property`, field: nameOrLabel }, nameOrLabel, properties).id;
    });
  }

  /**
   * Label lookups use the cached lists; when a label is not found there, the list is fetched once more
   * before failing, so a pipeline or property created after the cache was filled is still found.
   */
  private async withFreshCache<K, V, R>(cache: Map<K, Promise<V>>, key: K, resolve: () => Promise<R>): Promise<R> {
    const wasCached = cache.has(key);
    try {
      return await resolve();
    } catch (err) {
      if (!wasCached || !(err instanceof ConnectorError) || err.details.status !== undefined) throw err;
      cache.delete(key);
      return resolve();
    }
  }

  /** Resolves the keys of a property map (names or labels) to internal names. */
  async resolveProperties(action: string, objectType: CrmObjectType, values: Record<string, string>, signal?: AbortSignal) {
    const resolved: Record<string, string> = {};
    for (const [key, value] of Object.entries(values)) resolved[await this.propertyName(action, objectType, key, signal)] = value;
    return resolved;
  }

  // ---- CRM primitives -----------------------------------------------------------------------------------

  async getRecord(action: string, objectType: CrmObjectType, id: string, properties: string[], signal?: AbortSignal, idProperty?: string): Promise<CrmRecord> {
    const record = await this.call(action, `read ${objectType} ${id}`, signal, (sdk) =>
      sdk.crm.objects.basicApi.getById(objectType, id, properties, undefined, undefined, false, idProperty),
    );
    return { id: record.id, properties: record.properties };
  }

  async updateRecord(action: string, objectType: CrmObjectType, id: string, properties: Record<string, string>, signal?: AbortSignal) {
    await this.call(action, `update ${objectType} ${id}`, signal, (sdk) => sdk.crm.objects.basicApi.update(objectType, id, { properties }));
  }

  async searchEq(action: string, objectType: CrmObjectType, propertyName: string, value: string, properties: string[], signal?: AbortSignal): Promise<CrmRecord[]> {
    const response = await this.call(action, `search ${objectType}`, signal, (sdk) =>
      sdk.crm.objects.searchApi.doSearch(objectType, {
        filterGroups: [{ filters: [{ propertyName, operator: FilterOperatorEnum.Eq, value }] }],
        properties,
        limit: 10,
      }),
    );
    return response.results.map((r) => ({ id: r.id, properties: r.properties }));
  }

  /**
   * Creates the marker property in an object type if it is missing, or checks the one there (first use of
   * each type per client). A marker that exists but is not unique where it must be fails without retry:
   * HubSpot cannot make an existing property unique, so a person must decide.
   */
  ensureMarker(action: string, objectType: CrmObjectType, signal?: AbortSignal): Promise<void> {
    return cached(this.markerCache, objectType, async () => {
      const unique = UNIQUE_CAPABLE.has(objectType);
      const read = () => this.call(action, `read ${objectType} property ${REQUEST_KEY_PROPERTY}`, signal, (sdk) => sdk.crm.properties.coreApi.getByName(objectType, REQUEST_KEY_PROPERTY));
      let property = await read().catch((err: unknown) => {
        if (err instanceof ConnectorError && err.details.status === 404) return undefined;
        throw err;
      });
      if (!property) {
        property = await this.call(action, `create ${objectType} property ${REQUEST_KEY_PROPERTY}`, signal, (sdk) =>
          sdk.crm.properties.coreApi.create(objectType, {
            name: REQUEST_KEY_PROPERTY, label: 'Workflow request key', type: PropertyCreateTypeEnum.String, fieldType: PropertyCreateFieldTypeEnum.Text,
            groupName: PROPERTY_GROUP[objectType], hasUniqueValue: unique, description: 'Set by the process engine: the workflow step that created this record.',
          }),
        ).catch((err: unknown) => {
          if (err instanceof ConnectorError && err.details.status === 409) return read(); // created meanwhile by another worker
          throw err;
        });
      }
      if (unique && !property.hasUniqueValue) {
        throw new ConnectorError(SYSTEM, action, `the ${objectType} property ${REQUEST_KEY_PROPERTY} exists but is not unique: delete it (the engine recreates it as unique) or rename it`, { retryable: false, field: REQUEST_KEY_PROPERTY });
      }
    }).catch((err: unknown) => {
      this.markerCache.delete(objectType); // a failed check must not stick
      throw err;
    });
  }

  /**
   * Creates a record at most once per idempotency key through HubSpot's idempotent create, `batch/upsert`
   * with the unique marker as `idProperty`: a retry (after a timeout or a lost answer) updates the record the
   * first attempt made instead of creating another. Associations are then PUT, which repeats harmlessly.
   */
  async upsertOnce(
    action: string,
    objectType: CrmObjectType,
    properties: Record<string, string>,
    associations: Association[],
    idempotencyKey: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; created: boolean }> {
    await this.ensureMarker(action, objectType, signal);
    const response = await this.call(action, `upsert ${objectType}`, signal, (sdk) =>
      sdk.crm.objects.batchApi.upsert(objectType, { inputs: [{ id: idempotencyKey, idProperty: REQUEST_KEY_PROPERTY, properties }] }),
    );
    const [record] = response.results;
    for (const a of associations) await this.associate(action, objectType, record.id, a.toType, a.toId, signal);
    return { id: record.id, created: record._new };
  }

  /**
   * Creates a note on a record at most once per idempotency key. Notes cannot carry unique properties, and
   * search lags writes, so the check before creating reads back the notes associated with the record (a
   * strongly consistent read) and looks for the marker.
   */
  async createNoteOnce(action: string, properties: Record<string, string>, target: Association, idempotencyKey: string, signal?: AbortSignal): Promise<{ id: string; created: boolean }> {
    await this.ensureMarker(action, 'notes', signal);
    const noteIds = await this.associatedIds(action, target.toType, target.toId, 'notes', signal);
    for (let i = 0; i < noteIds.length; i += 100) {
      const batch = noteIds.slice(i, i + 100);
      const read = await this.call(action, `read notes of ${target.toType} ${target.toId}`, signal, (sdk) =>
        sdk.crm.objects.batchApi.read('notes', { inputs: batch.map((id) => ({ id })), properties: [REQUEST_KEY_PROPERTY], propertiesWithHistory: [] }),
      );
      const mine = read.results.find((n) => n.properties[REQUEST_KEY_PROPERTY] === idempotencyKey);
      if (mine) return { id: mine.id, created: false };
    }
    const note = await this.create(action, 'notes', { ...properties, [REQUEST_KEY_PROPERTY]: idempotencyKey }, [target], signal);
    return { id: note.id, created: true };
  }

  /**
   * Uploads a file (Files v3) at most once per folder and name: `duplicateValidationStrategy: RETURN_EXISTING`
   * within `EXACT_FOLDER` makes a retried upload answer the file the first attempt stored.
   */
  async uploadFile(action: string, file: { name: string; data: Buffer }, folderPath: string, signal?: AbortSignal): Promise<{ id: string; name: string; size: number }> {
    const options = JSON.stringify({ access: 'PRIVATE', duplicateValidationStrategy: 'RETURN_EXISTING', duplicateValidationScope: 'EXACT_FOLDER' });
    const uploaded = await this.call(action, 'upload file', signal, (sdk) => sdk.files.filesApi.upload(file, undefined, folderPath, file.name, undefined, options));
    return { id: uploaded.id, name: uploaded.name ?? file.name, size: uploaded.size ?? file.data.length };
  }

  async create(action: string, objectType: CrmObjectType, properties: Record<string, string>, associations: Association[], signal?: AbortSignal): Promise<CrmRecord> {
    const record = await this.call(action, `create ${objectType}`, signal, (sdk) =>
      sdk.crm.objects.basicApi.create(objectType, {
        properties,
        associations: associations.map((a) => ({
          to: { id: a.toId },
          types: [{ associationCategory: AssociationSpecAssociationCategoryEnum.HubspotDefined, associationTypeId: associationTypeId(objectType, a.toType) }],
        })),
      }),
    );
    return { id: record.id, properties: record.properties };
  }

  /** Ids of the records of `toType` associated with a record (all pages). */
  async associatedIds(action: string, fromType: CrmObjectType, fromId: string, toType: CrmObjectType, signal?: AbortSignal): Promise<string[]> {
    const ids: string[] = [];
    let after: string | undefined;
    do {
      const page = await this.call(action, `list ${toType} associated with ${fromType} ${fromId}`, signal, (sdk) =>
        sdk.crm.associations.v4.basicApi.getPage(fromType, fromId, toType, after, 500),
      );
      ids.push(...page.results.map((r) => String(r.toObjectId)));
      after = page.paging?.next?.after;
    } while (after);
    return ids;
  }

  /** Default (unlabelled) association; a PUT, so repeating it is harmless. */
  async associate(action: string, fromType: CrmObjectType, fromId: string, toType: CrmObjectType, toId: string, signal?: AbortSignal) {
    await this.call(action, `associate ${fromType} ${fromId} with ${toType} ${toId}`, signal, (sdk) =>
      sdk.crm.associations.v4.basicApi.createDefault(fromType, fromId, toType, toId),
    );
  }
}

/**
 * The SDK's transport (node-fetch v2) takes no abort signal, so on timeout or cancellation we stop waiting
 * and report a retryable failure; a create that still lands is caught by its idempotency key.
 */
function withDeadline<T>(work: Promise<T>, timeoutMs: number, signal?: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const fail = (reason: string) => reject(Object.assign(new Error(reason), { name: 'TimeoutError' }));
    const timer = setTimeout(() => fail(`no answer within ${timeoutMs} ms`), timeoutMs);
    const onAbort = () => fail('cancelled');
    signal?.addEventListener('abort', onAbort, { once: true });
    work.then(resolve, reject).finally(() => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    });
  });
}

/** Turns an SDK failure (ApiException, network error, deadline) into a ConnectorError. */
function classify(action: string, what: string, err: unknown, token: string): ConnectorError {
  if (err instanceof ConnectorError) return err;
  const apiError = err as { code?: unknown; body?: unknown; headers?: Record<string, string> };
  if (typeof apiError.code === 'number' && apiError.code >= 400) {
    const headers = apiError.headers ?? {};
    if (apiError.code === 429 && (apiError.body as { policyName?: string } | undefined)?.policyName === 'DAILY') {
      // The daily limit resets at midnight in the account's time zone ("API usage guidelines and limits"):
      // retrying within the day only burns attempts, so a person decides when to retry.
      return new ConnectorError(SYSTEM, action, `${what}: HubSpot's daily API limit is used up; it resets at midnight in the portal's time zone, retry the step then`, { status: 429, retryable: false });
    }
    return httpError(SYSTEM, action, what, apiError.code, headers, apiError.body, [token]);
  }
  // The SDK calls Node's fetch: a refused or reset connection is a TypeError whose `cause` carries the code.
  if (isTransientNetworkError(err)) {
    return new ConnectorError(SYSTEM, action, `${what} failed: ${(err as Error).message}`, { retryable: true, cause: err });
  }
  return new ConnectorError(SYSTEM, action, `${what} failed: ${(err as Error)?.message ?? String(err)}`, { retryable: false, cause: err });
}
