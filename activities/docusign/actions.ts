/**
 * DocuSign actions for reseller creation (seed 004: the owner sends the Reseller Agreement to the
 * reseller's primary contact): an envelope from a template, sent, and its status.
 *
 * Creating is made idempotent with an envelope custom field: the step's idempotency key is stored as the
 * hidden text custom field `wf_key`, and before creating, envelopes are listed with
 * `custom_field=wf_key=<key>` (eSignature REST API, Envelopes: listStatusChanges, `custom_field`).
 */
import { z } from 'zod';
import { defineAction } from '../shared/action';
import { ConnectorError } from '../shared/errors';
import { resolveLabel } from '../shared/labels';
import { DocuSignClient, SYSTEM } from './client';

const KEY_FIELD = 'wf_key';
/** How far back the dedupe lookup searches; a retry of the same step is never older than this. */
const LOOKBACK_DAYS = 30;
const EnvelopeId = z.string().uuid();

export const createEnvelope = defineAction({
  name: 'docusign.createEnvelope',
  description: 'Creates an envelope from a template (by name or id) for its roles, and sends it unless send is false; returns {envelopeId, status, created}.',
  input: z.object({
    template: z.string().trim().min(1),
    emailSubject: z.string().trim().min(1).max(100),
    /** One entry per template role, e.g. {roleName: "Reseller", name, email}. */
    roles: z.array(z.object({ roleName: z.string().trim().min(1), name: z.string().trim().min(1), email: z.email() })).min(1),
    send: z.boolean().default(true),
  }),
  mutates: true,
  async run(client: DocuSignClient, input, { idempotencyKey }) {
    const action = 'docusign.createEnvelope';
    const fromDate = new Date(Date.now() - LOOKBACK_DAYS * 86_400_000).toISOString();
    const earlier = await client.call(action, 'GET /v2.1/accounts/{accountId}/envelopes', (accountId) =>
      client.envelopes.listStatusChanges(accountId, { customField: `${KEY_FIELD}=${idempotencyKey}`, fromDate }),
    );
    const existing = earlier.envelopes?.find((e) => e.envelopeId);
    if (existing?.envelopeId) return { envelopeId: existing.envelopeId, status: existing.status ?? 'unknown', created: false };

    const templates = await client.call(action, 'GET /v2.1/accounts/{accountId}/templates', (accountId) => client.templates.listTemplates(accountId, { searchText: input.template }));
    const template = resolveLabel(
      { system: SYSTEM, action, kind: 'template', field: 'template' },
      input.template,
      (templates.envelopeTemplates ?? []).filter((t) => t.templateId && t.name).map((t) => ({ id: t.templateId as string, label: t.name as string })),
    );
    const summary = await client.call(action, 'POST /v2.1/accounts/{accountId}/envelopes', (accountId) =>
      client.envelopes.createEnvelope(accountId, {
        envelopeDefinition: {
          templateId: template.id,
          templateRoles: input.roles.map((r) => ({ roleName: r.roleName, name: r.name, email: r.email })),
          emailSubject: input.emailSubject,
          status: input.send ? 'sent' : 'created',
          // Hidden from the recipients; the Connect payload carries it back, which finds the instance.
          customFields: { textCustomFields: [{ name: KEY_FIELD, value: idempotencyKey, show: 'false', required: 'false' }] },
        },
      }),
    );
    if (!summary.envelopeId) throw new ConnectorError(SYSTEM, action, 'POST /envelopes answered without an envelopeId', { retryable: false });
    return { envelopeId: summary.envelopeId, status: summary.status ?? 'unknown', created: true };
  },
});

export const sendEnvelope = defineAction({
  name: 'docusign.sendEnvelope',
  description: 'Sends an envelope created as a draft; one already sent is left alone. Returns {envelopeId, status, sent}.',
  input: z.object({ envelopeId: EnvelopeId }),
  mutates: true,
  async run(client: DocuSignClient, input) {
    const action = 'docusign.sendEnvelope';
    const envelope = await client.call(action, 'GET /v2.1/accounts/{accountId}/envelopes/{envelopeId}', (accountId) => client.envelopes.getEnvelope(accountId, input.envelopeId));
    if (envelope.status !== 'created') return { envelopeId: input.envelopeId, status: envelope.status ?? 'unknown', sent: false };
    await client.call(action, 'PUT /v2.1/accounts/{accountId}/envelopes/{envelopeId}', (accountId) => client.envelopes.update(accountId, input.envelopeId, { envelope: { status: 'sent' } }));
    return { envelopeId: input.envelopeId, status: 'sent', sent: true };
  },
});

export const getEnvelopeStatus = defineAction({
  name: 'docusign.getEnvelopeStatus',
  description: 'Reads an envelope\'s status (created, sent, delivered, completed, declined, voided); returns {envelopeId, status, completed, completedAt}.',
  input: z.object({ envelopeId: EnvelopeId }),
  mutates: false,
  async run(client: DocuSignClient, input) {
    const envelope = await client.call('docusign.getEnvelopeStatus', 'GET /v2.1/accounts/{accountId}/envelopes/{envelopeId}', (accountId) => client.envelopes.getEnvelope(accountId, input.envelopeId));
    return { envelopeId: input.envelopeId, status: envelope.status ?? 'unknown', completed: envelope.status === 'completed', completedAt: envelope.completedDateTime ?? null };
  },
});

export const docusignActions = [createEnvelope, sendEnvelope, getEnvelopeStatus] as const;
