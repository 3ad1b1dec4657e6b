/**
 * The definition pipeline: YAML with positions → shape (zod) → semantic checks → compiled plain JSON with
 * a content hash. The compiled form is what a workflow receives as input, so each instance keeps the exact
 * definition (and the holiday data of its calendars) it started with.
 */
import type { ActionCatalogue } from '../activities/shared/action';
import type { CalendarSnapshot } from './calendar';
import { calendarNames, snapshotCalendar } from './calendar-data';
import { checkDefinition } from './checks';
import { sortIssues, type DefinitionIssue } from './issues';
import type { Definition, Step } from './model';
import { checkShape } from './shape';
import { readSource } from './source';

export interface CompiledDefinition extends Definition {
  /** SHA-256 of the compiled form (without this field): identifies the exact version an instance runs. */
  hash: string;
  /** Holiday snapshots of every calendar the definition uses, so replays never see newer holiday data. */
  calendars: Record<string, CalendarSnapshot>;
  /** Compiled definitions of the processes started by `subprocess:` steps. */
  subprocesses: Record<string, CompiledDefinition>;
}

export interface SourceFile {
  file: string;
  text: string;
}

export interface CompileResult {
  file: string;
  definition?: CompiledDefinition;
  /** Sorted by position; empty when the definition compiled. */
  issues: DefinitionIssue[];
}

/**
 * Compiles a set of definitions together, so that `subprocess:` steps can refer to the others.
 * Every file's problems are returned, all at once.
 */
export async function compileAll(files: readonly SourceFile[], actions: ActionCatalogue): Promise<CompileResult[]> {
  const parsed = files.map((source) => {
    const read = readSource(source.file, source.text);
    const shape = read.data === undefined ? { issues: [] } : checkShape(read.data);
    return { read, ...shape };
  });
  const processes = new Set(parsed.flatMap((p) => (p.definition ? [p.definition.process] : [])));
  const processInputs = new Map(parsed.flatMap((p) => (p.definition ? [[p.definition.process, p.definition.input] as const] : [])));
  const context = { actions, processes, processInputs, calendars: calendarNames() };

  const valid = new Map<string, Definition>();
  const results = parsed.map(({ read, definition, issues }) => {
    const all = [...read.issues, ...issues, ...(definition ? checkDefinition(definition, context) : [])];
    if (definition && all.length === 0) valid.set(definition.process, definition);
    return { file: read.file, definition, issues: sortIssues(all.map((issue) => (issue.line === undefined ? read.position(issue) : issue))) };
  });

  const compiled = new Map<string, CompiledDefinition>();
  const build = async (name: string, chain: string[]): Promise<CompiledDefinition | undefined> => {
    if (compiled.has(name)) return compiled.get(name);
    const definition = valid.get(name);
    if (!definition || chain.includes(name)) return undefined;
    const subprocesses: Record<string, CompiledDefinition> = {};
    for (const child of subprocessNames(definition.steps)) {
      const childCompiled = await build(child, [...chain, name]);
      if (!childCompiled) return undefined;
      subprocesses[child] = childCompiled;
    }
    const result = await seal(definition, subprocesses);
    compiled.set(name, result);
    return result;
  };

  return Promise.all(
    results.map(async (result) => {
      if (!result.definition || result.issues.length) return { file: result.file, issues: result.issues };
      const definition = await build(result.definition.process, []);
      if (!definition) {
        return {
          file: result.file,
          issues: [{ code: 'unknown-process' as const, message: `process '${result.definition.process}' starts itself through its subprocesses, or a subprocess does not compile`, path: [] }],
        };
      }
      return { file: result.file, definition, issues: [] };
    }),
  );
}

/** Compiles one definition on its own (its subprocesses, if any, must be compiled with `compileAll`). */
export async function compileOne(file: SourceFile, actions: ActionCatalogue): Promise<CompileResult> {
  return (await compileAll([file], actions))[0];
}

async function seal(definition: Definition, subprocesses: Record<string, CompiledDefinition>): Promise<CompiledDefinition> {
  const calendars: Record<string, CalendarSnapshot> = {};
  for (const name of calendarsUsed(definition)) calendars[name] = snapshotCalendar(name);
  const body = { ...definition, calendars, subprocesses };
  return { ...body, hash: await sha256(canonicalJson(body)) };
}

function calendarsUsed(definition: Definition): Set<string> {
  const names = new Set<string>();
  if (definition.calendar) names.add(definition.calendar);
  for (const deadline of Object.values(definition.deadlines ?? {})) if (deadline.calendar) names.add(deadline.calendar);
  for (const step of allSteps(definition.steps)) if (step.calendar) names.add(step.calendar);
  return names;
}

function* allSteps(steps: readonly Step[]): Generator<Step> {
  for (const step of steps) {
    yield step;
    for (const branch of Object.values(step.parallel ?? {})) yield* allSteps(branch);
    if (step['for-each']) yield* allSteps(step['for-each'].steps);
  }
}

function subprocessNames(steps: readonly Step[]): Set<string> {
  return new Set([...allSteps(steps)].flatMap((s) => (s.subprocess ? [s.subprocess] : [])));
}

/** JSON with object keys sorted, so the hash depends on content, not on key order. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v,
  );
}

/** Web Crypto keeps this module free of Node built-ins. */
async function sha256(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}
