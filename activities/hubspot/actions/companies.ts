/**
 * Company actions: read properties (including custom ones such as "ODB company ID"), check that the
 * mandatory KYC properties are filled, and list the files attached to the company page.
 */
import { z } from 'zod';
import { defineAction } from '../../shared/action';
import type { HubSpotClient } from '../client';
import { isFilled, PropertyList, RecordId } from './common';

/** Reads properties given by name or label; the answer is keyed the way the caller asked. */
async function readProperties(client: HubSpotClient, action: string, companyId: string, wanted: string[], signal: AbortSignal) {
  const names = await Promise.all(wanted.map((p) => client.propertyName(action, 'companies', p, signal)));
  const record = await client.getRecord(action, 'companies', companyId, names, signal);
  return Object.fromEntries(wanted.map((p, i) => [p, record.properties[names[i]] ?? null])) as Record<string, string | null>;
}

export const getCompany = defineAction({
  name: 'hubspot.getCompany',
  description: 'Reads a company and the named properties (internal names or labels, e.g. "ODB company ID").',
  input: z.object({ companyId: RecordId, properties: PropertyList.default(['name', 'domain']) }),
  mutates: false,
  async run(client: HubSpotClient, input, { signal }) {
    return { id: input.companyId, properties: await readProperties(client, 'hubspot.getCompany', input.companyId, input.properties, signal) };
  },
});

export const checkCompanyKyc = defineAction({
  name: 'hubspot.checkCompanyKyc',
  description: 'Checks that the given mandatory KYC properties of a company are filled; returns {complete, missing}.',
  input: z.object({ companyId: RecordId, required: PropertyList.min(1) }),
  mutates: false,
  async run(client: HubSpotClient, input, { signal }) {
    const values = await readProperties(client, 'hubspot.checkCompanyKyc', input.companyId, input.required, signal);
    const missing = input.required.filter((p) => !isFilled(values[p]));
    return { complete: missing.length === 0, missing, values };
  },
});

const FileSchema = z.object({ id: z.coerce.string(), name: z.string().optional(), extension: z.string().optional(), size: z.number().optional(), url: z.string().optional() });

export const listCompanyFiles = defineAction({
  name: 'hubspot.listCompanyFiles',
  description: 'Lists the files attached to a company (attachments of the notes on its page), e.g. KYC documents.',
  input: z.object({ companyId: RecordId }),
  mutates: false,
  async run(client: HubSpotClient, input, { signal }) {
    const action = 'hubspot.listCompanyFiles';
    // HubSpot keeps record attachments as notes whose hs_attachment_ids lists file ids.
    const noteIds = await client.associatedIds(action, 'companies', input.companyId, 'notes', signal);
    const fileIds = new Set<string>();
    for (const noteId of noteIds) {
      const note = await client.getRecord(action, 'notes', noteId, ['hs_attachment_ids'], signal);
      for (const id of (note.properties.hs_attachment_ids ?? '').split(';')) if (id.trim()) fileIds.add(id.trim());
    }
    const files = [];
    for (const fileId of fileIds) {
      const raw = await client.call(action, `read file ${fileId}`, signal, (sdk) => sdk.files.filesApi.getById(fileId));
      const file = FileSchema.parse(raw);
      files.push({ id: file.id, name: file.name ?? '', extension: file.extension ?? '', size: file.size ?? 0, url: file.url ?? '' });
    }
    return { count: files.length, files };
  },
});
