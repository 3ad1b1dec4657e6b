/** Input pieces shared by the HubSpot actions, so every action spells ids and property maps the same way. */
import { z } from 'zod';

export const RecordId = z.string().regex(/^\d+$/, 'a HubSpot record id is digits only');

/** Property values keyed by internal name or by label, e.g. `{ "ODB company ID": "ODB-42" }`. */
export const PropertyValues = z.record(z.string().min(1), z.string());

/** Property names or labels to read. */
export const PropertyList = z.array(z.string().min(1));

export const LinkableType = z.enum(['companies', 'contacts', 'deals', 'tickets']);

/** A value counts as filled when it is present and not just whitespace. */
export function isFilled(value: string | null | undefined): boolean {
  return value !== null && value !== undefined && value.trim() !== '';
}
