/**
 * The HTTP API end to end: a real socket, a dev server, the worker running the interpreter. Each test is
 * what a caller sees: the status, the problem details, and what happened to the instance.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { startActivities } from '../activities';
import { OidcVerifier } from '../api/identity/oidc';
import { startFakes, type Sandbox } from '../fakes';
import { stateQuery } from '../workflows/messages';
import { bundleWorkflows, TASK_QUEUE } from '../worker';
import { call, id, startTestApi, type ApiHarness } from './support/api';
import { devServerEnvironment } from './support/environments';
import { startLocalIdp, type LocalIdp } from './support/oidc';
import { compile } from './support/processes';

const approval = `
process: partner-approval
version: 2
title: Approve a partner
business-key: input.partnerKey
roles: { cam: Channel account manager, iod: IOD team }
input:
  type: object
  required: [partnerKey]
  properties: { partnerKey: { type: string, minLength: 2 } }
stages: [review, contract, welcome]
steps:
  - id: review
    stage: review
    task:
      role: iod
      title: "Review {{ input.partnerKey }}"
      form:
        type: object
        required: [kycFile]
        properties: { kycFile: { type: string, pattern: "^upl_" } }
      outcomes: { approve: {}, reject: { end: rejected, comment: required } }
  - id: contract
    stage: contract
    wait-for: { event: contract-signed, timeout: 30 calendar days }
  - id: welcome
    stage: welcome
    task: { role: cam, title: Welcome the partner, outcomes: { done: {} } }
`;

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let worker: Worker;
let running: Promise<void>;
let api: ApiHarness;
let idp: LocalIdp;
/** The same API signing people in with OpenID Connect tokens, roles from the `groups` claim. */
let oidcApi: ApiHarness;
let ivy: string;
let carla: string;

beforeAll(async () => {
  const [bundle, fakes, environment, definition] = await Promise.all([bundleWorkflows(), startFakes({}), devServerEnvironment(), compile(approval)]);
  sandbox = fakes;
  env = environment;
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: startActivities(sandbox.env).activities });
  running = worker.run();
  api = await startTestApi(env.client, [definition]);
  idp = await startLocalIdp();
  oidcApi = await startTestApi(env.client, [definition], { oidc: new OidcVerifier({ issuer: idp.issuer, audience: 'ops-api', personClaim: 'email', rolesClaim: 'groups' }) });
  ivy = api.keyFor('ivy.chan');
  carla = api.keyFor('carla.mendes');
}, 180_000);

afterAll(async () => {
  await api?.close();
  await oidcApi?.close();
  await idp?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
  await sandbox?.close();
});

async function until<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const get = (route: string, key = ivy) => call(api.url, 'GET', route, { key });
const post = (route: string, body: unknown, key = ivy) => call(api.url, 'POST', route, { key, body });

async function started(partnerKey: string): Promise<string> {
  const answer = await post('/processes/partner-approval/instances', { input: { partnerKey } });
  expect(answer.status).toBe(201);
  return answer.body.workflowId;
}

async function openTaskOf(workflowId: string, stepId: string) {
  const view = await until(() => get(`/instances/${id(workflowId)}`), (a) => a.status === 200 && a.body.openTasks.some((t: { stepId: string }) => t.stepId === stepId), `task ${stepId}`);
  return view.body.openTasks.find((t: { stepId: string }) => t.stepId === stepId);
}

async function upload(workflowId: string, taskId: string, bytes: Buffer, key = ivy) {
  const form = new FormData();
  form.append('file', new Blob([bytes], { type: 'application/pdf' }), 'kyc.pdf');
  return call(api.url, 'POST', `/instances/${id(workflowId)}/tasks/${encodeURIComponent(taskId)}/uploads`, { key, body: form });
}

describe('sign-in', () => {
  it('refuses a request without credentials with 401, saying how to sign in', async () => {
    const answer = await call(api.url, 'GET', '/processes');
    expect(answer.status).toBe(401);
    expect(answer.type).toContain('application/problem+json');
    expect(answer.headers.get('www-authenticate')).toContain('Bearer');
    expect(answer.body).toMatchObject({ type: '/problems/unauthenticated', status: 401, title: 'Sign-in required' });
    expect(answer.body.detail).toContain('Authorization: Bearer');
  });

  it('refuses a forged key and a revoked key alike, without saying which', async () => {
    const forged = await get('/processes', 'ops_AAAAAAAAAAAA_' + 'x'.repeat(43));
    const issued = api.keys.issue('carla.mendes');
    api.keys.revoke(issued.summary.id);
    const revoked = await get('/processes', issued.key);
    expect(forged.status).toBe(401);
    expect(revoked.status).toBe(401);
    expect(revoked.body.detail).toBe(forged.body.detail);
  });
});

describe('starting', () => {
  it('starts an instance, and returns the running one for the same business key instead of a duplicate', async () => {
    const first = await post('/processes/partner-approval/instances', { input: { partnerKey: 'acme' } });
    const again = await post('/processes/partner-approval/instances', { input: { partnerKey: 'acme' } }, carla);
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({ workflowId: 'partner-approval/acme', created: true });
    expect(again.status).toBe(200);
    expect(again.body).toEqual({ ...first.body, created: false });
    const refused = await post('/processes/partner-approval/instances?onConflict=fail', { input: { partnerKey: 'acme' } });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ type: '/problems/conflict', detail: 'an instance with this business key is already running: partner-approval/acme' });
  });

  it('answers 400 naming each field of the input at fault, and starts nothing', async () => {
    const answer = await post('/processes/partner-approval/instances', { input: { partnerKey: 'x', workflowId: 'mine' } });
    expect(answer.status).toBe(400);
    expect(answer.body).toMatchObject({ type: '/problems/invalid-input', status: 400 });
    expect(answer.body.errors).toEqual(expect.arrayContaining([
      { field: 'body.input.partnerKey', message: 'must NOT have fewer than 2 characters' },
      // No way to pick a workflow id past the business key, not even through the input.
      { field: 'body.input.workflowId', message: "is not a field of this process's input" },
    ]));
    expect(answer.body.errors).toHaveLength(2);
    const bad = await post('/processes/partner-approval/instances?onConflict=sometimes', {});
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].field).toBe('querystring.onConflict');
  });

  it('answers 404 for an unknown process, suggesting the near one', async () => {
    const answer = await post('/processes/partner-aproval/instances', { input: { partnerKey: 'zz' } });
    expect(answer.status).toBe(404);
    expect(answer.body.detail).toContain("unknown process 'partner-aproval'");
    expect(answer.body.detail).toContain('partner-approval');
  });
});

describe('an instance from start to end', () => {
  it('lists it, shows it, takes a file and a decision from its role holder only, and follows an event', async () => {
    const workflowId = await started('globex');
    const review = await openTaskOf(workflowId, 'review');

    // My tasks: the iod holder sees it, the cam holder does not.
    const mine = await until(() => get('/tasks'), (a) => a.body.tasks?.some((t: { workflowId: string }) => t.workflowId === workflowId), 'my tasks');
    expect(mine.body.tasks.find((t: { workflowId: string }) => t.workflowId === workflowId)).toMatchObject({ process: 'partner-approval', businessKey: 'globex', stage: 'review', overdue: false, task: { id: review.id } });
    expect((await get('/tasks', carla)).body.tasks.some((t: { workflowId: string }) => t.workflowId === workflowId)).toBe(false);

    // Listing through visibility, by stage and by role.
    const listed = await until(() => get('/instances?process=partner-approval&stage=review&role=iod&businessKey=globex&status=running'), (a) => a.body.instances?.length === 1, 'the listing');
    expect(listed.body.instances[0]).toMatchObject({ workflowId, process: 'partner-approval', version: '2', businessKey: 'globex', stage: 'review', openTaskRoles: ['iod'], status: 'running' });

    // A file for the form: only for the task's role, and read back byte for byte.
    const pdf = Buffer.from('%PDF-1.4 kyc evidence');
    expect((await upload(workflowId, review.id, pdf, carla)).status).toBe(403);
    const uploaded = await upload(workflowId, review.id, pdf);
    expect(uploaded.status).toBe(201);
    expect(uploaded.body).toMatchObject({ name: 'kyc.pdf', contentType: 'application/pdf', size: pdf.length, uploadedBy: 'ivy.chan' });
    const back = await fetch(`${api.url}${uploaded.body.url}`, { headers: { authorization: `Bearer ${ivy}` } });
    expect(Buffer.from(await back.arrayBuffer())).toEqual(pdf);

    // Decisions: the wrong role, a wrong outcome, a missing comment and a bad form are refused up front.
    const route = `/instances/${id(workflowId)}/tasks/${encodeURIComponent(review.id)}/decision`;
    const wrongRole = await post(route, { outcome: 'approve', form: { kycFile: uploaded.body.id } }, carla);
    expect(wrongRole.status).toBe(403);
    expect(wrongRole.body).toMatchObject({ type: '/problems/forbidden', detail: `task '${review.id}' is for iod; you hold cam` });
    const wrongOutcome = await post(route, { outcome: 'approved' });
    expect(wrongOutcome.status).toBe(400);
    expect(wrongOutcome.body.errors).toEqual([{ field: 'body.outcome', message: 'must be one of approve, reject' }]);
    expect((await post(route, { outcome: 'reject' })).body.errors).toEqual([{ field: 'body.comment', message: 'is required for this outcome' }]);
    expect((await post(route, { outcome: 'approve', form: {} })).body.errors).toEqual([{ field: 'body.form.kycFile', message: 'is required' }]);

    // The decision carries the signed-in person, whatever the body claims.
    const decided = await post(route, { outcome: 'approve', form: { kycFile: uploaded.body.id }, actor: { id: 'mallory', roles: ['admin'] } });
    expect(decided.status).toBe(200);
    expect(decided.body).toMatchObject({ taskId: review.id, outcome: 'approve' });
    const twice = await post(route, { outcome: 'approve', form: { kycFile: uploaded.body.id } });
    expect(twice.status).toBe(409);
    expect(twice.body.detail).toContain('was already decided (approve)');

    // The event by business key moves it on to the welcome task.
    const event = await post('/events', { process: 'partner-approval', businessKey: 'globex', name: 'contract-signed', payload: { envelope: 'E-1' } });
    expect(event.status).toBe(202);
    await openTaskOf(workflowId, 'welcome');
    const view = (await get(`/instances/${id(workflowId)}`)).body;
    expect(view).toMatchObject({ status: 'running', stage: 'welcome', businessKey: 'globex' });
    expect(view.audit).toEqual(expect.arrayContaining([
      expect.objectContaining({ event: 'decision', taskId: review.id, actor: 'ivy.chan', outcome: 'approve' }),
      expect.objectContaining({ event: 'event', detail: 'contract-signed' }),
    ]));
    expect(view.audit.some((a: { actor?: string }) => a.actor === 'mallory')).toBe(false);
  });

  it('sends an event by workflow id, and 404s an instance that does not exist', async () => {
    const workflowId = await started('initech');
    const review = await openTaskOf(workflowId, 'review');
    const early = await post(`/instances/${id(workflowId)}/events`, { name: 'contract-signed' });
    expect(early.status).toBe(202);
    const kyc = await upload(workflowId, review.id, Buffer.from('kyc'));
    await post(`/instances/${id(workflowId)}/tasks/${encodeURIComponent(review.id)}/decision`, { outcome: 'approve', form: { kycFile: kyc.body.id } });
    // The event arrived before the step waited: it was kept, so the instance goes straight to welcome.
    await openTaskOf(workflowId, 'welcome');
    const missing = await post(`/instances/${id('partner-approval/nobody')}/events`, { name: 'contract-signed' });
    expect(missing.status).toBe(404);
    expect(missing.body).toMatchObject({ type: '/problems/not-found', detail: "no instance 'partner-approval/nobody'" });
  });

  it('cancels with a reason that the instance view shows with who asked', async () => {
    const workflowId = await started('umbrella');
    await openTaskOf(workflowId, 'review');
    const tooShort = await post(`/instances/${id(workflowId)}/cancel`, { reason: '' });
    expect(tooShort.status).toBe(400);
    expect(tooShort.body.errors[0].field).toBe('body.reason');
    const cancelled = await post(`/instances/${id(workflowId)}/cancel`, { reason: 'partner withdrew the request' }, carla);
    expect(cancelled.status).toBe(202);
    const view = await until(() => get(`/instances/${id(workflowId)}`), (a) => a.body.status === 'cancelled', 'the cancellation');
    expect(view.body).toMatchObject({ status: 'cancelled', outcome: 'cancelled', reason: 'partner withdrew the request', openTasks: [] });
    expect(view.body.audit.at(-1)).toMatchObject({ event: 'ended', actor: 'carla.mendes', outcome: 'cancelled', detail: 'partner withdrew the request' });
    // The instance's own trail says so (the API reads no history for it), and its tasks are closed.
    const own = await env.client.workflow.getHandle(workflowId).query(stateQuery);
    expect(own).toMatchObject({ status: 'cancelled', reason: 'partner withdrew the request', openTasks: [] });
    expect(own.audit.filter((e) => e.event === 'ended')).toEqual([expect.objectContaining({ actor: 'carla.mendes', detail: 'partner withdrew the request' })]);
    const again = await post(`/instances/${id(workflowId)}/cancel`, { reason: 'once more' });
    expect(again.status).toBe(409);
  });

  it('pages through a listing with the next-page token', async () => {
    await Promise.all(['page-1', 'page-2', 'page-3'].map(started));
    const query = '/instances?process=partner-approval&businessKey=';
    const everything = async () => (await Promise.all(['page-1', 'page-2', 'page-3'].map((key) => get(`${query}${key}`)))).flatMap((a) => a.body.instances ?? []);
    await until(everything, (found) => found.length === 3, 'all three in visibility');
    const ids: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await get(`/instances?process=partner-approval&pageSize=2${token ? `&nextPageToken=${encodeURIComponent(token)}` : ''}`);
      expect(page.status).toBe(200);
      expect(page.body.instances.length).toBeLessThanOrEqual(2);
      ids.push(...page.body.instances.map((i: { workflowId: string }) => i.workflowId));
      token = page.body.nextPageToken;
      pages++;
    } while (token);
    expect(pages).toBeGreaterThan(1);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toEqual(expect.arrayContaining(['partner-approval/page-1', 'partner-approval/page-2', 'partner-approval/page-3']));
  });
});

describe('decisions signed in with OpenID Connect', () => {
  it('carry the roles of the token\'s roles claim: a claimed role decides, a role not claimed or a missing claim is refused', async () => {
    const workflowId = await started('vandelay');
    const review = await openTaskOf(workflowId, 'review');
    const bearer = async (claims: Record<string, unknown>) => `Bearer ${await idp.token(claims)}`;
    const route = `/instances/${id(workflowId)}/tasks/${encodeURIComponent(review.id)}/decision`;
    const decide = async (authorization: string, body: unknown) => call(oidcApi.url, 'POST', route, { body, headers: { authorization } });

    // ivy.chan holds iod in the directory, but her token claims only cam, then nothing.
    const claimsCam = await decide(await bearer({ email: 'ivy.chan@example.com', groups: ['cam'] }), { outcome: 'approve', form: { kycFile: 'upl_x' } });
    expect(claimsCam.status).toBe(403);
    expect(claimsCam.body.detail).toBe(`task '${review.id}' is for iod; you hold cam`);
    const claimsNothing = await decide(await bearer({ email: 'ivy.chan@example.com' }), { outcome: 'approve', form: { kycFile: 'upl_x' } });
    expect(claimsNothing.status).toBe(403);
    expect(claimsNothing.body.detail).toBe(`task '${review.id}' is for iod; you hold no role`);

    // carla.mendes holds only cam in the directory; her token claims iod, which the identity provider decides.
    const carlaIod = await bearer({ email: 'carla.mendes@example.com', groups: ['iod'] });
    const form = new FormData();
    form.append('file', new Blob([Buffer.from('%PDF-1.4 kyc')], { type: 'application/pdf' }), 'kyc.pdf');
    const uploaded = await call(oidcApi.url, 'POST', `/instances/${id(workflowId)}/tasks/${encodeURIComponent(review.id)}/uploads`, { body: form, headers: { authorization: carlaIod } });
    expect(uploaded.status).toBe(201);
    const decided = await decide(carlaIod, { outcome: 'approve', form: { kycFile: uploaded.body.id } });
    expect(decided.status).toBe(200);
    const view = await until(() => get(`/instances/${id(workflowId)}`), (a) => a.body.audit?.some((e: { event: string }) => e.event === 'decision'), 'the decision');
    expect(view.body.audit).toEqual(expect.arrayContaining([expect.objectContaining({ event: 'decision', taskId: review.id, actor: 'carla.mendes', outcome: 'approve' })]));
  });
});

describe('limits and refusals', () => {
  it('answers 413 for an upload over the limit and 415 for one that is not multipart', async () => {
    const workflowId = await started('big-file');
    const review = await openTaskOf(workflowId, 'review');
    const tooBig = await upload(workflowId, review.id, Buffer.alloc(65 * 1024, 1));
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.type).toBe('/problems/too-large');
    const notMultipart = await post(`/instances/${id(workflowId)}/tasks/${encodeURIComponent(review.id)}/uploads`, { file: 'x' });
    expect(notMultipart.status).toBe(415);
  });

  it('answers 429 with Retry-After once a key has used its writes for the minute, counting per key', async () => {
    const limited = await startTestApi(env.client, [await compile(approval)], { writesPerMinute: 2 });
    try {
      const key = limited.keyFor('ivy.chan');
      const other = limited.keyFor('ian.ng');
      const send = (k: string) => call(limited.url, 'POST', '/events', { key: k, body: { process: 'partner-approval', businessKey: 'nobody', name: 'x' } });
      expect((await send(key)).status).toBe(404);
      expect((await send(key)).status).toBe(404);
      const third = await send(key);
      expect(third.status).toBe(429);
      expect(third.headers.get('retry-after')).toMatch(/^\d+$/);
      expect(third.body).toMatchObject({ type: '/problems/rate-limited', status: 429 });
      expect(third.body.detail).toContain('at most 2 write requests per minute per key');
      expect((await send(other)).status).toBe(404);
      // Reads are not limited.
      expect((await call(limited.url, 'GET', '/processes', { key })).status).toBe(200);
    } finally {
      await limited.close();
    }
  });
});

describe('the OpenAPI document', () => {
  it('is served by the API and passes the Redocly linter without a warning', async () => {
    const answer = await call(api.url, 'GET', '/openapi.json');
    expect(answer.status).toBe(200);
    expect(answer.body.openapi).toBe('3.1.0');
    expect(Object.keys(answer.body.paths)).toEqual(expect.arrayContaining(['/processes/{process}/instances', '/instances/{workflowId}/tasks/{taskId}/decision']));
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'openapi-')), 'openapi.json');
    writeFileSync(file, JSON.stringify(answer.body));
    const redocly = path.join(__dirname, '..', 'node_modules', '.bin', 'redocly');
    const { stdout, stderr } = await promisify(execFile)(redocly, ['lint', file, '--format=summary'], { env: { ...process.env, REDOCLY_TELEMETRY: 'off', REDOCLY_SUPPRESS_UPDATE_NOTICE: 'true' } });
    const output = `${stdout}\n${stderr}`;
    expect(output).toContain('Your API description is valid');
    expect(output).not.toMatch(/You have \d+ (warning|error)/);
  });
});

describe('the CLI over the API', () => {
  // Each command is a fresh tsx process: seconds each on a loaded 2-core machine.
  jest.setTimeout(300_000);
  const tsx = path.join(__dirname, '..', 'node_modules', '.bin', 'tsx');
  const cliPath = path.join(__dirname, '..', 'cli', 'index.ts');
  async function cli(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(tsx, [cliPath, ...args], { env: { ...process.env, OPS_API_URL: api.url, OPS_API_KEY: ivy, ...env } }, (error, stdout, stderr) =>
        resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  it('starts, lists my tasks, refuses and takes decisions, shows and cancels, as the key’s person', async () => {
    const first = await cli(['start', 'partner-approval', '--input', '{"partnerKey":"cli-1"}']);
    expect(first).toMatchObject({ code: 0, stdout: 'started partner-approval/cli-1\n' });
    expect((await cli(['start', 'partner-approval', '--input', '{"partnerKey":"cli-1"}'])).stdout).toBe('already running: partner-approval/cli-1\n');
    const review = await openTaskOf('partner-approval/cli-1', 'review');

    const mine = await cli(['tasks']);
    expect(mine.stdout.split('\n')[0]).toMatch(/^INSTANCE\s+TASK\s+TITLE\s+OUTCOMES\s+DUE$/);
    expect(mine.stdout).toMatch(new RegExp(`partner-approval/cli-1\\s+${review.id.replace('#', '\\#')}\\s+Review cli-1\\s+approve \\| reject`));
    const asJson = JSON.parse((await cli(['tasks', '--json'])).stdout);
    expect(asJson.some((t: { workflowId: string }) => t.workflowId === 'partner-approval/cli-1')).toBe(true);

    const refused = await cli(['decide', 'partner-approval/cli-1', review.id, 'approve', '--form', '{"kycFile":"upl_x"}'], { OPS_API_KEY: carla });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(`decide: 403 Not allowed: task '${review.id}' is for iod; you hold cam\n`);
    const badForm = await cli(['decide', 'partner-approval/cli-1', review.id, 'approve', '--form', '{kycFile}']);
    expect(badForm.code).toBe(2);
    expect(badForm.stderr).toMatch(/^decide: --form is not a JSON object/);
    const decided = await cli(['decide', 'partner-approval/cli-1', review.id, 'approve', '--form', '{"kycFile":"upl_x"}']);
    expect(decided.code).toBe(0);
    expect(decided.stdout).toMatch(new RegExp(`^${review.id}: approve at \\d{4}-`));

    const shown = JSON.parse((await cli(['show', 'partner-approval/cli-1', '--json'])).stdout);
    expect(shown).toMatchObject({ workflowId: 'partner-approval/cli-1', stage: 'contract' });
    const cancelled = await cli(['cancel', 'partner-approval/cli-1', '--reason', 'duplicate request']);
    expect(cancelled.stdout).toBe('cancel requested for partner-approval/cli-1\n');
  });

  it('says plainly, within seconds, when the API cannot be reached or a file is missing', async () => {
    const began = Date.now();
    const unreachable = await cli(['tasks'], { OPS_API_URL: 'http://127.0.0.1:9' });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toBe('tasks: cannot reach the ops API at http://127.0.0.1:9: connection refused (is `npm start` running? set OPS_API_URL to its address)\n');
    // Mostly tsx starting up: the refusal itself is immediate.
    expect(Date.now() - began).toBeLessThan(20_000);
    const missing = await cli(['validate', 'no-such-file.yaml']);
    expect(missing).toMatchObject({ code: 1, stderr: 'validate: cannot read no-such-file.yaml: no such file\n' });
    const help = await cli(['start', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('usage: npm run cli -- start <process>');
  });

  it('issues, lists and revokes keys for people of the directory, and refuses an unknown person', async () => {
    const keysFile = path.join(mkdtempSync(path.join(tmpdir(), 'cli-keys-')), 'keys.json');
    const issued = JSON.parse((await cli(['keys', 'issue', 'ivy.chan', '--label', 'laptop', '--json'], { OPS_API_KEYS_FILE: keysFile })).stdout);
    expect(issued).toMatchObject({ person: 'ivy.chan', label: 'laptop', key: expect.stringMatching(/^ops_/) });
    const listed = await cli(['keys', 'list'], { OPS_API_KEYS_FILE: keysFile });
    expect(listed.stdout).toMatch(new RegExp(`${issued.id}\\s+ivy.chan\\s+laptop`));
    expect(listed.stdout).not.toContain(issued.key);
    expect((await cli(['keys', 'revoke', issued.id], { OPS_API_KEYS_FILE: keysFile })).stdout).toBe(`key ${issued.id} revoked\n`);
    const unknown = await cli(['keys', 'issue', 'ivy.chen'], { OPS_API_KEYS_FILE: keysFile });
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("no person 'ivy.chen' in the people directory");
  });
});
