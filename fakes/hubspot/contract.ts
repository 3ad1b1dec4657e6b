/**
 * HubSpot's public API, as far as the connector uses it. Sources:
 *   [spec]  HubSpot's OpenAPI documents, github.com/HubSpot/HubSpot-public-api-spec-collection: CRM Objects
 *           v3 (basic, search, batch), CRM Properties v3, CRM Pipelines v3, CRM Associations v4, Files v3.
 *   [auth]  developers.hubspot.com, "Authentication overview": private app tokens as `Authorization: Bearer`.
 *   [err]   developers.hubspot.com, "Error handling": `{status: "error", message, correlationId, category,
 *           errors?, context?}`; 429 bodies carry `errorType: "RATE_LIMIT"` and `policyName`
 *           (TEN_SECONDLY_ROLLING, SECONDLY, DAILY).
 *   [rate]  developers.hubspot.com, "API usage guidelines and limits": `X-HubSpot-RateLimit-Max`,
 *           `-Remaining`, `-Interval-Milliseconds`, `-Daily`, `-Daily-Remaining` on API answers (the search
 *           endpoints do not send them); the daily limit resets at midnight in the account's time zone.
 *   [uniq]  developers.hubspot.com, "Properties API": `hasUniqueValue` is allowed on companies, contacts,
 *           deals, tickets and custom objects only (not on notes or other engagements).
 *   [ups]   [spec] CRM Objects v3 "Create or update a batch of objects by unique property values"
 *           (POST /crm/v3/objects/{objectType}/batch/upsert, inputs `{id, idProperty, properties}`, answer
 *           items with `new`).
 *   [files] [spec] Files v3 "Upload file" (multipart `file`, `folderPath` or `folderId`, `fileName`,
 *           `options` JSON with `access`, `duplicateValidationStrategy`, `duplicateValidationScope`).
 *   [lag]   developers.hubspot.com, "CRM search": results may lag a write by a few seconds; the fake models
 *           it with its `searchLagMs` knob.
 */
import { z } from 'zod';
import { defineContract } from '../shared/contract';

export const CRM_TYPES = ['companies', 'contacts', 'deals', 'tickets', 'notes'] as const;
export const UNIQUE_VALUE_TYPES = ['companies', 'contacts', 'deals', 'tickets'] as const;

const objectType = z.object({ objectType: z.enum(CRM_TYPES) });
const Record = z.looseObject({ id: z.string(), properties: z.record(z.string(), z.string().nullable()), createdAt: z.string(), updatedAt: z.string(), archived: z.boolean().optional() });
const Property = z.looseObject({ name: z.string(), label: z.string(), type: z.string(), fieldType: z.string(), groupName: z.string(), hasUniqueValue: z.boolean().optional() });
// A list parameter, sent as a comma-separated string or repeated (`properties=a&properties=b`, as the SDK does).
const csv = z.union([z.string(), z.array(z.string())]).optional();
const bool = z.enum(['true', 'false']).optional();

export const RATE_LIMIT_HEADERS = [
  'x-hubspot-ratelimit-max', 'x-hubspot-ratelimit-remaining', 'x-hubspot-ratelimit-interval-milliseconds',
  'x-hubspot-ratelimit-daily', 'x-hubspot-ratelimit-daily-remaining',
];

const CATEGORIES: Record<number, string> = {
  400: 'VALIDATION_ERROR', 401: 'INVALID_AUTHENTICATION', 403: 'MISSING_SCOPES', 404: 'OBJECT_NOT_FOUND', 409: 'CONFLICT', 429: 'RATE_LIMITS',
};

export const hubspotContract = defineContract({
  system: 'hubspot',
  auth: { scheme: 'bearer', source: '[auth]' },
  error: (status, message, field) => ({
    status: 'error', message, correlationId: crypto.randomUUID(), category: CATEGORIES[status] ?? 'INTERNAL_ERROR',
    ...(status === 429 ? { errorType: 'RATE_LIMIT', policyName: 'TEN_SECONDLY_ROLLING' } : {}),
    ...(field ? { errors: [{ message, context: { propertyName: [field] } }] } : {}),
  }),
  errorShape: z.looseObject({ status: z.literal('error'), message: z.string(), correlationId: z.string(), category: z.string() }),
  errorSource: '[err]',
  rateLimit: { headers: RATE_LIMIT_HEADERS, on: 'every-answer', source: '[rate]' },
  operations: [
    {
      id: 'pipelines.list', method: 'GET', path: '/crm/v3/pipelines/{objectType}', params: z.object({ objectType: z.enum(['deals', 'tickets']) }),
      response: z.looseObject({ results: z.array(z.looseObject({ id: z.string(), label: z.string(), stages: z.array(z.looseObject({ id: z.string(), label: z.string() })) })) }),
      source: '[spec] CRM Pipelines v3 "Retrieve all pipelines"',
    },
    {
      id: 'properties.list', method: 'GET', path: '/crm/v3/properties/{objectType}', params: objectType,
      query: z.object({ archived: bool, properties: csv, dataSensitivity: z.string().optional() }),
      response: z.looseObject({ results: z.array(Property) }),
      source: '[spec] CRM Properties v3 "Read all properties"',
    },
    {
      id: 'properties.get', method: 'GET', path: '/crm/v3/properties/{objectType}/{propertyName}', params: objectType.extend({ propertyName: z.string() }),
      query: z.object({ archived: bool, properties: csv }),
      response: Property,
      source: '[spec] CRM Properties v3 "Read a property"',
    },
    {
      id: 'properties.create', method: 'POST', path: '/crm/v3/properties/{objectType}', params: objectType, status: 201,
      body: z.looseObject({
        name: z.string().regex(/^[a-z][a-z0-9_]*$/), label: z.string().min(1), type: z.enum(['string', 'number', 'date', 'datetime', 'enumeration', 'bool']),
        fieldType: z.string().min(1), groupName: z.string().min(1), hasUniqueValue: z.boolean().optional(), description: z.string().optional(), formField: z.boolean().optional(),
      }),
      response: Property,
      source: '[spec] CRM Properties v3 "Create a property"; [uniq]',
    },
    {
      id: 'objects.search', method: 'POST', path: '/crm/v3/objects/{objectType}/search', params: objectType,
      body: z.looseObject({
        filterGroups: z.array(z.looseObject({ filters: z.array(z.looseObject({ propertyName: z.string(), operator: z.string(), value: z.string().optional(), values: z.array(z.string()).optional() })) })).max(5).optional(),
        properties: z.array(z.string()).optional(), sorts: z.array(z.unknown()).optional(), limit: z.number().int().min(0).max(200).optional(), after: z.string().optional(), query: z.string().optional(),
      }),
      response: z.looseObject({ total: z.number(), results: z.array(Record) }),
      rateLimitHeaders: false,
      source: '[spec] CRM Objects v3 "Search"; [rate] search answers carry no rate-limit headers; [lag]',
    },
    {
      id: 'objects.batchUpsert', method: 'POST', path: '/crm/v3/objects/{objectType}/batch/upsert', params: objectType,
      body: z.looseObject({ inputs: z.array(z.looseObject({ id: z.string().min(1), idProperty: z.string().min(1), properties: z.record(z.string(), z.string()) })).min(1).max(100) }),
      response: z.looseObject({ status: z.string(), results: z.array(Record.extend({ new: z.boolean() })) }),
      source: '[ups]: idProperty must be a property with hasUniqueValue',
    },
    {
      id: 'objects.batchRead', method: 'POST', path: '/crm/v3/objects/{objectType}/batch/read', params: objectType,
      query: z.object({ archived: bool }),
      body: z.looseObject({ inputs: z.array(z.looseObject({ id: z.string() })).max(100), properties: z.array(z.string()), idProperty: z.string().optional() }),
      response: z.looseObject({ status: z.string(), results: z.array(Record) }),
      source: '[spec] CRM Objects v3 "Read a batch of objects by internal ID, or unique property values"',
    },
    {
      id: 'objects.create', method: 'POST', path: '/crm/v3/objects/{objectType}', params: objectType, status: 201,
      body: z.looseObject({
        properties: z.record(z.string(), z.string()),
        associations: z.array(z.looseObject({ to: z.looseObject({ id: z.string() }), types: z.array(z.looseObject({ associationCategory: z.string(), associationTypeId: z.number().int() })) })).optional(),
      }),
      response: Record,
      source: '[spec] CRM Objects v3 "Create"',
    },
    {
      id: 'objects.get', method: 'GET', path: '/crm/v3/objects/{objectType}/{objectId}', params: objectType.extend({ objectId: z.string() }),
      query: z.object({ properties: csv, propertiesWithHistory: csv, associations: csv, archived: bool, idProperty: z.string().optional() }),
      response: Record,
      source: '[spec] CRM Objects v3 "Read"',
    },
    {
      id: 'objects.update', method: 'PATCH', path: '/crm/v3/objects/{objectType}/{objectId}', params: objectType.extend({ objectId: z.string() }),
      query: z.object({ idProperty: z.string().optional() }),
      body: z.looseObject({ properties: z.record(z.string(), z.string()) }),
      response: Record,
      source: '[spec] CRM Objects v3 "Update"',
    },
    {
      id: 'associations.put', method: 'PUT', path: '/crm/v4/objects/{fromObjectType}/{fromObjectId}/associations/default/{toObjectType}/{toObjectId}',
      params: z.object({ fromObjectType: z.enum(CRM_TYPES), fromObjectId: z.string(), toObjectType: z.enum(CRM_TYPES), toObjectId: z.string() }),
      response: z.looseObject({ status: z.string(), results: z.array(z.unknown()) }),
      source: '[spec] CRM Associations v4 "Create the default (most generic) association"',
    },
    {
      id: 'associations.list', method: 'GET', path: '/crm/v4/objects/{objectType}/{objectId}/associations/{toObjectType}',
      params: z.object({ objectType: z.enum(CRM_TYPES), objectId: z.string(), toObjectType: z.enum(CRM_TYPES) }),
      query: z.object({ after: z.string().optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
      response: z.looseObject({ results: z.array(z.looseObject({ toObjectId: z.union([z.string(), z.number()]) })) }),
      source: '[spec] CRM Associations v4 "List"',
    },
    {
      id: 'files.upload', method: 'POST', path: '/files/v3/files', bodyType: 'multipart', status: 201,
      body: z.looseObject({
        fields: z.looseObject({
          folderPath: z.string().startsWith('/').optional(), folderId: z.string().optional(), fileName: z.string().optional(), charsetHunch: z.string().optional(),
          options: z.string().refine((s) => {
            try {
              const o = JSON.parse(s) as { access?: unknown };
              return ['PUBLIC_INDEXABLE', 'PUBLIC_NOT_INDEXABLE', 'PRIVATE'].includes(String(o.access));
            } catch {
              return false;
            }
          }, 'options must be JSON with access PUBLIC_INDEXABLE, PUBLIC_NOT_INDEXABLE or PRIVATE'),
        }).refine((f) => f.folderPath !== undefined || f.folderId !== undefined, { message: 'folderPath or folderId is required', path: ['folderPath'] }),
        files: z.looseObject({ file: z.array(z.unknown()).length(1) }),
      }),
      response: z.looseObject({ id: z.string(), name: z.string(), extension: z.string(), size: z.number(), access: z.string() }),
      source: '[files]',
    },
    {
      id: 'files.get', method: 'GET', path: '/files/v3/files/{fileId}',
      query: z.object({ properties: csv }),
      response: z.looseObject({ id: z.string(), name: z.string(), extension: z.string(), size: z.number() }),
      source: '[spec] Files v3 "Retrieve file by ID"',
    },
  ],
});
