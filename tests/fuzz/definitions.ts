/**
 * The compiler's fuzzing harness (fast-check), shared by the suite's short run
 * (tests/definitions.fuzz.test.ts) and the long one (`npm run fuzz`, scripts/fuzz.ts).
 *
 * It feeds the compiler (dsl/) definitions of four kinds: the shipped ones mutated as text (characters,
 * lines, indentation), the shipped ones mutated as data (values replaced, keys dropped or added, then
 * written back as YAML), YAML built from arbitrary values, and YAML alias constructs (aliases that point
 * nowhere, aliases inside the node they name, alias bombs). Whatever it gets, the compiler must return a
 * list of issues, each with a `file:line:col` position, within 2 seconds, and never throw.
 */
import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import { catalogue } from '../../activities';
import { compileAll } from '../../dsl/compile';
import type { DefinitionIssue } from '../../dsl/issues';

/** No definition may take longer than this to compile, whatever is in it. */
export const TIME_LIMIT_MS = 2000;

const DEFINITIONS_DIR = path.join(__dirname, '..', '..', 'definitions');

/** The shipped definitions: the seeds every mutation starts from. */
export const shipped: readonly string[] = readdirSync(DEFINITIONS_DIR)
  .filter((name) => name.endsWith('.yaml'))
  .map((name) => readFileSync(path.join(DEFINITIONS_DIR, name), 'utf8'));

/** Characters that mean something to YAML, JSONata or the language, mixed in more often than chance would. */
const SIGNIFICANT = [':', '-', ' ', '  ', '\n', '&', '*', '!', '|', '>', '{', '}', '[', ']', ',', '#', "'", '"', '=', '%', '@', '`', '?', '\t', '\\', '<<', '${', '{{', '}}', '~', 'null', '0x', '1e9'];
const fragment = fc.oneof(fc.constantFrom(...SIGNIFICANT), fc.string({ maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 4 }));

type TextEdit = (text: string) => string;

const textEdit: fc.Arbitrary<TextEdit> = fc.oneof(
  fc.tuple(fc.nat(), fragment).map(([at, inserted]): TextEdit => (text) => text.slice(0, at % (text.length + 1)) + inserted + text.slice(at % (text.length + 1))),
  fc.tuple(fc.nat(), fc.integer({ min: 1, max: 40 })).map(([at, length]): TextEdit => (text) => text.slice(0, at % (text.length + 1)) + text.slice((at % (text.length + 1)) + length)),
  fc.tuple(fc.nat(), fc.nat()).map(([a, b]): TextEdit => (text) => {
    const lines = text.split('\n');
    const [i, j] = [a % lines.length, b % lines.length];
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return lines.join('\n');
  }),
  fc.tuple(fc.nat(), fc.integer({ min: -4, max: 4 })).map(([a, shift]): TextEdit => (text) => {
    const lines = text.split('\n');
    const i = a % lines.length;
    lines[i] = shift >= 0 ? ' '.repeat(shift) + lines[i] : lines[i].replace(new RegExp(`^ {0,${-shift}}`), '');
    return lines.join('\n');
  }),
  fc.nat().map((a): TextEdit => (text) => {
    const lines = text.split('\n');
    const i = a % lines.length;
    return [...lines.slice(0, i + 1), lines[i], ...lines.slice(i + 1)].join('\n');
  }),
  fc.nat().map((at): TextEdit => (text) => text.slice(0, at % (text.length + 1))),
);

/** A shipped definition with a few text edits. */
const mutatedText = fc.tuple(fc.constantFrom(...shipped), fc.array(textEdit, { minLength: 1, maxLength: 6 })).map(([text, edits]) => edits.reduce((t, edit) => edit(t), text));

/** Any JSON-like value, the kind a careless author might put anywhere. */
const jsonValue = fc.oneof(
  { depthSize: 'small' },
  fc.jsonValue({ maxDepth: 3 }),
  fc.constantFrom('=input.', '=', '= ]', '{{', '3 business days', '-1 days', 'P1D', '', 'null', '*', 'end', 'next'),
);

type Tree = unknown;

/** Every path into a parsed document, so a mutation can pick one. */
function paths(value: Tree, prefix: (string | number)[] = [], out: (string | number)[][] = []): (string | number)[][] {
  out.push(prefix);
  if (Array.isArray(value)) value.forEach((item, i) => paths(item, [...prefix, i], out));
  else if (value && typeof value === 'object') for (const [key, item] of Object.entries(value)) paths(item, [...prefix, key], out);
  return out;
}

function mutateAt(tree: Tree, at: (string | number)[], change: (value: Tree) => Tree | typeof REMOVE): Tree {
  if (at.length === 0) {
    const changed = change(tree);
    return changed === REMOVE ? null : changed;
  }
  const [head, ...rest] = at;
  if (Array.isArray(tree)) {
    const copy = [...tree];
    const changed = rest.length ? mutateAt(copy[head as number], rest, change) : change(copy[head as number]);
    if (changed === REMOVE) copy.splice(head as number, 1);
    else copy[head as number] = changed;
    return copy;
  }
  const copy = { ...(tree as Record<string, Tree>) };
  const changed = rest.length ? mutateAt(copy[head as string], rest, change) : change(copy[head as string]);
  if (changed === REMOVE) delete copy[head as string];
  else copy[head as string] = changed;
  return copy;
}
const REMOVE = Symbol('remove');

type DataEdit = { pick: number; change: (value: Tree) => Tree | typeof REMOVE };
const dataEdit: fc.Arbitrary<DataEdit> = fc.record({
  pick: fc.nat(),
  change: fc.oneof(
    jsonValue.map((replacement) => () => replacement),
    fc.constant(() => REMOVE),
    fc.tuple(fc.constantFrom('id', 'next', 'when', 'call', 'task', 'deadline', 'role', 'wait', 'parallel', 'for-each', 'x'), jsonValue).map(([key, value]) => (tree: Tree) =>
      tree && typeof tree === 'object' && !Array.isArray(tree) ? { ...tree, [key]: value } : tree,
    ),
    fc.constant((tree: Tree) => (Array.isArray(tree) ? [...tree, ...tree] : tree)),
  ),
});

/** A shipped definition changed as data (values, keys, list items), written back as YAML. */
const mutatedData = fc.tuple(fc.constantFrom(...shipped), fc.array(dataEdit, { minLength: 1, maxLength: 5 })).map(([text, edits]) => {
  let tree: Tree = parse(text);
  for (const edit of edits) {
    const all = paths(tree);
    tree = mutateAt(tree, all[edit.pick % all.length], edit.change);
  }
  return stringify(tree);
});

/** YAML from arbitrary values, with the top-level keys of a definition more likely than chance. */
const generated = fc
  .record(
    {
      process: fc.oneof(fc.string(), fc.constant('fuzzed')),
      version: fc.oneof(fc.integer(), fc.string()),
      title: fc.string(),
      roles: fc.dictionary(fc.string({ maxLength: 6 }), fc.string({ maxLength: 10 }), { maxKeys: 3 }),
      steps: fc.array(fc.dictionary(fc.constantFrom('id', 'task', 'call', 'wait', 'branch', 'set', 'next', 'end', 'parallel', 'with'), jsonValue, { maxKeys: 4 }), { maxLength: 5 }),
    },
    { requiredKeys: [] },
  )
  .chain((base) => fc.dictionary(fc.string({ maxLength: 8 }), jsonValue, { maxKeys: 3 }).map((extra) => stringify({ ...extra, ...base })));

/** Alias constructs: undefined, self-referential and exponential aliases, placed among real content. */
const aliasCases = fc.oneof(
  fc.constantFrom(
    'process: a\nversion: 1\nsteps: *nowhere\n',
    'process: a\nversion: 1\nsteps: &s [ { id: x, parallel: { b: *s } } ]\n',
    'a: &a [*a]\n',
    'a: &a { b: *a }\n',
    '<<: *missing\nprocess: a\n',
    'process: a\nversion: 1\nroles: &r { x: y }\nsteps: [ { <<: *r, id: s } ]\n',
    'a: &a ["x","x","x","x","x","x","x","x","x"]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n',
    '&a a: *a\n',
    '? &k [*k]\n: v\n',
    'x: !!binary "%%%"\n',
    'x: !unknown-tag 1\n',
    '%YAML 9.9\n---\nprocess: a\n',
    '---\na: 1\n---\nb: 2\n',
  ),
  fc.tuple(fc.constantFrom(...shipped), fc.nat(), fc.constantFrom('*nowhere', '&anchor', '*anchor', '&a [*a]', '<<: *x')).map(([text, at, alias]) => {
    const lines = text.split('\n');
    const i = at % lines.length;
    lines[i] = lines[i].replace(/(:\s*)(\S.*)?$/, (_m, colon: string) => `${colon}${alias}`);
    return lines.join('\n');
  }),
  // An alias bomb of any depth and width.
  fc.tuple(fc.integer({ min: 2, max: 12 }), fc.integer({ min: 2, max: 20 })).map(([depth, width]) => {
    const levels = [`l0: &l0 [${Array(width).fill('"lol"').join(',')}]`];
    for (let d = 1; d < depth; d++) levels.push(`l${d}: &l${d} [${Array(width).fill(`*l${d - 1}`).join(',')}]`);
    return `process: bomb\nversion: 1\n${levels.join('\n')}\nsteps: *l${depth - 1}\n`;
  }),
);

/** Everything the harness feeds the compiler. */
export const definitionText: fc.Arbitrary<string> = fc.oneof(mutatedText, mutatedData, generated, aliasCases, fc.string({ maxLength: 200 }));

/** Compiles the shipped definitions once, untimed: the first compile loads calendars and libraries. */
export async function warmUp(): Promise<void> {
  await compileAll(shipped.map((text, i) => ({ file: `shipped-${i}.yaml`, text })), catalogue);
}

/** What went wrong with one input, or undefined when the compiler behaved. */
export async function misbehaviour(text: string): Promise<string | undefined> {
  const started = performance.now();
  let issues: DefinitionIssue[];
  try {
    const [result] = await compileAll([{ file: 'fuzzed.yaml', text }], catalogue);
    issues = [...result.issues, ...result.warnings];
  } catch (err) {
    return `the compiler threw: ${(err as Error).stack ?? String(err)}`;
  }
  const elapsed = performance.now() - started;
  if (elapsed > TIME_LIMIT_MS) return `compiling took ${Math.round(elapsed)} ms (limit ${TIME_LIMIT_MS} ms)`;
  const unplaced = issues.filter((issue) => !(Number.isInteger(issue.line) && Number.isInteger(issue.col) && issue.line! >= 1 && issue.col! >= 1));
  if (unplaced.length) return `issues without a line and column: ${JSON.stringify(unplaced)}`;
  return undefined;
}

/** The property: whatever the text, the compiler answers with positioned issues, in time, without throwing. */
export function compilerProperty(): fc.IAsyncPropertyWithHooks<[string]> {
  return fc.asyncProperty(definitionText, async (text) => {
    const problem = await misbehaviour(text);
    if (problem) throw new Error(problem);
  });
}
