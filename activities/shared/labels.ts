/**
 * Resolving human labels (pipeline "Number reservation", stage "Closed won (Approved)", property
 * "ODB company ID") to a system's ids. Procedures name things by label; APIs want ids. A label that matches
 * nothing, or more than one thing, is a configuration error: it fails without retry and says what exists.
 */
import { ConnectorError } from './errors';

export interface Labelled {
  id: string;
  label: string;
}

export interface LabelLookup {
  system: string;
  action: string;
  /** What is being looked up, e.g. `ticket pipeline`, and the input field it came from, e.g. `pipeline`. */
  kind: string;
  field: string;
  /** Where the lookup happened, e.g. `in ticket pipeline "Number reservation"`. */
  scope?: string;
}

/** Case and whitespace do not matter; an exact id is accepted too. */
export function resolveLabel<T extends Labelled>(lookup: LabelLookup, wanted: string, options: readonly T[]): T {
  const byId = options.find((o) => o.id === wanted);
  if (byId) return byId;
  const key = normalize(wanted);
  const what = `${lookup.kind} "${wanted}"${lookup.scope ? ` ${lookup.scope}` : ''}`;
  const matches = options.filter((o) => normalize(o.label) === key);
  if (matches.length === 1) return matches[0];
  const fail = (message: string) =>
    new ConnectorError(lookup.system, lookup.action, message, { field: lookup.field, retryable: false });
  if (matches.length > 1) {
    throw fail(`${what} is ambiguous: it matches ${matches.map((m) => `"${m.label}" (id ${m.id})`).join(', ')}`);
  }
  const close = closeMatches(wanted, options.map((o) => o.label));
  const hint = close.length ? ` Did you mean ${close.map((l) => `"${l}"`).join(' or ')}?` : '';
  const available = options.map((o) => `"${o.label}"`).join(', ') || 'none';
  throw fail(`unknown ${what}.${hint} Available: ${available}`);
}

/** Up to three labels that look like the wanted one (small edit distance, or one contains the other). */
export function closeMatches(wanted: string, labels: readonly string[]): string[] {
  const key = normalize(wanted);
  return labels
    .map((label) => {
      const candidate = normalize(label);
      const contains = candidate.includes(key) || key.includes(candidate);
      const distance = editDistance(key, candidate) / Math.max(key.length, candidate.length, 1);
      return { label, score: contains ? Math.min(distance, 0.3) : distance };
    })
    .filter((c) => c.score <= 0.4)
    .sort((a, b) => a.score - b.score)
    .slice(0, 3)
    .map((c) => c.label);
}

function normalize(label: string): string {
  return label.trim().replace(/\s+/g, ' ').toLowerCase();
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
