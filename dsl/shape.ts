/**
 * Checks a definition's data against the model (`model.ts`) and words every zod issue for a person:
 * "unknown key 'tsk'" with a did-you-mean, "missing required field 'outcomes'", "expected a number,
 * found text" — never a raw schema path.
 */
import { z } from 'zod';
import { Definition, STEP_KINDS } from './model';
import { didYouMean, type DefinitionIssue, type Path } from './issues';

export interface ShapeResult {
  definition?: Definition;
  issues: DefinitionIssue[];
  /**
   * When the shape is wrong: the definition with its broken parts taken out (a misspelt key dropped, a broken
   * step reduced to its id), so that the other checks still run on the rest and a file's problems are all
   * reported at once. Never compiled.
   */
  salvaged?: Definition;
}

export function checkShape(data: unknown): ShapeResult {
  const result = Definition.safeParse(data, { reportInput: true });
  if (result.success) return { definition: result.data, issues: [] };
  return { issues: result.error.issues.flatMap((issue) => describeIssue(issue as ZodIssue, Definition)), salvaged: salvage(data, result.error.issues) };
}

/** The same wording for any other file the project reads with positions (the people directory). */
export function checkAgainst<T>(schema: z.ZodType<T>, data: unknown): { value?: T; issues: DefinitionIssue[] } {
  const result = schema.safeParse(data, { reportInput: true });
  if (result.success) return { value: result.data, issues: [] };
  return { issues: result.error.issues.flatMap((issue) => describeIssue(issue as ZodIssue, schema)) };
}

/** Fills for required top-level fields that are missing or broken, so that the steps can still be checked. */
const TOP_LEVEL_FILLS: Record<string, () => unknown> = {
  process: () => 'unnamed',
  version: () => 1,
  title: () => '',
  roles: () => ({}),
  steps: () => [{ id: 'start', end: 'completed' }],
};

function salvage(data: unknown, first: readonly z.core.$ZodIssue[]): Definition | undefined {
  if (data === null || typeof data !== 'object' || Array.isArray(data)) return undefined;
  const root = structuredClone(data) as Record<string, unknown>;
  let issues = first;
  for (let round = 0; round < 6; round++) {
    // First drop the offending keys; what still fails after two rounds loses its whole step.
    for (const issue of issues) prune(root, issue, round >= 2);
    const again = Definition.safeParse(root);
    if (again.success) return again.data;
    issues = again.error.issues;
  }
  return undefined;
}

function prune(root: Record<string, unknown>, issue: z.core.$ZodIssue, wholeStep: boolean) {
  const path = issue.path as Path;
  const keys = issue.code === 'unrecognized_keys' ? (issue as { keys: string[] }).keys.map((key) => [...path, key]) : [path];
  for (const target of keys) {
    const step = stepPrefix(target);
    if (step && (wholeStep || target.length === step.length)) {
      const original = valueAt(root, step) as { id?: unknown } | undefined;
      const id = typeof original?.id === 'string' && /^[a-z][a-z0-9-]*$/.test(original.id) ? original.id : `broken-step-${step.join('-')}`;
      setAt(root, step, { id, set: {} });
    } else if (target.length === 1 && TOP_LEVEL_FILLS[String(target[0])]) {
      root[String(target[0])] = TOP_LEVEL_FILLS[String(target[0])]();
    } else if (target.length === 0) {
      for (const [key, fill] of Object.entries(TOP_LEVEL_FILLS)) if (!(key in root)) root[key] = fill();
    } else if (issue.code === 'invalid_type' && (issue as { input?: unknown }).input === undefined && step) {
      // A required field of a step's part is missing: the step cannot be read as written.
      const original = valueAt(root, step) as { id?: unknown } | undefined;
      setAt(root, step, { id: typeof original?.id === 'string' ? original.id : `broken-step-${step.join('-')}`, set: {} });
    } else {
      deleteAt(root, target);
      // A step whose kind key was the misspelt one would now be reported as doing nothing: noise.
      const left = step && valueAt(root, step);
      if (left && typeof left === 'object' && !STEP_KINDS.some((kind) => kind in left)) (left as Record<string, unknown>).set = {};
    }
  }
}

/** The path of the innermost step that contains a path (`steps.2` or `steps.2.parallel.a.0`), if any. */
function stepPrefix(path: Path): Path | undefined {
  let found: Path | undefined;
  for (let i = 0; i < path.length - 1; i++) {
    if ((path[i] === 'steps' && i === 0) || (path[i - 1] === 'parallel' && typeof path[i] === 'string')) {
      if (typeof path[i + 1] === 'number') found = path.slice(0, i + 2);
    }
  }
  return found;
}

function valueAt(root: unknown, path: Path): unknown {
  return path.reduce<unknown>((node, key) => (node !== null && typeof node === 'object' ? (node as Record<string, unknown>)[key as string] : undefined), root);
}

function setAt(root: unknown, path: Path, value: unknown) {
  const parent = valueAt(root, path.slice(0, -1));
  if (parent !== null && typeof parent === 'object') (parent as Record<string | number, unknown>)[path[path.length - 1]] = value;
}

function deleteAt(root: unknown, path: Path) {
  const parent = valueAt(root, path.slice(0, -1));
  if (parent === null || typeof parent !== 'object') return;
  if (Array.isArray(parent)) parent.splice(Number(path[path.length - 1]), 1);
  else delete (parent as Record<string, unknown>)[path[path.length - 1] as string];
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
