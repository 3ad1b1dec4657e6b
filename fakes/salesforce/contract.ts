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
 * - [objects]  Object Reference for the Salesforce Platform: Account, Contact, Case, Task, Asset, User
 *              fields, their key prefixes (001, 003, 500, 00T, 02i, 005; feed items 0D5), and the standard
 *              picklist values below. Picklists marked `restricted` are this fake org's set-up (an admin can
 *              restrict a picklist); Asset Status carries the org's added values Active and Suspended,
 *              which seed 003's asset page shows.
 * - [query]    SOQL and SOSL Reference: SELECT <fields> FROM <object> WHERE <field> = '<value>' [AND ...]
 *              [LIMIT n]; string literals escape ' and \ with a backslash; the answer is
 *              {totalSize, done, records: [{attributes: {type, url}, ...}]}.
 */

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

/** Salesforce's error body [errors]. */
export interface SalesforceError {
  message: string;
  errorCode: string;
  fields?: string[];
}
