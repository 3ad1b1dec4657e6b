/**
 * PandaDoc actions for the sales order form of deal provisioning (seed 000): create a document from a
 * template with its recipients in signing order (customer, then the company's signatory, then the sales
 * head), send it, and read its status.
 *
 * Creating is made idempotent with the document's metadata: the step's idempotency key goes into
 * `metadata.wf_key`, and before creating, the documents are listed with `metadata=metadata_wf_key=<key>`
 * (PandaDoc API reference, "List documents": `metadata_{key}={value}`, the prefix always required).
 */
import { z } from 'zod';
import { defineAction } from '../shared/action';
import { ConnectorError } from '../shared/errors';
import { resolveLabel } from '../shared/labels';
import { PandaDocClient, SYSTEM } from './client';

const Recipient = z.object({
  email: z.email(),
  firstName: z.string().trim().min(1),
  lastName: z.string().trim().min(1),
  /** The template's role this recipient fills, e.g. "Client"; PandaDoc matches it exactly. */
  role: z.string().trim().min(1),
});

/**
 * What the webhook route makes of the document's state changes (`pandadoc-<status>`, api/webhooks): the
 * statuses of PandaDoc's "Document status" list after creation.
 */
const DOCUMENT_EVENTS = ['draft', 'sent', 'viewed', 'completed', 'voided', 'declined'].map((status) => `pandadoc-document-${status}`);

/** The metadata key holding the step's idempotency key. */
const KEY_FIELD = 'wf_key';

export const createDocument = defineAction({
  name: 'pandadoc.createDocument',
  description: 'Creates a document from a template, recipients signing in the order given (e.g. customer, company signatory, sales head); returns {documentId, status, created}.',
  input: z
    .object({
      /** The template by its name (e.g. "SOF_SOF_Direct Customer_2022 (EB) Standard Template") or id. */
      template: z.string().trim().min(1),
      name: z.string().trim().min(1).max(255),
      recipients: z.array(Recipient).min(1),
      /** Template variables, e.g. {"Client.Company": "Acme"}. */
      tokens: z.record(z.string(), z.string()).default({}),
      /** Kept on the document, e.g. {hubspot_deal_id: "123"}; wf_key is reserved. */
      metadata: z.record(z.string().regex(/^\w+$/), z.string()).default({}),
    })
    .refine((i) => !(KEY_FIELD in i.metadata), { message: `metadata.${KEY_FIELD} is set by the engine`, path: ['metadata', KEY_FIELD] }),
  mutates: true,
  sendsEvents: DOCUMENT_EVENTS,
  async run(client: PandaDocClient, input, { idempotencyKey }) {
    const action = 'pandadoc.createDocument';
    const earlier = await client.call(action, 'GET /public/v1/documents', () => client.documents.listDocuments({ metadata: [`metadata_${KEY_FIELD}=${idempotencyKey}`], count: 10 }));
    const existing = earlier.results?.[0];
    if (existing?.id) return { documentId: existing.id, status: String(existing.status), created: false };

    const templates = await client.call(action, 'GET /public/v1/templates', () => client.templates.listTemplates({ q: input.template, count: 100 }));
    const template = resolveLabel(
      { system: SYSTEM, action, kind: 'template', field: 'template' },
      input.template,
      (templates.results ?? []).filter((t) => t.id && t.name).map((t) => ({ id: t.id as string, label: t.name as string })),
    );
    const created = await client.call(action, 'POST /public/v1/documents', () =>
      client.documents.createDocument({
        documentCreateRequest: {
          name: input.name,
          templateUuid: template.id,
          // The list order is the signing order: PandaDoc's signing_order starts at 1.
          recipients: input.recipients.map((r, i) => ({ email: r.email, firstName: r.firstName, lastName: r.lastName, role: r.role, signingOrder: i + 1 })),
          tokens: Object.entries(input.tokens).map(([name, value]) => ({ name, value })),
          metadata: { ...input.metadata, [KEY_FIELD]: idempotencyKey },
        },
      }),
    );
    if (!created.id) throw new ConnectorError(SYSTEM, action, 'POST /public/v1/documents answered without a document id', { retryable: false });
    return { documentId: created.id, status: String(created.status), created: true };
  },
});

const DocumentId = z.string().trim().min(1);

async function statusOf(client: PandaDocClient, action: string, documentId: string) {
  const document = await client.call(action, 'GET /public/v1/documents/{id}', () => client.documents.statusDocument({ id: documentId }));
  return { documentId, name: document.name ?? null, status: String(document.status) };
}

export const sendDocument = defineAction({
  name: 'pandadoc.sendDocument',
  description: 'Sends a document to its recipients once PandaDoc has made it a draft; a document already sent is left alone. Returns {documentId, status, sent}.',
  input: z.object({ documentId: DocumentId, subject: z.string().max(255).optional(), message: z.string().max(5_000).optional(), silent: z.boolean().default(false) }),
  mutates: true,
  async run(client: PandaDocClient, input) {
    const action = 'pandadoc.sendDocument';
    const { status } = await statusOf(client, action, input.documentId);
    // Reading first makes a retried step (its send answered but the answer lost) a success, not a second e-mail.
    if (status !== 'document.draft' && status !== 'document.uploaded') return { documentId: input.documentId, status, sent: false };
    const sent = await client.call(action, 'POST /public/v1/documents/{id}/send', () =>
      client.documents.sendDocument({ id: input.documentId, documentSendRequest: { subject: input.subject, message: input.message, silent: input.silent } }),
    );
    return { documentId: input.documentId, status: String(sent.status), sent: true };
  },
});

export const getDocumentStatus = defineAction({
  name: 'pandadoc.getDocumentStatus',
  description: 'Reads a document\'s status (document.draft, document.sent, document.completed, ...); returns {documentId, name, status, completed}.',
  input: z.object({ documentId: DocumentId }),
  mutates: false,
  async run(client: PandaDocClient, input) {
    const document = await statusOf(client, 'pandadoc.getDocumentStatus', input.documentId);
    return { ...document, completed: document.status === 'document.completed' };
  },
});

export const pandadocActions = [createDocument, sendDocument, getDocumentStatus] as const;
