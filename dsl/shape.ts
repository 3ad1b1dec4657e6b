/**
 * Checks a definition's data against the model (`model.ts`) and words every zod issue for a person:
 * "unknown key 'tsk'" with a did-you-mean, "missing required field 'outcomes'", "expected a number,
 * found text" — never a raw schema path.
 */
import { z } from 'zod';
import { Definition } from './model';
import { didYouMean, type DefinitionIssue, type Path } from './issues';

export function checkShape(data: unknown): { definition?: Definition; issues: DefinitionIssue[] } {
  const { value, issues } = checkAgainst(Definition, data);
  return { definition: value, issues };
}

/** The same wording for any other file the project reads with positions (the people directory). */
export function checkAgainst<T>(schema: z.ZodType<T>, data: unknown): { value?: T; issues: DefinitionIssue[] } {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return { value: result.data, issues: [] };
  return { issues: result.error.issues.flatMap((issue) => describeIssue(issue as ZodIssue, schema)) };
}

type ZodIssue = z.core.$ZodIssue & { input?: unknown; keys?: string[]; values?: unknown[]; minimum?: number | bigint; origin?: string; issues?: ZodIssue[] };

function describeIssue(issue: ZodIssue, root: z.core.$ZodType): DefinitionIssue[] {
  const path = issue.path as Path;
  const field = path.length ? String(path[path.length - 1]) : 'the definition';
  switch (issue.code) {
    case 'unrecognized_keys':
      return (issue.keys ?? []).map((key) => ({
        code: 'unknown-key',
        message: `unknown key '${key}'${path.length ? ` in ${describePath(path)}` : ''}`,
        path: [...path, key],
        atKey: true,
        hint: didYouMean(key, allowedKeys(root, path)) ?? `allowed keys: ${allowedKeys(root, path).join(', ')}`,
      }));
    case 'invalid_type':
      if (issue.input === undefined) {
        return [{ code: 'missing-field', message: `missing required field '${field}'${path.length > 1 ? ` in ${describePath(path.slice(0, -1))}` : ''}`, path: path.slice(0, -1) }];
      }
      return [{ code: 'wrong-type', message: `'${field}' must be ${article(issue.expected)}, found ${kindOf(issue.input)}`, path }];
    case 'invalid_value':
      return [{
        code: 'invalid-value',
        message: `'${field}' must be one of ${(issue.values ?? []).map((v) => JSON.stringify(v)).join(', ')}, found ${JSON.stringify(issue.input)}`,
        path,
        hint: typeof issue.input === 'string' ? didYouMean(issue.input, (issue.values ?? []).map(String)) : undefined,
      }];
    case 'too_small':
      return [{
        code: field === 'outcomes' ? 'no-outcomes' : 'invalid-value',
        message: issue.origin === 'array' ? `'${field}' needs at least ${issue.minimum} item(s)` : `'${field}' must be at least ${issue.minimum}`,
        path,
      }];
    case 'invalid_format':
      return [{ code: 'invalid-value', message: `'${field}' is not valid: ${issue.message}`, path }];
    case 'invalid_key':
      return [{ code: 'invalid-value', message: `'${field}' is not a valid name: ${issue.issues?.[0]?.message ?? issue.message}`, path, atKey: true }];
    default:
      return [{ code: 'invalid-value', message: `'${field}': ${issue.message}`, path }];
  }
}

function describePath(path: Path): string {
  if (path[0] === 'steps' && typeof path[1] === 'number') {
    const rest = path.slice(2);
    return `step ${Number(path[1]) + 1}${rest.length ? ` (${rest.join('.')})` : ''}`;
  }
  return path.join('.');
}

function article(expected: string): string {
  return { string: 'text', number: 'a number', boolean: 'true or false', array: 'a list', object: 'a mapping', record: 'a mapping' }[expected] ?? expected;
}

function kindOf(value: unknown): string {
  if (value === null) return 'nothing (null)';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  if (typeof value === 'string') return `text '${value}'`;
  return `${typeof value === 'number' ? 'the number' : typeof value} ${String(value)}`;
}

/** The keys the model allows at a path, found by walking the schema itself. */
function allowedKeys(root: z.core.$ZodType, path: Path): string[] {
  let schema: z.core.$ZodType | undefined = root;
  for (const segment of [...path, undefined]) {
    schema = unwrap(schema);
    const def = schema?._zod.def as { type: string; shape?: Record<string, z.core.$ZodType>; element?: z.core.$ZodType; valueType?: z.core.$ZodType } | undefined;
    if (segment === undefined) return def?.shape ? Object.keys(def.shape) : [];
    if (def?.type === 'object') schema = def.shape?.[String(segment)];
    else if (def?.type === 'array') schema = def.element;
    else if (def?.type === 'record') schema = def.valueType;
    else return [];
  }
  return [];
}

function unwrap(schema: z.core.$ZodType | undefined): z.core.$ZodType | undefined {
  let current = schema;
  for (;;) {
    const def = current?._zod.def as { type: string; innerType?: z.core.$ZodType; getter?: () => z.core.$ZodType } | undefined;
    if (def?.type === 'optional' || def?.type === 'default' || def?.type === 'nullable') current = def.innerType;
    else if (def?.type === 'lazy') current = def.getter?.();
    else return current;
  }
}
