/**
 * The PandaDoc operations the connector uses, from PandaDoc's published API (each fact with its source):
 * - [openapi]  PandaDoc Public API OpenAPI document 7.20.1 (developers.pandadoc.com/openapi/pandadoc-public-api.json),
 *              the document `pandadoc-node-client` 6.2.0 is generated from: paths, query names, body fields.
 * - [auth]     API reference, "Authentication": `Authorization: API-Key <key>` (or OAuth `Bearer`).
 * - [errors]   API reference, "Erroneous request": error bodies `{type, detail}`, `detail` a sentence or an
 *              object of field → messages (e.g. {"type": "request_error", "detail": {"recipients": [...]}});
 *              changelog examples: {"type": "state_error", ...}, {"type": "permissions_error", ...}.
 * - [lifecycle] Guides, "Create and send a document": creation is asynchronous (`document.uploaded`, then
 *              `document.draft` after a few seconds); send only a draft; "Document status" lists
 *              document.draft, document.sent, document.viewed, document.completed, ...
 * - [list]     "List documents" and "How to Filter and Search Documents": `metadata_{key}={value}` with the
 *              `metadata_` prefix always required; `count` (max 100) and `page`.
 * - [webhooks] "Webhook payload On Document State Change" (a JSON array of {event, data}) and "How to Verify
 *              Webhook Authenticity" (`?signature=` = hex HMAC-SHA256 of the raw body with the shared key).
 */
import { z } from 'zod';
import { defineContract } from '../shared/contract';

export const DOCUMENT_STATUSES = ['document.uploaded', 'document.draft', 'document.sent', 'document.viewed', 'document.completed', 'document.voided', 'document.declined'] as const;

const ERROR_TYPE: Record<number, string> = { 400: 'request_error', 401: 'authentication_error', 403: 'permissions_error', 404: 'not_found', 409: 'state_error', 429: 'request_error' };

const DocumentSummary = z.looseObject({ id: z.string(), name: z.string(), status: z.enum(DOCUMENT_STATUSES), date_created: z.string(), date_modified: z.string() });
const list = (item: z.ZodType) => z.object({ results: z.array(item) });
const page = { count: z.string().regex(/^\d+$/).optional(), page: z.string().regex(/^\d+$/).optional() };

export const pandadocContract = defineContract({
  system: 'pandadoc',
  // [auth] `Authorization: API-Key <key>` is neither Bearer nor Basic: the fake checks it itself (index.ts).
  auth: { scheme: 'none', source: '[auth] API-Key scheme, checked by the PandaDoc fake' },
  error: (status, message, field) => ({ type: ERROR_TYPE[status] ?? 'server_error', detail: field ? { [field]: [message] } : message }),
  errorShape: z.object({ type: z.string(), detail: z.union([z.string(), z.record(z.string(), z.array(z.string()))]) }),
  errorSource: '[errors]',
  operations: [
    {
      id: 'templates.list',
      method: 'GET',
      path: '/public/v1/templates',
      query: z.object({ q: z.string().optional(), shared: z.string().optional(), deleted: z.string().optional(), id: z.string().optional(), folder_uuid: z.string().optional(), tag: z.string().optional(), fields: z.string().optional(), ...page }),
      response: list(z.looseObject({ id: z.string(), name: z.string() })),
      source: '[openapi] GET /public/v1/templates (listTemplates)',
    },
    {
      id: 'documents.list',
      method: 'GET',
      path: '/public/v1/documents',
      query: z.object({
        q: z.string().optional(), tag: z.string().optional(), status: z.string().optional(), status__ne: z.string().optional(), deleted: z.string().optional(),
        id: z.string().optional(), template_id: z.string().optional(), form_id: z.string().optional(), folder_uuid: z.string().optional(),
        contact_id: z.string().optional(), membership_id: z.string().optional(), order_by: z.string().optional(),
        created_from: z.string().optional(), created_to: z.string().optional(), modified_from: z.string().optional(), modified_to: z.string().optional(),
        completed_from: z.string().optional(), completed_to: z.string().optional(),
        metadata: z.string().regex(/^metadata_\w+=/, 'metadata_{key}={value}: the metadata_ prefix is required').optional(),
        ...page,
      }),
      response: list(DocumentSummary),
      source: '[openapi] GET /public/v1/documents (listDocuments); [list]',
    },
    {
      id: 'documents.create',
      method: 'POST',
      path: '/public/v1/documents',
      body: z.looseObject({
        name: z.string().min(1),
        template_uuid: z.string().min(1),
        recipients: z.array(z.looseObject({ email: z.email(), first_name: z.string().optional(), last_name: z.string().optional(), role: z.string().optional(), signing_order: z.number().int().positive().optional() })).optional(),
        tokens: z.array(z.object({ name: z.string(), value: z.string() })).optional(),
        metadata: z.record(z.string(), z.unknown()).optional(),
        tags: z.array(z.string()).optional(),
      }),
      response: DocumentSummary.extend({ status: z.literal('document.uploaded') }),
      status: 201,
      source: '[openapi] POST /public/v1/documents (createDocument, DocumentCreateRequest); [lifecycle]',
    },
    {
      id: 'documents.status',
      method: 'GET',
      path: '/public/v1/documents/{id}',
      response: DocumentSummary,
      source: '[openapi] GET /public/v1/documents/{id} (statusDocument)',
    },
    {
      id: 'documents.send',
      method: 'POST',
      path: '/public/v1/documents/{id}/send',
      body: z.looseObject({ message: z.string().optional(), subject: z.string().optional(), silent: z.boolean().optional() }),
      response: DocumentSummary.extend({ status: z.literal('document.sent') }),
      source: '[openapi] POST /public/v1/documents/{id}/send (sendDocument, DocumentSendRequest); [lifecycle]',
      note: 'the 409 body text for a document that is not a draft yet is not documented; the fake answers {type: "state_error", detail: "..."}.',
    },
  ],
});
