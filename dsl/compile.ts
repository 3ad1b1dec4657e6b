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
import { checkShape, type ShapeResult } from './shape';
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
  /** Errors, sorted by position; empty when the definition compiled. */
  issues: DefinitionIssue[];
  /** Warnings, sorted by position: reported, but the definition compiles. */
  warnings: DefinitionIssue[];
}

/**
 * Compiles a set of definitions together, so that `subprocess:` steps can refer to the others.
 * Every file's problems are returned, all at once.
 */
export async function compileAll(files: readonly SourceFile[], actions: ActionCatalogue): Promise<CompileResult[]> {
  const parsed = files.map((source) => {
    const read = readSource(source.file, source.text);
    const shape: ShapeResult = read.data === undefined ? { issues: [] } : checkShape(read.data);
    return { read, ...shape };
  });
  const processes = new Set(parsed.flatMap((p) => (p.definition ? [p.definition.process] : [])));
  const processInputs = new Map(parsed.flatMap((p) => (p.definition ? [[p.definition.process, p.definition.input] as const] : [])));
  const context = { actions, processes, processInputs, calendars: calendarNames() };

  const valid = new Map<string, Definition>();
  const results = parsed.map(({ read, definition, issues, salvaged }) => {
    const checked = definition ?? salvaged;
    // On a salvaged definition, reachability and loops depend on the parts taken out: guessing them is noise.
    const semantic = checked ? checkDefinition(checked, context).filter((i) => definition || (i.code !== 'unreachable-step' && i.code !== 'endless-loop')) : [];
    const found = [...read.issues, ...issues, ...semantic].map((issue) => (issue.line === undefined ? read.position(issue) : issue));
    const all = found.filter((issue) => issue.severity !== 'warning');
    const warnings = sortIssues(found.filter((issue) => issue.severity === 'warning'));
    if (definition && all.length === 0) valid.set(definition.process, definition);
    return { file: read.file, definition, issues: sortIssues(all), warnings };
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
      if (!result.definition || result.issues.length) return { file: result.file, issues: result.issues, warnings: result.warnings };
      const definition = await build(result.definition.process, []);
      if (!definition) {
        return {
          file: result.file,
          issues: [{ code: 'unknown-process' as const, message: `process '${result.definition.process}' starts itself through its subprocesses, or a subprocess does not compile`, path: [] }],
          warnings: result.warnings,
        };
      }
      return { file: result.file, definition, issues: [], warnings: result.warnings };
    }),
  );
}

/**
 * The file and the files of the processes it starts through `subprocess:` steps, transitively, among
 * `candidates`: what compiling that one file needs (the diagram command compiles no more). Only the YAML is
 * read here; a candidate that does not parse is simply not a match.
 */
export function filesNeededBy(file: SourceFile, candidates: readonly SourceFile[]): SourceFile[] {
  const byProcess = new Map<string, SourceFile>();
  for (const candidate of candidates) {
    const data = readSource(candidate.file, candidate.text).data as { process?: unknown } | undefined;
    if (typeof data?.process === 'string' && !byProcess.has(data.process)) byProcess.set(data.process, candidate);
  }
  const needed = [file];
  for (let i = 0; i < needed.length; i++) {
    const data = readSource(needed[i].file, needed[i].text).data as { steps?: unknown } | undefined;
    for (const name of subprocessesIn(data?.steps)) {
      const child = byProcess.get(name);
      if (child && !needed.includes(child)) needed.push(child);
    }
  }
  return needed;
}

function subprocessesIn(steps: unknown): string[] {
  if (!Array.isArray(steps)) return [];
  return steps.flatMap((step) => {
    if (step === null || typeof step !== 'object') return [];
    const { subprocess, parallel, 'for-each': forEach } = step as { subprocess?: unknown; parallel?: unknown; 'for-each'?: { steps?: unknown } };
    const nested = [
      ...(parallel && typeof parallel === 'object' ? Object.values(parallel).flatMap(subprocessesIn) : []),
      // A subprocess run per item of a for-each (e.g. one number reservation per country).
      ...(forEach && typeof forEach === 'object' ? subprocessesIn(forEach.steps) : []),
    ];
    return [...(typeof subprocess === 'string' ? [subprocess] : []), ...nested];
  });
}

/** Compiles one definition on its own (its subprocesses, if any, must be compiled with `compileAll`). */
export async function compileOne(file: SourceFile, actions: ActionCatalogue): Promise<CompileResult> {
  return (await compileAll([file], actions))[0];
}

async function seal(definition: Definition, subprocesses: Record<string, CompiledDefinition>): Promise<CompiledDefinition> {
  const calendars: Record<string, CalendarSnapshot> = {};
  for (const name of calendarsUsed(definition)) calendars[name] = snapshotCalendar(name);
  const input = definition.input === undefined ? undefined : closeObjects(definition.input);
  const body = { ...definition, ...(input ? { input } : {}), calendars, subprocesses };
  return { ...body, hash: await sha256(canonicalJson(body)) };
}

/**
 * A start input's schema refuses fields it does not declare (a misspelt `partnerKye` is an error at start,
 * not a silently missing value): every object schema with `properties` and no `additionalProperties` of its
 * own gets `additionalProperties: false`. A schema that says otherwise, or combines others (`allOf`, ...,
 * where closing one part would refuse the other's fields), is left as written.
 */
function closeObjects(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...schema };
  const properties = schema.properties;
  if (properties && typeof properties === 'object' && !Array.isArray(properties)) {
    out.properties = Object.fromEntries(
      Object.entries(properties).map(([key, value]) => [key, value && typeof value === 'object' && !Array.isArray(value) ? closeObjects(value as Record<string, unknown>) : value]),
    );
    const combined = ['allOf', 'anyOf', 'oneOf', 'unevaluatedProperties', 'patternProperties'].some((key) => key in schema);
    if (!('additionalProperties' in schema) && !combined) out.additionalProperties = false;
  }
  const items = schema.items;
  if (items && typeof items === 'object' && !Array.isArray(items)) out.items = closeObjects(items as Record<string, unknown>);
  return out;
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
    if (step.review?.['on-return']) yield* allSteps(step.review['on-return']);
    if (step.review?.['on-resubmit']) yield* allSteps(step.review['on-resubmit']);
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
