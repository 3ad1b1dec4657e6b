/**
 * Reads the people directory (`config/people.yaml`, or the file in `PEOPLE_FILE`) and reports every
 * mistake at once as `file:line:col: message` with a hint, like a definition: the shape (through the
 * definition language's own wording), then duplicate ids and e-mail addresses.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { didYouMean, formatIssues, sortIssues, type DefinitionIssue } from '../dsl/issues';
import { checkAgainst } from '../dsl/shape';
import { readSource } from '../dsl/source';
import { Directory, PeopleFile, type Person } from './model';

export const DEFAULT_PEOPLE_FILE = path.join(__dirname, '..', 'config', 'people.yaml');

export class DirectoryError extends Error {
  override name = 'DirectoryError';
  constructor(readonly file: string, readonly issues: DefinitionIssue[]) {
    super(`the people directory has problems:\n${formatIssues(file, issues)}`);
  }
}

/** Parses a directory's text; throws a `DirectoryError` listing every problem. */
export function parseDirectory(file: string, text: string): Directory {
  const source = readSource(file, text);
  const shape = source.data === undefined ? { issues: [] } : checkAgainst(PeopleFile, source.data);
  const issues = [...source.issues, ...shape.issues];
  if (shape.value) issues.push(...duplicates(shape.value.people));
  if (issues.length || !shape.value) {
    throw new DirectoryError(file, sortIssues(issues.map((issue) => (issue.line === undefined ? source.position(issue) : issue))));
  }
  return new Directory(shape.value.people);
}

export function loadDirectory(file = process.env.PEOPLE_FILE ?? DEFAULT_PEOPLE_FILE): Directory {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the people directory ${file}: ${(error as NodeJS.ErrnoException).code ?? String(error)} (set PEOPLE_FILE to its path)`);
  }
  return parseDirectory(path.relative(process.cwd(), file) || file, text);
}

function duplicates(people: readonly Person[]): DefinitionIssue[] {
  const issues: DefinitionIssue[] = [];
  const seen = { id: new Map<string, number>(), email: new Map<string, number>() };
  people.forEach((person, index) => {
    for (const field of ['id', 'email'] as const) {
      const value = field === 'email' ? person.email.toLowerCase() : person.id;
      const first = seen[field].get(value);
      if (first === undefined) seen[field].set(value, index);
      else {
        issues.push({
          code: 'invalid-value',
          message: `${field} '${person[field]}' is already used by person ${first + 1} (${people[first].name})`,
          path: ['people', index, field],
          hint: `each person needs their own ${field === 'id' ? 'id' : 'e-mail address'}`,
        });
      }
    }
  });
  return issues;
}

/**
 * The roles a set of processes uses that nobody in the directory holds: a task for such a role would
 * reach no one. Returned as messages naming the role, the process and the closest role people do hold.
 */
export function unheldRoles(directory: Directory, processes: Iterable<{ process: string; roles: Record<string, string>; 'incident-role'?: string }>): string[] {
  const held = directory.roles();
  const problems: string[] = [];
  for (const definition of processes) {
    const roles = new Set([...Object.keys(definition.roles), definition['incident-role'] ?? 'admin']);
    for (const role of roles) {
      if (held.includes(role)) continue;
      const hint = didYouMean(role, held);
      problems.push(`role '${role}' of process '${definition.process}' is held by nobody in the people directory${hint ? ` (${hint})` : ''}`);
    }
  }
  return problems;
}
