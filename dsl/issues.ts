/**
 * Problems found in a definition: data first (code, path, position, hint), words second. Every stage of
 * the pipeline returns a list of these instead of throwing, so a file's problems are reported all at once;
 * `formatIssues` is the only place that turns them into text.
 */

export type IssueCode =
  | 'yaml-syntax'
  | 'unknown-key'
  | 'wrong-type'
  | 'missing-field'
  | 'invalid-value'
  | 'step-kind'
  | 'duplicate-step'
  | 'unknown-step'
  | 'unreachable-step'
  | 'endless-loop'
  | 'unknown-action'
  | 'bad-arguments'
  | 'unknown-role'
  | 'unknown-stage'
  | 'unknown-deadline'
  | 'unknown-process'
  | 'bad-expression'
  | 'bad-duration'
  | 'unknown-calendar'
  | 'no-outcomes'
  | 'bad-form'
  | 'yaml-alias'
  | 'misplaced-timing'
  | 'conflicting-target'
  | 'unknown-variable'
  | 'unknown-function'
  | 'unknown-template'
  | 'unknown-event'
  | 'unknown-field';

export type Path = (string | number)[];

export interface DefinitionIssue {
  code: IssueCode;
  /** A warning is reported but does not stop the definition from compiling; default `error`. */
  severity?: 'error' | 'warning';
  message: string;
  /** Where in the document: keys and list indexes from the root. */
  path: Path;
  /** Point at the key itself rather than its value (unknown keys). */
  atKey?: boolean;
  /** Characters into the value, for problems inside an expression. */
  offset?: number;
  hint?: string;
  /** Filled in by the loader from the YAML source. */
  line?: number;
  col?: number;
}

function formatIssue(file: string, issue: DefinitionIssue): string {
  const where = issue.line === undefined ? file : `${file}:${issue.line}:${issue.col}`;
  return `${where}: ${issue.severity === 'warning' ? 'warning: ' : ''}${issue.message}` + (issue.hint ? `\n  hint: ${issue.hint}` : '');
}

/** Sorted by position, one per line (hints indented under their problem). */
export function formatIssues(file: string, issues: readonly DefinitionIssue[]): string {
  return sortIssues(issues).map((issue) => formatIssue(file, issue)).join('\n');
}

export function sortIssues(issues: readonly DefinitionIssue[]): DefinitionIssue[] {
  return [...issues].sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
}

/** "did you mean ...?" for a misspelt name, or undefined when nothing is close. */
export function didYouMean(word: string, candidates: Iterable<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const distance = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) [best, bestDistance] = [candidate, distance];
  }
  const tolerated = Math.max(2, Math.floor(word.length / 3));
  return best !== undefined && bestDistance <= tolerated ? `did you mean '${best}'?` : undefined;
}

/** A hint naming the closest candidate, or listing the choices when none is close. */
export function suggest(word: string, candidates: readonly string[], what: string): string {
  const close = didYouMean(word, candidates);
  if (close) return close;
  return candidates.length ? `known ${what}: ${candidates.join(', ')}` : `no ${what} are declared`;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length];
}
