/** Notes on records (e.g. the provisioning note on a ticket), files attached as notes, and associations. */
import { z } from 'zod';
import { readUpload } from '../../../client/uploads';
import { UPLOAD_ID } from '../../../dsl/forms';
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
  z.object({ uploadId: z.string().regex(UPLOAD_ID).describe('A form upload, by the id its file field holds, e.g. `=review.form.csr106`; its bytes never pass through the workflow') }),
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
    const { fileName, data } = await fileOf(client, action, input.file, signal);
    // One folder per step: RETURN_EXISTING then finds this step's own earlier upload, never another's file.
    const folder = `${input.folderPath.replace(/\/+$/, '')}/${idempotencyKey.replace(/[^A-Za-z0-9_-]+/g, '-')}`;
    const file = await client.uploadFile(action, { name: fileName, data }, folder, signal);
    const note = await client.createNoteOnce(action, {
      hs_note_body: input.note ?? fileName,
      hs_timestamp: new Date().toISOString(),
      hs_attachment_ids: file.id,
    }, { toType: input.objectType, toId: input.objectId }, idempotencyKey, signal);
    return { fileId: file.id, noteId: note.id, created: note.created };
  },
});

/** The file's name and bytes: from the upload store, given inline, or downloaded. */
async function fileOf(client: HubSpotClient, action: string, file: z.output<typeof FileInput>, signal: AbortSignal): Promise<{ fileName: string; data: Buffer }> {
  if ('uploadId' in file) {
    const found = client.config.uploadsDir === undefined ? undefined : await readUpload(client.config.uploadsDir, file.uploadId);
    // An id that names no upload will not start naming one on a retry.
    if (!found) throw new ConnectorError('hubspot', action, `no upload '${file.uploadId}' in the upload store (OPS_UPLOADS_DIR)`, { field: 'file.uploadId', retryable: false });
    return { fileName: found.upload.name, data: found.data };
  }
  if ('contentBase64' in file) return { fileName: file.fileName, data: Buffer.from(file.contentBase64, 'base64') };
  return { fileName: file.fileName, data: await download(action, file.url, signal) };
}

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
