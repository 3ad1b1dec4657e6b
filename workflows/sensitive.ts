/**
 * Sensitive form fields (`x-sensitive: true` in a task form or the input schema): credentials and passwords
 * people type in. Like every payload they reach history encrypted by the payload codec; on top of that the
 * instance remembers their values and the state query (the API, the inbox, the CLI) shows "•••" wherever
 * one of them appears, in variables and in the audit trail. Activities get the real value: expressions
 * read the variables unmasked. Pure: no I/O.
 */

export const MASK = '•••';

/** Values shorter than this are not masked: replacing every "1" or "yes" would garble the whole view. */
const SHORTEST_MASKED = 4;
/** Inside longer texts only values this long are masked, so that a short one does not cut into ids and hashes. */
const SHORTEST_MASKED_INSIDE = 8;

type Schema = Record<string, unknown>;

/** The values `data` holds at the places `schema` marks `x-sensitive: true` (nested objects and arrays too). */
export function sensitiveValues(schema: unknown, data: unknown): string[] {
  if (!schema || typeof schema !== 'object' || data === undefined || data === null) return [];
  const node = schema as Schema;
  if (node['x-sensitive'] === true) return leaves(data);
  const found: string[] = [];
  const properties = node.properties as Record<string, unknown> | undefined;
  if (properties && typeof data === 'object' && !Array.isArray(data)) {
    for (const [name, inner] of Object.entries(properties)) found.push(...sensitiveValues(inner, (data as Record<string, unknown>)[name]));
  }
  if (node.items && Array.isArray(data)) for (const item of data) found.push(...sensitiveValues(node.items, item));
  return found;
}

function leaves(data: unknown): string[] {
  if (typeof data === 'string' || typeof data === 'number') return [String(data)];
  if (Array.isArray(data)) return data.flatMap(leaves);
  if (data && typeof data === 'object') return Object.values(data).flatMap(leaves);
  return [];
}

/** The values to hide, kept by the instance (and carried across continue-as-new). */
export class Secrets {
  private readonly values: Set<string>;

  constructor(carried: string[] = []) {
    this.values = new Set(carried);
  }

  remember(schema: unknown, data: unknown): void {
    for (const value of sensitiveValues(schema, data)) if (value.length >= SHORTEST_MASKED) this.values.add(value);
  }

  list(): string[] {
    return [...this.values];
  }

  /** A copy of `value` with every remembered secret replaced by the mask, inside longer texts too. */
  masked<T>(value: T): T {
    if (this.values.size === 0) return value;
    const inside = [...this.values].filter((v) => v.length >= SHORTEST_MASKED_INSIDE).sort((a, b) => b.length - a.length);
    const hide = (node: unknown): unknown => {
      if (typeof node === 'string') return this.values.has(node) ? MASK : inside.reduce((text, secret) => text.split(secret).join(MASK), node);
      if (typeof node === 'number' && this.values.has(String(node))) return MASK;
      if (Array.isArray(node)) return node.map(hide);
      if (node && typeof node === 'object') return Object.fromEntries(Object.entries(node).map(([key, inner]) => [key, hide(inner)]));
      return node;
    };
    return hide(value) as T;
  }
}
