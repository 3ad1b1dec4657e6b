/**
 * HubSpot's HUBSPOT_DEFINED association type ids between the objects the fake holds, from HubSpot's
 * "Associations v4" reference, "Association type ID values" table. Kept apart from the connector's own copy
 * (activities/hubspot/association-types.ts) on purpose: the fake refuses an inline association whose type id
 * the vendor's table does not give, so a wrong id in the connector fails in the tests.
 */
import { CRM_TYPES } from './contract';

export type CrmType = (typeof CRM_TYPES)[number];
export const CRM_OBJECT_TYPES = CRM_TYPES;

const TYPE_IDS: ReadonlyArray<[from: CrmType, to: CrmType, id: number]> = [
  ['contacts', 'companies', 279], ['companies', 'contacts', 280],
  ['deals', 'companies', 341], ['companies', 'deals', 342],
  ['tickets', 'companies', 339], ['companies', 'tickets', 340],
  ['deals', 'contacts', 3], ['contacts', 'deals', 4],
  ['tickets', 'contacts', 16], ['contacts', 'tickets', 15],
  ['deals', 'tickets', 27], ['tickets', 'deals', 28],
  ['notes', 'companies', 190], ['companies', 'notes', 189],
  ['notes', 'contacts', 202], ['contacts', 'notes', 201],
  ['notes', 'deals', 214], ['deals', 'notes', 213],
  ['notes', 'tickets', 228], ['tickets', 'notes', 227],
];

/** The object type an association type id points to, seen from `from`; undefined when HubSpot has no such id. */
export function associationTarget(from: string, typeId: number): CrmType | undefined {
  return TYPE_IDS.find(([f, , id]) => f === from && id === typeId)?.[1];
}
