/** Notes on records (e.g. the provisioning note on a ticket) and associations between records. */
import { z } from 'zod';
import { defineAction } from '../../shared/action';
import type { HubSpotClient } from '../client';
import { LinkableType, RecordId } from './common';

export const addNote = defineAction({
  name: 'hubspot.addNote',
  description: 'Adds a note (optionally with already-uploaded file ids as attachments) to a ticket, deal, company or contact.',
  input: z.object({
    objectType: LinkableType,
    objectId: RecordId,
    body: z.string().min(1),
    attachmentIds: z.array(RecordId).default([]),
  }),
  mutates: true,
  async run(client: HubSpotClient, input, { signal, idempotencyKey }) {
    const properties: Record<string, string> = {
      hs_note_body: input.body,
      hs_timestamp: new Date().toISOString(),
      ...(input.attachmentIds.length ? { hs_attachment_ids: input.attachmentIds.join(';') } : {}),
    };
    return client.createOnce('hubspot.addNote', 'notes', properties, [{ toType: input.objectType, toId: input.objectId }], idempotencyKey, signal);
  },
});

export const associate = defineAction({
  name: 'hubspot.associate',
  description: 'Associates two records (default association type), e.g. a deal with a company; repeating it is harmless.',
  input: z.object({ fromType: LinkableType, fromId: RecordId, toType: LinkableType, toId: RecordId }),
  mutates: true,
  async run(client: HubSpotClient, input, { signal }) {
    await client.associate('hubspot.associate', input.fromType, input.fromId, input.toType, input.toId, signal);
    return { associated: true };
  },
});

export const listAssociations = defineAction({
  name: 'hubspot.listAssociations',
  description: 'Lists the ids of records of one type associated with a record, e.g. the contacts of a deal.',
  input: z.object({ fromType: LinkableType, fromId: RecordId, toType: LinkableType }),
  mutates: false,
  async run(client: HubSpotClient, input, { signal }) {
    const ids = await client.associatedIds('hubspot.listAssociations', input.fromType, input.fromId, input.toType, signal);
    return { count: ids.length, ids };
  },
});
