/**
 * The definition language, as an author meets it: every construct compiles into plain JSON with a content
 * hash, and every mistake is reported at its exact place with a message and a hint a person can act on.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { catalogue } from '../activities';
import { compileFiles, definitionFiles } from '../client/definitions';
import { compileAll } from '../dsl/compile';
import { toMermaid } from '../dsl/diagram';
import { formatIssues } from '../dsl/issues';
import { definitionJsonSchema } from '../dsl/json-schema';
import { STEP_KINDS } from '../dsl/model';

const fixtures = path.join(__dirname, 'fixtures');
const processes = ['every-construct.yaml', 'number-reservation.yaml'].map((f) => path.join(fixtures, 'processes', f));

async function problemsIn(name: string): Promise<string> {
  const file = path.join(fixtures, 'malformed', name);
  const [result] = await compileAll([{ file, text: readFileSync(file, 'utf8') }], catalogue);
  return formatIssues(name, result.issues);
}

describe('a definition using every construct', () => {
  it('compiles to plain JSON with a content hash and the holiday data of its calendar', async () => {
    const [parent, child] = await compileFiles(processes);
    expect(parent.issues).toEqual([]);
    expect(child.issues).toEqual([]);
    const compiled = parent.definition!;
    expect(compiled.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(JSON.parse(JSON.stringify(compiled))).toEqual(compiled);
    expect(compiled.calendars.hk.holidays.length).toBeGreaterThan(100);
    expect(compiled.subprocesses['number-reservation'].hash).toBe(child.definition!.hash);
  });

  it('uses each kind of step, so the test above covers the whole language', () => {
    const text = readFileSync(processes[0], 'utf8');
    for (const kind of STEP_KINDS) expect(text).toMatch(new RegExp(`^\\s+(- )?${kind}:`, 'm'));
    for (const construct of ['deadline:', 'remind:', 'escalate:', 'max-rounds:', 'form:', 'outcomes:', 'stage:', 'retry:']) expect(text).toContain(construct);
  });

  it('keeps the same hash when compiled again, and a different one when a word changes', async () => {
    const [first] = await compileFiles(processes);
    const [again] = await compileFiles(processes);
    expect(again.definition!.hash).toBe(first.definition!.hash);
    const text = readFileSync(processes[0], 'utf8').replace('Provision the service', 'Provision the services');
    const [changed] = await compileAll([{ file: 'x.yaml', text }, { file: processes[1], text: readFileSync(processes[1], 'utf8') }], catalogue);
    expect(changed.definition!.hash).not.toBe(first.definition!.hash);
  });
});

describe('the shipped definitions', () => {
  it('all compile', async () => {
    const results = await compileFiles(await definitionFiles());
    expect(results.length).toBeGreaterThan(0);
    expect(results.map((r) => formatIssues(r.file, r.issues)).filter(Boolean)).toEqual([]);
  });

  it('publish a JSON Schema that matches the model (run `npm run schema` after changing dsl/model.ts)', () => {
    const published = JSON.parse(readFileSync(path.join(__dirname, '..', 'definitions', 'schema.json'), 'utf8'));
    expect(published).toEqual(definitionJsonSchema());
  });
});

describe('a malformed definition', () => {
  it.each([
    ['yaml-syntax.yaml', 'yaml-syntax.yaml:8:1: YAML: Missing closing "quote'],
    ['unknown-key.yaml', "unknown-key.yaml:7:5: unknown key 'tsk' in step 1\n  hint: did you mean 'task'?"],
    ['wrong-type.yaml', "wrong-type.yaml:2:10: 'version' must be a number, found text 'one'"],
    ['missing-field.yaml', "missing-field.yaml:1:1: missing required field 'title'"],
    [
      'duplicate-step.yaml',
      "duplicate-step.yaml:8:9: duplicate step id 'review'\n  hint: 'review' is already the id of step 1; step ids must be unique",
    ],
    ['missing-step.yaml', "missing-step.yaml:11:22: step 'decide' jumps to 'provison', which does not exist\n  hint: did you mean 'provision'?"],
    [
      'unreachable-step.yaml',
      "unreachable-step.yaml:8:9: step 'orphan' can never be reached\n  hint: no step jumps to it, and the step before it never continues to it",
    ],
    [
      'endless-loop.yaml',
      "endless-loop.yaml:6:9: the loop through 'prepare', 'check' can never end\n" +
        "  hint: give one of its steps a way out (an outcome or branch case leading elsewhere) or a cap ('max-visits')\n" +
        "endless-loop.yaml:10:9: step 'done' can never be reached\n  hint: no step jumps to it, and the step before it never continues to it",
    ],
    ['unknown-action.yaml', "unknown-action.yaml:7:11: unknown action 'hubspot.moveTiket'\n  hint: did you mean 'hubspot.moveTicket'?"],
    [
      'bad-arguments.yaml',
      "bad-arguments.yaml:7:11: hubspot.moveTicket: missing argument 'ticketId'\n  hint: add 'ticketId' under 'with'\n" +
        "bad-arguments.yaml:9:7: hubspot.moveTicket: unknown argument 'ticket'\n  hint: did you mean 'ticketId'?\n" +
        "bad-arguments.yaml:11:14: hubspot.moveTicket: argument 'stage': expected string, received number",
    ],
    ['unknown-role.yaml', "unknown-role.yaml:7:19: unknown role 'iod-team'\n  hint: known roles: sales, iod"],
    ['bad-expression.yaml', 'bad-expression.yaml:7:24: bad expression: Unexpected end of expression'],
    [
      'bad-duration.yaml',
      "bad-duration.yaml:8:18: '3 working days' is not a duration\n" +
        "  hint: write e.g. '5 minutes', '30 calendar days', '3 business days', 'same business day' or 'next business day'",
    ],
    ['bad-calendar.yaml', "bad-calendar.yaml:4:11: unknown calendar 'hong-kong'\n  hint: known calendars: hk, us"],
    [
      'no-outcomes.yaml',
      "no-outcomes.yaml:7:50: human task 'approve' has no outcomes\n  hint: list the decisions a person can take, e.g. approve: {} and reject: { end: rejected }",
    ],
    [
      'two-kinds.yaml',
      "two-kinds.yaml:6:9: step 'both' does 2 things (call, end); a step does exactly one\n" +
        '  hint: give it exactly one of: call, task, checklist, review, wait, wait-for, branch, parallel, subprocess, set, end',
    ],
    [
      'many-problems.yaml',
      "many-problems.yaml:7:19: unknown role 'opps'\n  hint: did you mean 'ops'?\n" +
        "many-problems.yaml:7:63: step 'first' jumps to 'secnd', which does not exist\n  hint: did you mean 'second'?\n" +
        "many-problems.yaml:9:18: 'soon' is not a duration\n" +
        "  hint: write e.g. '5 minutes', '30 calendar days', '3 business days', 'same business day' or 'next business day'",
    ],
  ])('%s is reported at its place, with a hint', async (name, expected) => {
    expect(await problemsIn(name)).toBe(expected);
  });

  it('is reported by the CLI with exit status 1, every problem at once, no stack trace', () => {
    const cli = spawnSync('npx', ['tsx', 'client/cli.ts', 'validate', 'tests/fixtures/malformed/many-problems.yaml', 'tests/fixtures/processes/number-reservation.yaml'], {
      cwd: path.join(__dirname, '..'),
      encoding: 'utf8',
    });
    expect(cli.status).toBe(1);
    expect(cli.stderr).toContain("tests/fixtures/malformed/many-problems.yaml:7:19: unknown role 'opps'");
    expect(cli.stderr).toContain("tests/fixtures/malformed/many-problems.yaml:9:18: 'soon' is not a duration");
    expect(cli.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(cli.stdout).toMatch(/number-reservation.yaml: ok \(number-reservation v1, [0-9a-f]{12}\)/);
  });
});

describe('the diagram command', () => {
  it('draws one lane per role, the engine\'s steps apart, and deadlines on the arrows into the steps they govern', async () => {
    const cli = spawnSync('npx', ['tsx', 'client/cli.ts', 'diagram', 'definitions/service-amendment.yaml'], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    expect(cli.status).toBe(0);
    const chart = cli.stdout;
    expect(chart.startsWith('flowchart TD\n')).toBe(true);
    for (const lane of ['engine', 'iod', 'management', 'provisioning', 'rnd']) expect(chart).toMatch(new RegExp(`subgraph lane_\\d+_${lane}\\[`));
    expect(chart).toContain('s_provision -->|"due 3 business days"| s_set_up_in_odb');
    expect(chart).toContain('s_set_up_in_odb -->|"blocked-by-bug"| s_bug_fix');
    expect(chart).toContain('s_bug_fix -->|"after 5 visits"| end_cancelled');
  });
});

describe('the process documents', () => {
  it('exist for each shipped process (docs/processes/<name>.md) and show its current diagram (docs/processes/<name>.md) that shows its current diagram', async () => {
    const root = path.join(__dirname, '..');
    const files = await definitionFiles(path.join(root, 'definitions'));
    for (const result of await compileFiles(files)) {
      const definition = result.definition!;
      const document = readFileSync(path.join(root, 'docs', 'processes', `${definition.process}.md`), 'utf8');
      const shown = /```mermaid\n([\s\S]*?)```/.exec(document)?.[1];
      // Regenerate with: npm run cli -- diagram definitions/<name>.yaml
      expect({ process: definition.process, diagram: shown?.trim() }).toEqual({ process: definition.process, diagram: toMermaid(definition).trim() });
    }
  });
});
