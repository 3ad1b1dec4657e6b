/**
 * The diagrams people read: every shipped definition's flowchart is accepted by Mermaid's own parser
 * (mermaid 12 in a real Chromium, since its parser needs a DOM), shows stages, says in words where each
 * outcome and branch leads, joins parallel branches, and never shows raw `{{ placeholders }}`.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { compileFiles, definitionFiles } from '../client/definitions';
import type { CompiledDefinition } from '../dsl/compile';
import { toMermaid } from '../dsl/diagram';

const CHROMIUM = '/usr/bin/chromium';
const fixtures = path.join(__dirname, 'fixtures', 'processes');

let browser: Browser;
let page: Page;
const charts = new Map<string, { definition: CompiledDefinition; chart: string }>();

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the diagram tests parse charts in Chromium. Install it with \`npm run setup\` or \`sudo apt-get update && sudo apt-get install -y chromium\``);
  }
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  page = await browser.newPage();
  await page.addScriptTag({ path: require.resolve('mermaid/dist/mermaid.min.js') });
  // The shipped definitions and the fixtures each compiled with their own subprocesses: both have a number-reservation.
  const fixtureFiles = [path.join(fixtures, 'every-construct.yaml'), path.join(fixtures, 'number-reservation.yaml')];
  for (const files of [fixtureFiles, await definitionFiles()]) {
    for (const result of await compileFiles(files)) {
      if (result.definition) charts.set(path.basename(result.file), { definition: result.definition, chart: toMermaid(result.definition) });
    }
  }
}, 60_000);

afterAll(() => browser?.close());

/** Mermaid's verdict on a chart: undefined when it parses, else its parse error. */
async function mermaidError(chart: string): Promise<string | undefined> {
  return page.evaluate(async (source) => {
    try {
      await (globalThis as unknown as { mermaid: { parse(text: string): Promise<unknown> } }).mermaid.parse(source);
      return undefined;
    } catch (err) {
      return String((err as Error).message ?? err);
    }
  }, chart);
}

const shipped = ['reseller-offboarding.yaml', 'service-amendment.yaml', 'deal-provisioning.yaml', 'every-construct.yaml', 'number-reservation.yaml'];

describe('Mermaid\'s own parser', () => {
  it('refuses a broken chart, so that its acceptance below means something', async () => {
    expect(await mermaidError('flowchart TD\n  a -->|x"|b[[')).toMatch(/Parse error on line 2/);
  });

  it.each(shipped)('accepts the diagram of %s', async (file) => {
    const entry = charts.get(file);
    expect(entry).toBeDefined();
    expect(await mermaidError(entry!.chart)).toBeUndefined();
  });
});

describe('a diagram', () => {
  const arrows = (chart: string) => chart.split('\n').filter((line) => line.includes('-->'));

  it.each(shipped)('of %s labels every arrow out of an outcome, review or branch, and shows no raw placeholder', (file) => {
    const { definition, chart } = charts.get(file)!;
    expect(chart).not.toMatch(/\{\{(?!")/); // a hexagon (join) is {{"..."}}
    const deciding = new Set<string>();
    const visit = (steps: CompiledDefinition['steps']) =>
      steps.forEach((step) => {
        if (step.task || step.review || step.branch) deciding.add(`s_${step.id.replace(/-/g, '_')}`);
        Object.values(step.parallel ?? {}).forEach(visit);
      });
    visit(definition.steps);
    const unlabelled = arrows(chart).filter((line) => deciding.has(line.trim().split(' ')[0]) && !line.includes('-->|'));
    expect(unlabelled).toEqual([]);
  });

  it.each(['reseller-offboarding.yaml', 'service-amendment.yaml', 'deal-provisioning.yaml'])('of the shipped %s says in words when each branch is taken, not as an expression', (file) => {
    const { chart } = charts.get(file)!;
    expect(arrows(chart).filter((line) => /-->\|"(when |otherwise)/.test(line))).toEqual([]);
  });

  it.each(shipped)('of %s gives every lane its own id', (file) => {
    const lanes = charts.get(file)!.chart.match(/subgraph (\S+)\[/g) ?? [];
    expect(lanes.length).toBeGreaterThan(0);
    expect(new Set(lanes).size).toBe(lanes.length);
  });

  it('shows the stage each step enters, outcome labels and branch titles in words, placeholders as words', () => {
    const { chart } = charts.get('every-construct.yaml')!;
    expect(chart).toContain('stage: kyc');
    expect(chart).toContain('s_route -->|"High-risk customer · due 2 business days"| s_management_decision');
    expect(chart).toContain('s_route -->|"Standard customer"| s_provision');
    expect(chart).toContain('s_management_decision -->|"Decline the customer"| end_rejected');
    expect(chart).toContain('Check the KYC documents of deal ‹deal id›');
    // A review's verdicts in the definition's words; its on-return and on-resubmit steps drawn as a detour back to it.
    expect(chart).toContain('s_iod_review -->|"Approved"| s_route');
    expect(chart).toContain('s_iod_review -->|"Rejected for good"| end_rejected');
    expect(chart).toContain('s_iod_review -->|"Rejected - returned to Sales"| s_note_return');
    expect(chart).toContain('s_note_return -->|"reworked by sales, resubmitted"| s_tell_iod_resubmitted');
    expect(chart).toMatch(/s_tell_iod_resubmitted -->\|"reviewed again · [^"]*"\| s_iod_review/);
    expect(chart).toContain('e-mail iod: Deal ‹deal id› resubmitted');
    expect(chart).toContain('reviewers iod, then provisioning; owner sales, max 3 rounds');
  });

  it('joins parallel branches before the step after them', () => {
    const { chart } = charts.get('every-construct.yaml')!;
    expect(chart).toContain('join_provision{{"all branches done"}}');
    expect(chart).toContain('s_provision -->|"branch numbers"| s_reserve_numbers');
    expect(chart).toContain('s_provision -->|"branch service"| s_provision_service');
    expect(chart).toContain('s_reserve_numbers --> join_provision');
    expect(chart).toContain('s_provision_service -->|"done"| join_provision');
    expect(chart).toContain('join_provision --> s_per_country');
    expect(chart).not.toContain('s_provision --> s_wait_payment');
  });

  it('keeps roles whose names differ only by a dash or an underscore in lanes of their own', async () => {
    const [result] = await compileFiles([path.join(fixtures, 'number-reservation.yaml')]);
    const definition = {
      ...result.definition!,
      roles: { 'sales-ops': 'Sales Ops', sales_ops: 'Sales operations' },
      steps: [
        { id: 'one', task: { role: 'sales-ops', title: 'One', outcomes: { done: {} } } },
        { id: 'two', task: { role: 'sales_ops', title: 'Two', outcomes: { done: {} } } },
      ],
    } as CompiledDefinition;
    const chart = toMermaid(definition);
    expect(chart).toContain('subgraph lane_1_sales_ops["sales-ops: Sales Ops"]');
    expect(chart).toContain('subgraph lane_2_sales_ops["sales_ops: Sales operations"]');
    expect(await mermaidError(chart)).toBeUndefined();
  });
});
