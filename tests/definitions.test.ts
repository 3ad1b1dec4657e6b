/**
 * The definition language, as an author meets it: every construct compiles into plain JSON with a content
 * hash, and every mistake is reported at its exact place with a message and a hint a person can act on.
 */
import Ajv from 'ajv';
import addFormats from 'ajv-formats';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { catalogue } from '../activities';
import { compileFiles, definitionFiles } from '../client/definitions';
import { compileAll } from '../dsl/compile';
import { toMermaid } from '../dsl/diagram';
import { formatIssues } from '../dsl/issues';
import { definitionJsonSchema } from '../dsl/json-schema';
import { STEP_KINDS } from '../dsl/model';
import { formProblems } from '../workflows/form-validators';

const fixtures = path.join(__dirname, 'fixtures');
const processes = ['every-construct.yaml', 'number-reservation.yaml'].map((f) => path.join(fixtures, 'processes', f));

/** The rendered problems of a malformed fixture, compiled with `others` (e.g. the subprocess it starts). */
async function problemsIn(name: string, ...others: string[]): Promise<string> {
  const files = [path.join(fixtures, 'malformed', name), ...others].map((file) => ({ file, text: readFileSync(file, 'utf8') }));
  const [result] = await compileAll(files, catalogue);
  return formatIssues(name, [...result.issues, ...result.warnings]);
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
    for (const construct of ['deadline:', 'remind:', 'escalate:', 'max-rounds:', 'form:', 'outcomes:', 'stage:', 'retry:', 'one-of:', "role: '=", 'on-rejected:', 'max-parallel:', 'reviewers:', 'on-return:', 'on-resubmit:', 'requires:', 'label:']) {
      expect(text).toContain(construct);
    }
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

  it('have each form field checked alike at the API door (Ajv) and in the workflow (cfworker), edge cases included', async () => {
    // A form the door passes must not be refused by the workflow (a misleading 409), nor a decision signal's
    // form judged otherwise on replay than when it came: both read each schema as draft-07, formats by ajv-formats.
    const ajv = new Ajv({ strict: false, allErrors: true }); // as api/routes/tasks.ts
    addFormats(ajv);
    const schemas: Record<string, unknown>[] = [];
    const collect = (node: unknown, isForm = false): void => {
      if (!node || typeof node !== 'object') return;
      if (isForm) {
        schemas.push(node as Record<string, unknown>);
        const { properties, items } = node as { properties?: Record<string, unknown>; items?: unknown };
        for (const field of [...Object.values(properties ?? {}), items]) collect(field, true);
        return;
      }
      for (const [key, value] of Object.entries(node)) collect(value, key === 'form');
    };
    for (const result of await compileFiles(await definitionFiles())) collect(result.definition);
    const strings = ['', ' ', 'x', 'ops@example.com', 'Ops.Team+tag@Example.COM', 'ops@localhost', '"john doe"@example.com', 'a@[127.0.0.1]',
      'a..b@example.com', '.a@example.com', 'a@example-.com', 'a@ex_ample.com', 'ä@example.com', `${'x'.repeat(65)}@example.com`, `a@${'b'.repeat(64)}.com`,
      '2025-01-31', '2024-02-29', '2025-02-29', '1900-02-29', '2000-02-29', '2025-04-31', '2025-13-01', '2025-1-01', '2025-01-01T00:00:00Z', ' 2025-01-01',
      'https://example.com', 'http://example.com/a?b=c#d', 'https://example.com/a b', 'example.com', '//example.com', 'mailto:a@b.co', 'urn:isbn:0451450523',
      'https://[::1]:8080/', 'https://example.com/%zz', 'javascript:alert(1)', '001ABCDEFGHIJKL', '001ABCDEFGHIJKLMNO', '12345', 'email', 'upl_abc', '😀'];
    const values: unknown[] = [...strings, 0, 1, -1, 0.5, 25, true, false, null, [], ['x'], [''], {}, { ok: true }, { extra: 1 }];
    const disagreements: string[] = [];
    for (const schema of schemas) {
      for (const value of values) {
        const door = ajv.validate(schema, value);
        const workflow = formProblems(schema, value).length === 0;
        if (door !== workflow) disagreements.push(`${JSON.stringify(value)} against ${JSON.stringify(schema)}: door ${door}, workflow ${workflow}`);
      }
    }
    expect(schemas.length).toBeGreaterThan(40); // the forms and their fields
    expect(disagreements).toEqual([]);
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
        '  hint: give it exactly one of: call, task, checklist, review, wait, wait-for, poll, notify, branch, parallel, for-each, subprocess, set, end',
    ],
    [
      'many-problems.yaml',
      "many-problems.yaml:7:19: unknown role 'opps'\n  hint: did you mean 'ops'?\n" +
        "many-problems.yaml:7:63: step 'first' jumps to 'secnd', which does not exist\n  hint: did you mean 'second'?\n" +
        "many-problems.yaml:9:18: 'soon' is not a duration\n" +
        "  hint: write e.g. '5 minutes', '30 calendar days', '3 business days', 'same business day' or 'next business day'",
    ],
    [
      'bad-poll.yaml',
      "bad-poll.yaml:8:13: 'hubspot.createTicket' changes data, so it cannot be called again and again by 'poll'\n" +
        '  hint: poll with an action that only reads, e.g. jira.getIssueStatus\n' +
        "bad-poll.yaml:10:14: 'soon' is not a duration\n" +
        "  hint: write e.g. '5 minutes', '30 calendar days', '3 business days', 'same business day' or 'next business day'\n" +
        "bad-poll.yaml:12:14: 'poll.match' needs 'poll.event', the event it matches",
    ],
    [
      'bad-for-each.yaml',
      'bad-for-each.yaml:8:29: bad expression: Expected "]" before end of expression\n' +
        "bad-for-each.yaml:12:88: step 'reserve' jumps to 'finish', which is in another list of steps\n" +
        "  hint: a jump stays within its own list: the main steps, one parallel branch or a for-each's steps",
    ],
    [
      'bad-role-expression.yaml',
      "bad-role-expression.yaml:8:13: the role expression can give 'partner-manger', which is not a declared role\n" +
        "  hint: did you mean 'partner-manager'?\n" +
        'bad-role-expression.yaml:13:13: the role expression can give a value that is not written in it, so it cannot be checked against roles\n' +
        "  hint: list the roles it may give: role: { expression: 'input.uploader', one-of: [partner-manager, virtual-sales] }\n" +
        'bad-role-expression.yaml:18:28: the role expression gives no role when its condition is false\n' +
        '  hint: add an else: cond ? "role-a" : "role-b"\n' +
        "bad-role-expression.yaml:18:92: unknown role 'sales'\n  hint: known roles: partner-manager, virtual-sales",
    ],
    ["deadline-on-call.yaml", "deadline-on-call.yaml:15:5: 'remind' has no effect on a 'wait' step: only a step that opens a task (task, review, checklist; call, subprocess or notify through its incident task) is held to it\n  hint: move it to the task, review or checklist that people must finish in time"],
    ["next-and-end.yaml", "next-and-end.yaml:12:31: both 'next' and 'end': it cannot go to step 'done' and end the process\n  hint: keep 'next: done' to go on, or 'end: rejected' to stop"],
    ["unknown-names.yaml", "unknown-names.yaml:12:15: unknown variable 'comissions'\n  hint: did you mean 'commissions'?\nunknown-names.yaml:14:15: unknown function '$sumx'\n  hint: did you mean '$sum'?\nunknown-names.yaml:18:73: unknown variable 'partner'\n  hint: known here: commissions, deadlines, input, now (a step's 'result:', a 'set:' or 'variables:' entry defines one)"],
    ["bad-form.yaml", "bad-form.yaml:13:9: unknown JSON Schema keyword 'propertes'\n  hint: did you mean 'properties'?\nbad-form.yaml:14:35: unknown JSON Schema keyword 'minLenght'\n  hint: did you mean 'minLength'?"],
    ["bad-sensitive.yaml", "bad-sensitive.yaml:13:37: unknown JSON Schema keyword 'x-sensitve'\n  hint: did you mean 'x-sensitive'?\nbad-sensitive.yaml:14:34: 'x-sensitive' must be true or false, not \"yes\"\n  hint: write x-sensitive: true on a field whose value (a password, a credential) the state query and audit must show as •••"],
    ["unknown-template.yaml", "unknown-template.yaml:10:25: email.send: unknown template 'Reseller onboarding pack'\n  hint: did you mean 'Reseller onboarding packet'?\nunknown-template.yaml:17:9: email.send: template 'Activation email to customer from IOD (Draft)' needs 'loginEmail'\n  hint: add loginEmail: ... under 'template.variables'\nunknown-template.yaml:17:102: email.send: template 'Activation email to customer from IOD (Draft)' has no variable 'loginMail'\n  hint: did you mean 'loginEmail'?\nunknown-template.yaml:22:7: email.send: template 'Activation email to customer from IOD (Draft)' needs 'serviceName', 'companyName', 'customerName', 'loginUrl', 'loginEmail'\n  hint: add serviceName: ..., companyName: ..., customerName: ..., loginUrl: ..., loginEmail: ... under 'template.variables'\nunknown-template.yaml:22:43: email.send: unknown argument 'template.variabels'\n  hint: did you mean 'variables'?"],
    ["unknown-event.yaml", "unknown-event.yaml:7:24: warning: no trigger or action is known to send the event 'contract-signd'\n  hint: it can still arrive through the CLI's `event` command; check the name against the system that sends it"],
    // pandadoc.createDocument declares what PandaDoc's webhook sends back: only the misspelt event is warned about.
    ["unknown-pandadoc-event.yaml", "unknown-pandadoc-event.yaml:13:24: warning: no trigger or action is known to send the event 'pandadoc-document-veiwed'\n  hint: it can still arrive through the CLI's `event` command; check the name against the system that sends it"],
    // Placeholders in a task's instructions are checked like those in its title.
    ["bad-instructions.yaml", "bad-instructions.yaml:10:57: bad expression: Unsupported escape sequence: \\\"'\"\nbad-instructions.yaml:10:99: unknown variable 'partnr'\n  hint: known here: deadlines, input, now (a step's 'result:', a 'set:' or 'variables:' entry defines one)"],
    // A checklist item's label is filled in from the data, so its placeholders are checked too.
    ["bad-checklist-label.yaml", "bad-checklist-label.yaml:10:47: unknown variable 'invoce'\n  hint: known here: deadlines, input, now (a step's 'result:', a 'set:' or 'variables:' entry defines one)"],
    ["shape-and-checks.yaml", "shape-and-checks.yaml:8:5: unknown key 'stge' in step 1\n  hint: did you mean 'stage'?\nshape-and-checks.yaml:10:19: unknown role 'sales'\n  hint: known roles: ops\nshape-and-checks.yaml:10:65: step 'second' jumps to 'thrid', which does not exist\n  hint: did you mean 'third'?\nshape-and-checks.yaml:12:18: 'soon' is not a duration\n  hint: write e.g. '5 minutes', '30 calendar days', '3 business days', 'same business day' or 'next business day'"],
    [
      'bad-review.yaml',
      "bad-review.yaml:11:7: a review has either 'reviewer' or 'reviewers', not both\n  hint: put 'sales-ops' into the 'reviewers' list\n" +
        "bad-review.yaml:11:54: unknown stage 'iod-check'\n  hint: known stages: pending, returned\n" +
        "bad-review.yaml:18:25: outcomes 'approve' and 'return' are both named 'approved'\n  hint: give each verdict its own name: a decision must say which it is\n" +
        "bad-review.yaml:18:90: 'requires' names the form field 'rejectReason', which the form does not declare\n  hint: did you mean 'rejectedReason'?\n" +
        "bad-review.yaml:18:105: a return sends the work back to its owner; it cannot have 'next'\n  hint: to leave the review on a return, use 'on-cap' with 'max-rounds', or steps under 'on-return'\n" +
        "bad-review.yaml:19:7: at the round cap the reviewer may no longer return the work, and this review offers no 'reject': only approve would be left\n  hint: add 'reject:' under 'outcomes', or 'on-cap: { next: <step> }', or drop 'max-rounds'",
    ],
    [
      'bad-requires.yaml',
      "bad-requires.yaml:15:45: 'requires' names the form field 'reasn', which the form does not declare\n  hint: did you mean 'reason'?\n" +
        "bad-requires.yaml:22:46: 'requires' names the form field 'reason', but there is no form\n  hint: add 'form:' under 'task' with 'reason' under its 'properties'",
    ],
    ["alias-bomb.yaml", "alias-bomb.yaml:6:10: YAML: the aliases expand into too many copies (an alias bomb?)\n  hint: write the repeated part out, or use fewer aliases of aliases"],
    ["recursive-alias.yaml", "recursive-alias.yaml:8:14: YAML: alias '*steps' is used inside the node it names, so its data would never end\n  hint: refer to '&steps' from outside it, or write the nested part out"],
  ])('%s is reported at its place, with a hint', async (name, expected) => {
    expect(await problemsIn(name)).toBe(expected);
  });

  it("checks a subprocess's `with` against the child's input schema: missing, unknown and mistyped fields", async () => {
    expect(await problemsIn('bad-subprocess-input.yaml', processes[1])).toBe(
      "bad-subprocess-input.yaml:9:7: number-reservation: missing input 'dealId'\n  hint: add 'dealId' under 'with'\n" +
        "bad-subprocess-input.yaml:9:7: number-reservation: unknown input 'deal'\n  hint: did you mean 'dealId'?\n" +
        "bad-subprocess-input.yaml:10:7: number-reservation: unknown input 'countries'\n  hint: inputs: dealId\n" +
        "bad-subprocess-input.yaml:13:21: number-reservation: input 'dealId' must be string",
    );
  });

  it('with an alias bomb or a recursive alias does not stop the other files of the batch from being reported', async () => {
    const read = (dir: string, name: string) => ({ file: name, text: readFileSync(path.join(fixtures, dir, name), 'utf8') });
    const started = Date.now();
    const results = await compileAll(
      [read('malformed', 'alias-bomb.yaml'), read('malformed', 'recursive-alias.yaml'), read('processes', 'number-reservation.yaml'), read('malformed', 'unknown-role.yaml')],
      catalogue,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(results.map((r) => r.issues.map((i) => i.code))).toEqual([['yaml-alias'], ['yaml-alias'], [], ['unknown-role']]);
    expect(results[2].definition?.process).toBe('number-reservation');
  });

  it('is reported by the CLI with exit status 1, every problem at once, no stack trace', () => {
    const cli = spawnSync('npx', ['tsx', 'cli/index.ts', 'validate', 'tests/fixtures/malformed/many-problems.yaml', 'tests/fixtures/processes/number-reservation.yaml'], {
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
  it('finds a subprocess started per item of a for-each (deal provisioning reserves numbers per country)', () => {
    const cli = spawnSync('npx', ['tsx', 'cli/index.ts', 'diagram', 'definitions/deal-provisioning.yaml'], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('for each request in numbers.form.reservations');
  });

  it('compiles only the file and the subprocesses it starts, so a broken neighbour does not matter', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'diagram-'));
    for (const name of ['every-construct.yaml', 'number-reservation.yaml']) copyFileSync(path.join(fixtures, 'processes', name), path.join(dir, name));
    writeFileSync(path.join(dir, 'broken.yaml'), readFileSync(path.join(fixtures, 'malformed', 'many-problems.yaml'), 'utf8'));
    const cli = spawnSync('npx', ['tsx', 'cli/index.ts', 'diagram', path.join(dir, 'every-construct.yaml')], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    expect(cli.stderr).toBe('');
    expect(cli.status).toBe(0);
    expect(cli.stdout).toContain('subprocess number-reservation');
  });

  it('draws one lane per role, the engine\'s steps apart, and deadlines on the arrows into the steps they govern', async () => {
    const cli = spawnSync('npx', ['tsx', 'cli/index.ts', 'diagram', 'definitions/service-amendment.yaml'], { cwd: path.join(__dirname, '..'), encoding: 'utf8' });
    expect(cli.status).toBe(0);
    const chart = cli.stdout;
    expect(chart.startsWith('flowchart TD\n')).toBe(true);
    for (const lane of ['engine', 'iod', 'management', 'provisioning', 'rnd']) expect(chart).toMatch(new RegExp(`subgraph lane_\\d+_${lane}\\[`));
    expect(chart).toContain('s_bug_fix -->|"fixed · due 3 business days"| s_set_up_in_odb');
    expect(chart).toContain('s_set_up_in_odb -->|"blocked-by-bug"| s_bug_fix');
    expect(chart).toContain('s_bug_fix -->|"after 5 visits"| end_cancelled');
  });
});

describe('the process documents', () => {
  it('exist for each shipped process (docs/processes/<name>.md) and show its current diagram', async () => {
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

describe('names in expressions', () => {
  it('are looked up only at the top of the scope: names inside filters, lambdas and blocks, and bound $variables, are not', async () => {
    const text = `
process: expression-names
version: 1
title: Names relative to an item
calendar: us
roles: { ops: Operations }
steps:
  - id: commissions
    call: partnerstack.openCommissions
    with: { partnerKey: =input.partnerKey }
    result: commissions
    expect: result.count >= 0
  - id: totals
    set:
      open: =commissions.items[status = "open"].amount
      names: "=$map(commissions.items, function($c) { $c.partner.name })"
      doubled: =($total := $sum(commissions.items.amount); $total * 2)
      due: =$formatDate($addBusinessDays($today(), 3), "long")
      settle: =deadlines
  - id: done
    end: completed
    reason: "{{ $count(open) }} open, {{ doubled }} owed"
`;
    const [result] = await compileAll([{ file: 'names.yaml', text }], catalogue);
    expect(formatIssues('names.yaml', result.issues)).toBe('');
  });
});

describe('a process\'s start input', () => {
  const definition = (input: string) => `
process: closed-input
version: 1
title: Start input checked
roles: { ops: Operations }
input:
${input}
steps:
  - { id: done, end: completed }
`;
  const validator = async (input: string) => {
    const [result] = await compileAll([{ file: 'x.yaml', text: definition(input) }], catalogue);
    expect(result.issues).toEqual([]);
    const ajv = new Ajv({ allErrors: true });
    addFormats(ajv);
    return ajv.compile(result.definition!.input!);
  };

  it('refuses fields the definition does not declare, at every level', async () => {
    const validate = await validator(`  type: object
  required: [partnerKey]
  properties:
    partnerKey: { type: string }
    contact: { type: object, properties: { email: { type: string, format: email } } }`);
    expect(validate({ partnerKey: 'p-1', contact: { email: 'a@example.com' } })).toBe(true);
    expect(validate({ partnerKey: 'p-1', partnerKye: 'p-2' })).toBe(false);
    expect(validate.errors?.[0]).toMatchObject({ keyword: 'additionalProperties', params: { additionalProperty: 'partnerKye' } });
    expect(validate({ partnerKey: 'p-1', contact: { email: 'a@example.com', phone: '1' } })).toBe(false);
  });

  it('takes other fields when it says so', async () => {
    const validate = await validator(`  type: object
  additionalProperties: true
  properties: { partnerKey: { type: string } }`);
    expect(validate({ partnerKey: 'p-1', note: 'kept' })).toBe(true);
  });
});
