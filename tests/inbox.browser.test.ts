/**
 * The web task inbox in a real headless Chromium (Debian's `chromium`, driven by playwright-core) against
 * the API on the dev server with the interpreter's worker: a person signs in with their key, starts a
 * process from its form, sees the task in their list (soonest due first, overdue marked), fills the form
 * generated from the task's JSON Schema (with a file), decides it with an outcome's button, and sees the
 * instance move on in its diagram and history. Screenshots of every page go to tests/artifacts/ (ignored).
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { startActivities } from '../activities';
import { buildApi } from '../api/app';
import { ApiKeyStore } from '../api/identity/api-keys';
import { DEFINITIONS_DIR } from '../client/definitions';
import { startProcess } from '../client/processes';
import type { CompiledDefinition } from '../dsl/compile';
import { loadDirectory } from '../directory/load';
import { startFakes, type Sandbox } from '../fakes';
import { bundleWorkflows, TASK_QUEUE } from '../worker';
import { stateQuery } from '../workflows/messages';
import { devServerEnvironment } from './support/environments';
import { compile } from './support/processes';

const CHROMIUM = '/usr/bin/chromium';
const ARTIFACTS = path.join(__dirname, 'artifacts');
const fixture = (name: string) => readFileSync(path.join(__dirname, 'fixtures', 'inbox', name), 'utf8');

let env: TestWorkflowEnvironment;
let worker: Worker;
let running: Promise<void>;
let sandbox: Sandbox;
let api: FastifyInstance;
let base: string;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let ivyKey: string;
let review: CompiledDefinition;
let urgent: CompiledDefinition;
const scratch = mkdtempSync(path.join(tmpdir(), 'engine-inbox-'));
/** Errors the pages threw or logged: every test ends with none. */
const pageErrors: string[] = [];
// Page expressions are passed as text: this file is type-checked for Node, without the DOM's types.

beforeAll(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the inbox tests run in Chromium. Install it with \`npm run setup\` or \`sudo apt-get update && sudo apt-get install -y chromium\``);
  }
  mkdirSync(ARTIFACTS, { recursive: true });
  [review, urgent] = await Promise.all([compile(fixture('partner-review.yaml')), compile(fixture('urgent-check.yaml'))]);
  // The dev server first, on its own: it must answer within a few seconds, and bundling competes for the CPU.
  env = await devServerEnvironment();
  const [workflowBundle, fakes] = await Promise.all([bundleWorkflows(), startFakes({})]);
  sandbox = fakes;
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle, activities: startActivities(sandbox.env).activities });
  running = worker.run();

  const keys = new ApiKeyStore(path.join(scratch, 'api-keys.json'));
  ivyKey = keys.issue('ivy.chan', 'inbox test').key; // holds iod
  api = await buildApi({
    client: env.client,
    registry: new Map([[review.process, review], [urgent.process, urgent]]),
    definitionsDir: DEFINITIONS_DIR,
    directory: loadDirectory(),
    keys,
    uploadsDir: path.join(scratch, 'uploads'),
    maxUploadBytes: 1024 * 1024,
    writesPerMinute: 1000,
    webhooks: { routes: { hubspot: {}, jira: {}, partnerstack: {}, jotform: {} } }, // none: the inbox is under test
  });
  base = await api.listen({ host: '127.0.0.1', port: 0 });

  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  page = await context.newPage();
  page.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && !/status of 4\d\d/.test(message.text())) pageErrors.push(`console: ${message.text()}`);
  });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await api?.close();
  worker?.shutdown();
  await running;
  await sandbox?.close();
  await env?.teardown();
  rmSync(scratch, { recursive: true, force: true });
});

afterEach(() => {
  expect(pageErrors.splice(0)).toEqual([]);
});

const shot = (name: string, on: Page = page) => on.screenshot({ path: path.join(ARTIFACTS, `inbox-${name}.png`), fullPage: true });

async function stateOf(workflowId: string) {
  return env.client.workflow.getHandle(workflowId).query(stateQuery);
}

describe('the web task inbox', () => {
  const workflowId = 'partner-review/P-100';
  let taskId: string;

  it('sends a visitor who is not signed in to the sign-in page, and refuses a wrong key there', async () => {
    await page.goto(`${base}/inbox/start/partner-review`);
    expect(new URL(page.url()).pathname).toBe('/inbox/sign-in');
    expect(new URL(page.url()).searchParams.get('next')).toBe('/inbox/start/partner-review');
    await shot('sign-in');

    await page.getByLabel('API key').fill('ops_AAAAAAAAAAAA_not-a-real-secret-not-a-real-secret-not-a-real');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect(page.getByRole('alert').textContent()).resolves.toContain('not recognised or has been revoked');
    expect(await page.getByLabel('API key').getAttribute('aria-invalid')).toBe('true');
    expect(await context.cookies()).toEqual([]);
  });

  it('signs in with a key kept in an HttpOnly, SameSite cookie, never in the address, and comes back to the page asked for', async () => {
    await page.getByLabel('API key').fill(ivyKey);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(`${base}/inbox/start/partner-review`);
    expect(page.url()).not.toContain(ivyKey);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: 'ops_session', httpOnly: true, sameSite: 'Strict', path: '/' });
    expect(await page.evaluate<string>('document.cookie')).toBe(''); // page scripts cannot read it
    await expect(page.getByText('Signed in as Ivy Chan').textContent()).resolves.toContain('iod');
  });

  it('starts a process from a form generated from its input schema, checking the input first', async () => {
    await page.getByRole('heading', { name: 'Start: Review a partner application' }).waitFor();
    await page.getByLabel('Partner key').fill('P');
    await page.getByLabel('Partner name').fill('Acme Telecom');
    await shot('start');
    await page.getByRole('button', { name: 'Start' }).click();
    // The form library refuses the one-letter key before anything is sent.
    await page.getByText('must NOT have fewer than 2 characters').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/inbox/start/partner-review');

    await page.getByLabel('Partner key').fill('P-100');
    await page.getByRole('button', { name: 'Start' }).click();
    await page.waitForURL((url) => url.pathname === `/inbox/instances/${encodeURIComponent(workflowId)}`);
    await page.getByTestId('where').getByText('Now at: Review Acme Telecom').waitFor();
    const started = await stateOf(workflowId);
    expect(started).toMatchObject({ businessKey: 'P-100', stage: 'review', openTasks: [{ title: 'Review Acme Telecom', roles: ['iod'] }] });
    taskId = started.openTasks[0].id;
  });

  it('lists my open tasks soonest due first, the overdue one marked, and opens a task at the address e-mails link to', async () => {
    const overdue = await startProcess(env.client, urgent, { ref: 'U-1' }, { startedBy: { id: 'rita.gomez' } });
    await page.goto(`${base}/inbox`);
    const items = page.getByRole('list', { name: 'Open tasks' }).getByRole('listitem');
    // Counted until both are there rather than waited on with `waitFor`, which with Debian's Chromium 156 did
    // not always notice list items rendered after it began (it timed out with both on screen).
    for (const began = Date.now(); (await items.count()) < 2 && Date.now() - began < 30_000; ) await page.waitForTimeout(100);
    const texts = await items.allTextContents();
    expect(texts).toHaveLength(2);
    expect(texts[0]).toMatch(/^Urgent check U-1\s*Overdue/);
    expect(texts[1]).toContain('Review Acme Telecom');
    expect(texts[1]).not.toContain('Overdue');
    expect(texts[1]).toContain('P-100');
    await shot('tasks');

    await items.nth(1).getByRole('link', { name: 'Review Acme Telecom' }).click();
    // INBOX_URL + /tasks/<workflowId>/<taskId>, the workflow id's slash encoded in its segment.
    expect(new URL(page.url()).pathname).toBe(`/tasks/${encodeURIComponent(workflowId)}/${encodeURIComponent(taskId)}`);
    await page.getByRole('heading', { name: 'Review Acme Telecom' }).waitFor();
    // The same page, as a mail client may send the address with the slash as it is.
    await page.goto(`${base}/tasks/${workflowId}/${encodeURIComponent(taskId)}`);
    await page.getByRole('heading', { name: 'Review Acme Telecom' }).waitFor();
    await overdue.terminate('test done with it');
  });

  it("shows the instance's context and a form from the task's schema, with a file field and one button per outcome", async () => {
    const about = page.getByRole('region', { name: 'About this task' });
    await expect(about.textContent()).resolves.toContain('Check the application against HubSpot');
    await expect(about.textContent()).resolves.toContain('P-100');
    const decision = page.getByRole('group', { name: 'Decision' }).getByRole('button');
    expect(await decision.allTextContents()).toEqual(['Approve the partner', 'Reject']);
    // Every control has a label a screen reader announces.
    for (const label of ['Risk level', 'Note for the account manager', 'Signed application form', 'Comment (required for Reject)']) {
      expect(await page.getByLabel(label).count()).toBe(1);
    }
    expect(await page.getByLabel('Signed application form').getAttribute('accept')).toBe('application/pdf');
    await shot('task');
  });

  it('refuses a decision whose form is incomplete, or whose outcome needs a comment, with nothing recorded', async () => {
    await page.getByRole('button', { name: 'Approve the partner' }).click();
    await page.getByText('must have required property').first().waitFor();
    // Focus moves to the first field at fault.
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('root_riskLevel');

    await page.getByLabel('Risk level').selectOption('medium');
    await page.getByLabel('Signed application form').setInputFiles({ name: 'signed.pdf', mimeType: 'application/pdf', buffer: Buffer.from('%PDF-1.4 signed application\n%%EOF\n') });
    await page.getByText(/Uploaded signed\.pdf/).waitFor();
    await page.getByRole('button', { name: 'Reject' }).click();
    await page.getByText('"Reject" needs a comment giving the reason.').waitFor();
    expect(await page.evaluate<string | undefined>('document.activeElement?.id')).toBe('decision-comment');
    expect((await stateOf(workflowId)).openTasks.map((t) => t.id)).toEqual([taskId]);
    await shot('task-refused');
  });

  it('decides the task as the signed-in person and shows the instance moved on: next stage, next step highlighted, history', async () => {
    await page.getByLabel('Note for the account manager').fill('Low volume expected in year one');
    await page.getByRole('button', { name: 'Approve the partner' }).click();
    await page.waitForURL((url) => url.pathname === `/inbox/instances/${encodeURIComponent(workflowId)}`);
    await page.getByText('Your decision “Approve the partner” was recorded.').waitFor();
    await page.getByTestId('where').getByText('Now at: Welcome Acme Telecom').waitFor();
    expect(await page.getByTestId('stage').textContent()).toBe('onboarding');
    const stages = page.getByRole('list', { name: 'Stages' }).getByRole('listitem');
    expect(await stages.allTextContents()).toEqual(['done: review', 'current: onboarding']);

    // The diagram, drawn by Mermaid in the page: the current step highlighted, the decided one done.
    const current = page.locator('[data-testid=diagram] svg g.node.current');
    await current.first().waitFor();
    expect(await current.getAttribute('id')).toMatch(/s_welcome/);
    expect(await page.locator('[data-testid=diagram] svg g.node.done').getAttribute('id')).toMatch(/s_review/);

    const history = page.getByRole('table');
    await expect(history.textContent()).resolves.toMatch(/Decided: approve.*ivy\.chan/);
    await shot('instance');

    // What the workflow recorded: the authenticated person, the form with the upload's id.
    const after = await stateOf(workflowId);
    const decided = after.audit.find((a) => a.event === 'decision');
    expect(decided).toMatchObject({ actor: 'ivy.chan', outcome: 'approve', taskId });
    const form = (after.variables.review as { form: Record<string, unknown> }).form;
    expect(form).toMatchObject({ riskLevel: 'medium', note: 'Low volume expected in year one', signedForm: expect.stringMatching(/^upl_/) });
    const file = await page.request.get(`${base}/uploads/${form.signedForm}`);
    expect(await file.text()).toContain('signed application');
  });

  it('lets no other site use the session cookie, and sends people nowhere else after signing in', async () => {
    const event = { process: 'partner-review', businessKey: 'P-100', name: 'noted' };
    const forged = await context.request.post(`${base}/events`, { headers: { origin: 'http://elsewhere.test' }, data: event });
    expect(forged.status()).toBe(403);
    expect((await forged.json()).detail).toBe('a request signed in by the inbox cookie must come from the inbox itself');
    const own = await context.request.post(`${base}/events`, { headers: { origin: base }, data: event });
    expect(own.status()).toBe(202);

    const signIn = await context.request.post(`${base}/inbox/sign-in`, { form: { key: ivyKey, next: '//elsewhere.test/phish' }, maxRedirects: 0 });
    expect(signIn.status()).toBe(303);
    expect(signIn.headers().location).toBe('/inbox');
  });

  it('can be used with the keyboard alone: a task decided by tabbing to its button', async () => {
    const handle = await startProcess(env.client, urgent, { ref: 'K-1' }, { startedBy: { id: 'rita.gomez' } });
    const opened = await pollOpenTask(handle.workflowId);
    await page.goto(`${base}/tasks/${encodeURIComponent(handle.workflowId)}/${encodeURIComponent(opened)}`);
    await page.getByRole('heading', { name: 'Urgent check K-1' }).waitFor();
    await page.keyboard.press('Tab'); // skip link comes first
    expect(await page.evaluate<string | undefined>('document.activeElement?.textContent')).toBe('Skip to content');
    let reached = '';
    for (let presses = 0; presses < 15 && reached !== 'Checked'; presses++) {
      await page.keyboard.press('Tab');
      reached = (await page.evaluate<string | undefined>('document.activeElement?.textContent')) ?? '';
    }
    expect(reached).toBe('Checked');
    await page.keyboard.press('Enter');
    await page.getByText('Your decision “Checked” was recorded.').waitFor();
    expect((await stateOf(handle.workflowId)).status).toBe('completed');
  });

  it('reads on a phone: no sideways scrolling, tables as cards', async () => {
    const waiting = await startProcess(env.client, urgent, { ref: 'M-1' }, { startedBy: { id: 'rita.gomez' } });
    const open = await pollOpenTask(waiting.workflowId);
    const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, storageState: await context.storageState() });
    const small = await phone.newPage();
    small.on('pageerror', (error) => pageErrors.push(`page error: ${error.message}`));
    for (const [name, address, ready] of [
      ['tasks', '/inbox', 'My tasks'],
      ['task', `/tasks/${encodeURIComponent(waiting.workflowId)}/${encodeURIComponent(open)}`, 'Urgent check M-1'],
      ['instance', `/inbox/instances/${encodeURIComponent(workflowId)}`, 'History'],
      ['start', '/inbox/start/partner-review', 'Start: Review a partner application'],
    ] as const) {
      await small.goto(`${base}${address}`);
      await small.getByRole('heading', { name: ready }).waitFor();
      if (name === 'tasks') await small.getByText('Urgent check M-1').waitFor();
      if (name === 'instance') await small.locator('[data-testid=diagram] svg').waitFor();
      // The diagram scrolls inside its own frame; the page itself never does.
      expect(await small.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(390);
      await shot(`phone-${name}`, small);
    }
    await phone.close();
    await waiting.terminate('test done with it');
  });

  it('signs out: the cookie is gone and pages ask for the key again', async () => {
    await page.goto(`${base}/inbox`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(`${base}/inbox/sign-in`);
    expect(await context.cookies()).toEqual([]);
    const answer = await page.request.get(`${base}/tasks`);
    expect(answer.status()).toBe(401);
  });
});

async function pollOpenTask(workflowId: string): Promise<string> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const open = (await stateOf(workflowId).catch(() => undefined))?.openTasks[0];
    if (open) return open.id;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`no open task in ${workflowId}`);
}
