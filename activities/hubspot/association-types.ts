/**
 * HubSpot's HUBSPOT_DEFINED association type ids between the objects our processes touch (SDK
 * `AssociationTypes` enum, vendors.md §1). The client uses them for associations made inline when a record
 * is created; the fake uses them to know which object type an inline association points at.
 */
export const CRM_OBJECT_TYPES = ['companies', 'contacts', 'deals', 'tickets', 'notes'] as const;
export type CrmObjectType = (typeof CRM_OBJECT_TYPES)[number];

const TYPE_IDS: Array<[from: CrmObjectType, to: CrmObjectType, id: number]> = [
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

export function associationTypeId(from: CrmObjectType, to: CrmObjectType): number {
  const found = TYPE_IDS.find(([f, t]) => f === from && t === to);
  if (!found) throw new Error(`no default HubSpot association type from ${from} to ${to}`);
  return found[2];
}

/** The object type an association type id points to, seen from `from`. */
export function associationTarget(from: string, typeId: number): CrmObjectType | undefined {
  return TYPE_IDS.find(([f, , id]) => f === from && id === typeId)?.[1];
}
