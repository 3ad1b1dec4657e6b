/** Contact actions: find a contact by email, create one (email is HubSpot's natural unique key), and check a deal's contacts. */
import { z } from 'zod';
import { defineAction } from '../../shared/action';
import { ConnectorError } from '../../shared/errors';
import type { Association, HubSpotClient } from '../client';
import { isFilled, RecordId } from './common';

const CONTACT_PROPERTIES = ['email', 'firstname', 'lastname', 'phone', 'jobtitle'];

export const findContact = defineAction({
  name: 'hubspot.findContact',
  description: 'Finds a contact by email; returns {found, id, properties} (email, name, phone, job title).',
  input: z.object({ email: z.email() }),
  mutates: false,
  async run(client: HubSpotClient, input, { signal }) {
    const [match] = await client.searchEq('hubspot.findContact', 'contacts', 'email', input.email.toLowerCase(), CONTACT_PROPERTIES, signal);
    return match ? { found: true, id: match.id, properties: match.properties } : { found: false, id: null, properties: {} };
  },
});

export const createContact = defineAction({
  name: 'hubspot.createContact',
  description: 'Creates a contact (optionally associated with a company); an existing contact with that email is reused.',
  input: z.object({
    email: z.email(),
    firstName: z.string().optional(),
    lastName: z.string().optional(),
    phone: z.string().optional(),
    jobTitle: z.string().optional(),
    companyId: RecordId.optional(),
  }),
  mutates: true,
  async run(client: HubSpotClient, input, { signal }) {
    const action = 'hubspot.createContact';
    const properties = Object.fromEntries(
      Object.entries({ email: input.email.toLowerCase(), firstname: input.firstName, lastname: input.lastName, phone: input.phone, jobtitle: input.jobTitle })
        .filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    const associations: Association[] = input.companyId ? [{ toType: 'companies', toId: input.companyId }] : [];
    try {
      const created = await client.create(action, 'contacts', properties, associations, signal);
      return { id: created.id, created: true };
    } catch (err) {
      // Idempotency: HubSpot refuses a second contact with the same email (409), so a retried step finds
      // the contact its first attempt created and only makes sure the association exists.
      if (!(err instanceof ConnectorError) || err.details.status !== 409) throw err;
      const existing = await client.getRecord(action, 'contacts', properties.email, [], signal, 'email');
      if (input.companyId) await client.associate(action, 'contacts', existing.id, 'companies', input.companyId, signal);
      return { id: existing.id, created: false };
    }
  },
});

export const checkDealContacts = defineAction({
  name: 'hubspot.checkDealContacts',
  description: 'Checks that a deal has associated contacts and that each has the required properties (default: email, name, phone, role); returns {complete, count, contacts, incomplete}.',
  input: z.object({ dealId: RecordId, required: z.array(z.string().min(1)).min(1).default(CONTACT_PROPERTIES) }),
  mutates: false,
  async run(client: HubSpotClient, input, { signal }) {
    const action = 'hubspot.checkDealContacts';
    const ids = await client.associatedIds(action, 'deals', input.dealId, 'contacts', signal);
    const contacts = [];
    for (const id of ids) {
      const record = await client.getRecord(action, 'contacts', id, [...new Set([...CONTACT_PROPERTIES, ...input.required])], signal);
      const missing = input.required.filter((p) => !isFilled(record.properties[p]));
      contacts.push({ id, properties: record.properties, missing });
    }
    const incomplete = contacts.filter((c) => c.missing.length > 0).map((c) => ({ id: c.id, missing: c.missing }));
    // A deal without contacts is incomplete too: the checklist needs at least one.
    return { complete: contacts.length > 0 && incomplete.length === 0, count: contacts.length, contacts, incomplete };
  },
});
