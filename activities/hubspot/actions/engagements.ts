/** Notes on records (e.g. the provisioning note on a ticket), files attached as notes, and associations. */
import { z } from 'zod';
import { defineAction } from '../../shared/action';
import { ConnectorError, isRetryableStatus } from '../../shared/errors';
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
    return client.createNoteOnce('hubspot.addNote', properties, { toType: input.objectType, toId: input.objectId }, idempotencyKey, signal);
  },
});

const FileInput = z.union([
  z.object({ fileName: z.string().min(1), contentBase64: z.base64() }),
  z.object({ fileName: z.string().min(1), url: z.url().describe('Downloaded by the worker, e.g. a form upload') }),
]);

export const attachFile = defineAction({
  name: 'hubspot.attachFile',
  description: 'Uploads a file (e.g. CSR 106, payment proof) to HubSpot Files and attaches it to a ticket, company or deal as a note; a retried step uploads and notes it once.',
  input: z.object({
    objectType: z.enum(['tickets', 'companies', 'deals']),
    objectId: RecordId,
    file: FileInput,
    note: z.string().min(1).optional().describe('Text of the note; default: the file name'),
    folderPath: z.string().startsWith('/').default('/process-engine'),
  }),
  mutates: true,
  async run(client: HubSpotClient, input, { signal, idempotencyKey }) {
    const action = 'hubspot.attachFile';
    const data = 'contentBase64' in input.file ? Buffer.from(input.file.contentBase64, 'base64') : await download(action, input.file.url, signal);
    // One folder per step: RETURN_EXISTING then finds this step's own earlier upload, never another's file.
    const folder = `${input.folderPath.replace(/\/+$/, '')}/${idempotencyKey.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
    const file = await client.uploadFile(action, { name: input.file.fileName, data }, folder, signal);
    const note = await client.createNoteOnce(action, {
      hs_note_body: input.note ?? input.file.fileName,
      hs_timestamp: new Date().toISOString(),
      hs_attachment_ids: file.id,
    }, { toType: input.objectType, toId: input.objectId }, idempotencyKey, signal);
    return { fileId: file.id, noteId: note.id, created: note.created };
  },
});

async function download(action: string, url: string, signal: AbortSignal): Promise<Buffer> {
  const response = await fetch(url, { signal }).catch((err: unknown) => {
    throw new ConnectorError('hubspot', action, `could not download the file: ${(err as Error).message}`, { field: 'file.url', retryable: true });
  });
  if (!response.ok) {
    await response.arrayBuffer();
    throw new ConnectorError('hubspot', action, `could not download the file: the file server answered ${response.status}`, { status: response.status, field: 'file.url', retryable: isRetryableStatus(response.status) });
  }
  return Buffer.from(await response.arrayBuffer());
}

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
