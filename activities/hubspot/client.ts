/**
 * The HubSpot client the actions receive: the official `@hubspot/api-client` pointed at the configured base
 * URL, wrapped so that every call has a deadline and every failure becomes a classified ConnectorError.
 * It also resolves pipeline, stage and property labels to ids (cached for the client's lifetime) and offers
 * the few CRM primitives the actions are built from, including an idempotent create.
 */
import { Client } from '@hubspot/api-client';
import { AssociationSpecAssociationCategoryEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/AssociationSpec';
import { FilterOperatorEnum } from '@hubspot/api-client/lib/codegen/crm/objects/models/Filter';
import { ConnectorError, isTransientNetworkError } from '../shared/errors';
import { httpError } from '../shared/http';
import { resolveLabel, type Labelled } from '../shared/labels';
import { associationTypeId, type CrmObjectType } from './association-types';
import type { HubSpotConfig } from './config';
import { cached } from '../shared/cached';

export const SYSTEM = 'hubspot';

/** The unique property that stores a step's idempotency key on records we create (vendors.md §1). */
export const REQUEST_KEY_PROPERTY = 'wf_request_key';

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

  constructor(private readonly config: HubSpotConfig) {
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
   * Creates a record at most once per idempotency key: the key goes into the unique `wf_request_key`
   * property, so a retried create (after a timeout or a lost answer) is refused with 409 and we return the
   * record the first attempt made.
   */
  async createOnce(
    action: string,
    objectType: CrmObjectType,
    properties: Record<string, string>,
    associations: Association[],
    idempotencyKey: string,
    signal?: AbortSignal,
  ): Promise<{ id: string; created: boolean }> {
    try {
      const record = await this.create(action, objectType, { ...properties, [REQUEST_KEY_PROPERTY]: idempotencyKey }, associations, signal);
      return { id: record.id, created: true };
    } catch (err) {
      if (!(err instanceof ConnectorError) || err.details.status !== 409) throw err;
      // The 409 may be about another unique property; then there is no record of ours and the 409 stands.
      const existing = await this.getRecord(action, objectType, idempotencyKey, [], signal, REQUEST_KEY_PROPERTY).catch((lookupError: unknown) => {
        if (lookupError instanceof ConnectorError && lookupError.details.status === 404) throw err;
        throw lookupError;
      });
      return { id: existing.id, created: false };
    }
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
    return httpError(SYSTEM, action, what, apiError.code, headers, apiError.body, [token]);
  }
  if (isTransientNetworkError(err) || (err as Error)?.name === 'FetchError') {
    return new ConnectorError(SYSTEM, action, `${what} failed: ${(err as Error).message}`, { retryable: true, cause: err });
  }
  return new ConnectorError(SYSTEM, action, `${what} failed: ${(err as Error)?.message ?? String(err)}`, { retryable: false, cause: err });
}
