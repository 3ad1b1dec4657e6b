/**
 * What the Salesforce fake enforces, taken from Salesforce's published documentation (each fact with its
 * source) rather than from what our client sends.
 *
 * Sources:
 * - [errors]   REST API Developer Guide, "Status Codes and Error Responses"
 *              (developer.salesforce.com/docs/atlas.en-us.api_rest.meta/api_rest/errorcodes.htm): error
 *              bodies are `[{message, errorCode, fields?}]`; 401 INVALID_SESSION_ID; 404 NOT_FOUND; 400 for
 *              MALFORMED_QUERY, INVALID_FIELD, REQUIRED_FIELD_MISSING, restricted picklists, bad ids.
 * - [limits]   REST API Developer Guide, "Sforce-Limit-Info" response header (headers_api_usage.htm):
 *              `api-usage=used/limit` on every answer; over the org's 24-hour limit the API answers 403
 *              REQUEST_LIMIT_EXCEEDED ("TotalRequests Limit exceeded.") (Salesforce Developer Limits and
 *              Allocations Quick Reference, "API Request Limits and Allocations").
 * - [upsert]   REST API Developer Guide, "Insert or Update (Upsert) a Record Using an External ID"
 *              (dome_upsert.htm): PATCH /sobjects/<type>/<externalIdField>/<value>; 201 with `created: true`
 *              when new, 200 with `created: false` (API 46.0 and later) when it matched one record, 300 when
 *              it matched several, 404 NOT_FOUND for a field that is not an External ID.
 * - [oauth]    Salesforce Help, "OAuth 2.0 Client Credentials Flow for Server-to-Server Integration":
 *              POST /services/oauth2/token, form body grant_type=client_credentials, client_id,
 *              client_secret; answer {access_token, instance_url, id, token_type: "Bearer", issued_at,
 *              signature}; a bad client answers 400 {error: "invalid_client", error_description}.
 * - [chatter]  Connect REST API Developer Guide, "Feed Elements, Post and Search" and "Message Segment
 *              Input: Mention" (connect_resources_feed_element.htm, connect_requests_message_segment_input_mention.htm):
 *              POST /chatter/feed-elements {feedElementType: "FeedItem", subjectId, body: {messageSegments:
 *              [{type: "Text", text} | {type: "Mention", id}]}} answers 201 with the feed element; GET
 *              /chatter/feeds/record/<recordId>/feed-elements lists a record's feed as {elements: [...]}.
 * - [objects]  Object Reference for the Salesforce Platform: Account, Contact, Case, Task, Asset, User, Opportunity
 *              fields, their key prefixes (001, 003, 500, 00T, 02i, 005, 006; feed items 0D5), and the standard
 *              picklist values below. Picklists marked `restricted` are this fake org's set-up (an admin can
 *              restrict a picklist); Asset Status carries the org's added values Active and Suspended,
 *              which seed 003's asset page shows.
 * - [opportunity] Object Reference, Opportunity (sforce_api_objects_opportunity.htm): Name, StageName and
 *              CloseDate are required on create; StageName's values are the sales process's (the standard
 *              ones below); Type's standard values are "Existing Customer - Upgrade", "Existing Customer -
 *              Replacement", "Existing Customer - Downgrade" and "New Customer". OwnerId is a User: Salesforce
 *              Help, "Create Queues", lists the objects a queue may own (leads, cases, orders, custom objects
 *              and others), and Opportunity is not one of them, so an org's "Pending Deal Registration Queue"
 *              owns opportunities as a user of that name. This fake org adds what seed 004 names: the stage
 *              "Rejected", the types "New Reseller" and "New Customer - Reseller", and the custom field
 *              Reseller_Rejected_Reason__c ("Reseller Rejected Reason").
 * - [query]    SOQL and SOSL Reference: SELECT <fields> FROM <object> WHERE <field> = '<value>' [AND ...]
 *              [LIMIT n]; string literals escape ' and \ with a backslash; the answer is
 *              {totalSize, done, records: [{attributes: {type, url}, ...}]}.
 */
import { z } from 'zod';
import { defineContract } from '../shared/contract';

export type FieldType = 'id' | 'string' | 'textarea' | 'email' | 'picklist' | 'reference' | 'currency' | 'double' | 'date' | 'datetime';

export interface FieldContract {
  type: FieldType;
  /** Must be given on create (REQUIRED_FIELD_MISSING otherwise). */
  required?: boolean;
  /** Settable on create / update; a read-only field answers INVALID_FIELD_FOR_INSERT_UPDATE. */
  createable?: boolean;
  updateable?: boolean;
  /** Picklist values; with `restricted`, others answer INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST. */
  values?: readonly string[];
  restricted?: boolean;
  default?: string;
  /** Object types a reference may point at. */
  referenceTo?: readonly string[];
  /** A unique External ID text field, usable in upsert URLs. */
  externalId?: boolean;
  maxLength?: number;
}

const rw = { createable: true, updateable: true } as const;
const readOnly = { createable: false, updateable: false } as const;
/** The engine's idempotency field, as an administrator creates it: Text(255), Unique, External ID. */
const WF_KEY: FieldContract = { type: 'string', ...rw, externalId: true, maxLength: 255 };

export interface ObjectContract {
  keyPrefix: string;
  fields: Record<string, FieldContract>;
}

export const OBJECTS: Record<string, ObjectContract> = {
  User: {
    keyPrefix: '005',
    fields: { Id: { type: 'id', ...readOnly }, Name: { type: 'string', ...readOnly }, Email: { type: 'email', ...rw } },
  },
  Account: {
    keyPrefix: '001',
    fields: {
      Id: { type: 'id', ...readOnly },
      Name: { type: 'string', required: true, ...rw, maxLength: 255 },
      OwnerId: { type: 'reference', ...rw, referenceTo: ['User'] },
    },
  },
  Contact: {
    keyPrefix: '003',
    fields: {
      Id: { type: 'id', ...readOnly },
      FirstName: { type: 'string', ...rw, maxLength: 40 },
      LastName: { type: 'string', required: true, ...rw, maxLength: 80 },
      Name: { type: 'string', ...readOnly },
      Email: { type: 'email', ...rw },
      AccountId: { type: 'reference', ...rw, referenceTo: ['Account'] },
    },
  },
  Case: {
    keyPrefix: '500',
    fields: {
      Id: { type: 'id', ...readOnly },
      CaseNumber: { type: 'string', ...readOnly },
      AccountId: { type: 'reference', ...rw, referenceTo: ['Account'] },
      ContactId: { type: 'reference', ...rw, referenceTo: ['Contact'] },
      Subject: { type: 'string', ...rw, maxLength: 255 },
      Description: { type: 'textarea', ...rw, maxLength: 32_000 },
      Origin: { type: 'picklist', ...rw, values: ['Phone', 'Email', 'Web'], restricted: true },
      Status: { type: 'picklist', ...rw, values: ['New', 'Working', 'Escalated', 'Closed'], restricted: true, default: 'New' },
      Priority: { type: 'picklist', ...rw, values: ['High', 'Medium', 'Low'], restricted: true, default: 'Medium' },
      Type: { type: 'picklist', ...rw, values: ['Mechanical', 'Electrical', 'Electronic', 'Structural', 'Other'] },
      OwnerId: { type: 'reference', ...rw, referenceTo: ['User'] },
      WF_Key__c: WF_KEY,
    },
  },
  Task: {
    keyPrefix: '00T',
    fields: {
      Id: { type: 'id', ...readOnly },
      Subject: { type: 'string', ...rw, maxLength: 255 },
      WhoId: { type: 'reference', ...rw, referenceTo: ['Contact'] },
      WhatId: { type: 'reference', ...rw, referenceTo: ['Account', 'Case', 'Asset'] },
      OwnerId: { type: 'reference', ...rw, referenceTo: ['User'] },
      Status: { type: 'picklist', required: true, ...rw, values: ['Not Started', 'In Progress', 'Completed', 'Waiting on someone else', 'Deferred'], restricted: true },
      Priority: { type: 'picklist', ...rw, values: ['High', 'Normal', 'Low'], restricted: true, default: 'Normal' },
      ActivityDate: { type: 'date', ...rw },
      Description: { type: 'textarea', ...rw, maxLength: 32_000 },
      // Createable, not updateable (Object Reference, Task.TaskSubtype).
      TaskSubtype: { type: 'picklist', createable: true, updateable: false, values: ['Task', 'Email', 'ListEmail', 'Cadence', 'Call', 'LinkedIn'], restricted: true, default: 'Task' },
      WF_Key__c: WF_KEY,
    },
  },
  Opportunity: {
    keyPrefix: '006',
    fields: {
      Id: { type: 'id', ...readOnly },
      Name: { type: 'string', required: true, ...rw, maxLength: 120 },
      AccountId: { type: 'reference', ...rw, referenceTo: ['Account'] },
      StageName: {
        type: 'picklist', required: true, ...rw, restricted: true,
        values: ['Prospecting', 'Qualification', 'Needs Analysis', 'Value Proposition', 'Id. Decision Makers', 'Perception Analysis', 'Proposal/Price Quote', 'Negotiation/Review', 'Closed Won', 'Closed Lost', 'Rejected'],
      },
      CloseDate: { type: 'date', required: true, ...rw },
      Type: { type: 'picklist', ...rw, restricted: true, values: ['Existing Customer - Upgrade', 'Existing Customer - Replacement', 'Existing Customer - Downgrade', 'New Customer', 'New Reseller', 'New Customer - Reseller'] },
      Amount: { type: 'currency', ...rw },
      Description: { type: 'textarea', ...rw, maxLength: 32_000 },
      OwnerId: { type: 'reference', ...rw, referenceTo: ['User'] },
      Reseller_Rejected_Reason__c: { type: 'textarea', ...rw, maxLength: 32_000 },
      WF_Key__c: WF_KEY,
    },
  },
  Asset: {
    keyPrefix: '02i',
    fields: {
      Id: { type: 'id', ...readOnly },
      Name: { type: 'string', required: true, ...rw, maxLength: 255 },
      AccountId: { type: 'reference', ...rw, referenceTo: ['Account'] },
      Status: { type: 'picklist', ...rw, values: ['Purchased', 'Shipped', 'Installed', 'Registered', 'Obsolete', 'Active', 'Suspended'], restricted: true },
      Price: { type: 'currency', ...rw },
      Quantity: { type: 'double', ...rw },
      ProductCode: { type: 'string', ...readOnly },
    },
  },
};

/** Feed items carry this key prefix [objects]. */
export const FEED_ITEM_PREFIX = '0D5';

/** [limits]: a Developer Edition org's daily allocation; tests lower it through the control API. */
export const DEFAULT_DAILY_API_LIMIT = 15_000;

/** The errorCode Salesforce uses for a status when nothing more specific applies [errors]. */
const CODE_FOR_STATUS: Record<number, string> = {
  400: 'JSON_PARSER_ERROR',
  401: 'INVALID_SESSION_ID',
  403: 'INSUFFICIENT_ACCESS',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  500: 'UNKNOWN_EXCEPTION',
  503: 'SERVER_UNAVAILABLE',
};

const SalesforceErrorBody = z.array(z.object({ message: z.string(), errorCode: z.string(), fields: z.array(z.string()).optional() })).min(1);
/** The token endpoint answers OAuth's own error shape [oauth]. */
const OAuthErrorBody = z.object({ error: z.string(), error_description: z.string() });

const version = z.object({ version: z.string().regex(/^v\d+\.\d$/, 'an API version such as v62.0') });
const sobject = version.extend({ type: z.enum(Object.keys(OBJECTS) as [string, ...string[]]) });
const SaveResult = z.object({ id: z.string(), success: z.literal(true), errors: z.array(z.unknown()) });
const FeedElementAnswer = z.looseObject({
  id: z.string().startsWith(FEED_ITEM_PREFIX),
  feedElementType: z.literal('FeedItem'),
  parent: z.object({ id: z.string() }),
  body: z.object({ text: z.string(), messageSegments: z.array(z.looseObject({ type: z.string(), text: z.string() })) }),
});
const API = '/services/data/{version}';

export const salesforceContract = defineContract({
  system: 'salesforce',
  auth: { scheme: 'bearer', source: 'REST API Developer Guide, "Authorization Through Connected Apps and OAuth 2.0": Authorization: Bearer <access_token>' },
  error: (status, message, field) => [{ message, errorCode: CODE_FOR_STATUS[status] ?? `HTTP_${status}`, ...(field ? { fields: [field] } : {}) }],
  errorShape: z.union([SalesforceErrorBody, OAuthErrorBody]),
  errorSource: '[errors] REST API Developer Guide, "Status Codes and Error Responses"; [oauth] for the token endpoint',
  rateLimit: { headers: ['sforce-limit-info'], on: 'every-answer', source: '[limits]' },
  operations: [
    {
      id: 'oauth.token',
      method: 'POST',
      path: '/services/oauth2/token',
      auth: 'none',
      bodyType: 'form',
      // The grant is checked by the handler, which answers OAuth's own error shape.
      body: z.looseObject({ grant_type: z.string() }),
      response: z.object({ access_token: z.string(), instance_url: z.string().url(), id: z.string().url(), token_type: z.literal('Bearer'), issued_at: z.string(), signature: z.string(), scope: z.string() }),
      source: '[oauth] Salesforce Help, "OAuth 2.0 Client Credentials Flow for Server-to-Server Integration"',
      // The token endpoint is OAuth, not the REST API: no API usage to report.
      rateLimitHeaders: false,
      note: 'client credentials travel in the form body (client_id, client_secret), which is how jsforce sends them; Salesforce also accepts them in a Basic header.',
    },
    {
      id: 'query',
      method: 'GET',
      path: `${API}/query`,
      params: version,
      query: z.object({ q: z.string().min(1) }),
      response: z.object({ totalSize: z.number().int(), done: z.boolean(), records: z.array(z.looseObject({ attributes: z.object({ type: z.string(), url: z.string() }) })) }),
      source: '[query] REST API Developer Guide, "Execute a SOQL Query" (GET /services/data/vXX.X/query?q=)',
    },
    {
      id: 'sobjects.create',
      method: 'POST',
      path: `${API}/sobjects/{type}`,
      params: sobject,
      body: z.record(z.string(), z.unknown()),
      response: SaveResult,
      status: 201,
      source: 'REST API Developer Guide, "Create a Record" (POST /sobjects/<type>/, 201 {id, success, errors})',
    },
    {
      id: 'sobjects.upsert',
      method: 'PATCH',
      path: `${API}/sobjects/{type}/{field}/{value}`,
      params: sobject.extend({ field: z.string(), value: z.string() }),
      body: z.record(z.string(), z.unknown()),
      response: SaveResult.extend({ created: z.boolean() }),
      source: '[upsert] REST API Developer Guide, "Insert or Update (Upsert) a Record Using an External ID"',
    },
    {
      id: 'sobjects.get',
      method: 'GET',
      path: `${API}/sobjects/{type}/{id}`,
      params: sobject.extend({ id: z.string() }),
      query: z.object({ fields: z.string().optional() }),
      response: z.looseObject({ attributes: z.object({ type: z.string(), url: z.string() }), Id: z.string() }),
      source: 'REST API Developer Guide, "Get Field Values from a Standard Object Record" (GET /sobjects/<type>/<id>?fields=)',
    },
    {
      id: 'sobjects.update',
      method: 'PATCH',
      path: `${API}/sobjects/{type}/{id}`,
      params: sobject.extend({ id: z.string() }),
      body: z.record(z.string(), z.unknown()),
      status: 204,
      source: 'REST API Developer Guide, "Update a Record" (PATCH /sobjects/<type>/<id>, 204 No Content)',
    },
    {
      id: 'chatter.feedElements.post',
      method: 'POST',
      path: `${API}/chatter/feed-elements`,
      params: version,
      body: z.object({
        feedElementType: z.string(),
        subjectId: z.string(),
        body: z.object({ messageSegments: z.array(z.looseObject({ type: z.string() })) }),
      }),
      response: FeedElementAnswer,
      status: 201,
      source: '[chatter] Connect REST API Developer Guide, "Feed Elements, Post and Search" (POST /chatter/feed-elements)',
    },
    {
      id: 'chatter.recordFeed',
      method: 'GET',
      path: `${API}/chatter/feeds/record/{recordId}/feed-elements`,
      params: version.extend({ recordId: z.string() }),
      query: z.object({ pageSize: z.string().optional(), page: z.string().optional() }),
      response: z.looseObject({ elements: z.array(FeedElementAnswer) }),
      source: '[chatter] Connect REST API Developer Guide, "Record Feed Elements" (GET /chatter/feeds/record/<recordId>/feed-elements)',
    },
  ],
});
