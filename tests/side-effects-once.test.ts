/**
 * Side effects once, on the dev server: each business run has idempotency keys of its own (a later
 * instance on the same business key creates its own records, never finds the earlier run's), and an
 * activity whose worker is killed with SIGKILL is retried by another worker within seconds (heartbeats)
 * without a second record in the vendor's fake. SMTP cannot be asked whether an e-mail arrived: an e-mail
 * lost mid-send goes again under the same Message-ID, and the audit trail says it may have gone twice.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startActivities } from '../activities';
import { startFakes, type Sandbox } from '../fakes';
import type { EmailFake } from '../fakes/email/fake';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import { startProcess } from '../client/processes';
import { bundleWorkflows, createWorker, TASK_QUEUE } from '../worker';
import { possibleDuplicateNote } from '../workflows/notifications';
import { devServerEnvironment } from './support/environments';
import { compile, state } from './support/processes';

const welcome = `
process: welcome-once
version: 1
title: Welcome a partner
business-key: input.partnerKey
roles: { ops: Operations }
input:
  type: object
  required: [partnerKey]
  properties: { partnerKey: { type: string } }
steps:
  - id: ticket
    call: hubspot.createTicket
    with: { subject: "='Welcome ' & input.partnerKey", pipeline: Number reservation, stage: New request }
    result: ticket
  - id: mail
    call: email.send
    with: { to: ops@partner.example, subject: "='Welcome ' & input.partnerKey", text: Hello }
    result: mail
`;

let env: TestWorkflowEnvironment;
let bundle: WorkflowBundle;
let sandbox: Sandbox;
let hubspot: HubSpotFake;
let email: EmailFake;
const scratch = mkdtempSync(path.join(tmpdir(), 'engine-side-effects-'));
const bundleFile = path.join(scratch, 'workflow-bundle.js');
/** Milliseconds from the SIGKILL until the lost call reached the vendor again. */
let retried = 0;

beforeAll(async () => {
  [env, bundle, sandbox] = await Promise.all([devServerEnvironment(), bundleWorkflows(), startFakes({})]);
  writeFileSync(bundleFile, bundle.code);
  hubspot = sandbox.fake<HubSpotFake>('hubspot');
  email = sandbox.fake<EmailFake>('email');
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  await env?.teardown();
  rmSync(scratch, { recursive: true, force: true });
});

const ticketsAbout = (partnerKey: string) => hubspot.records('tickets').filter((t) => t.properties.subject === `Welcome ${partnerKey}`);
const mailsAbout = (partnerKey: string) => email.messages.filter((m) => m.subject === `Welcome ${partnerKey}`);

/** A worker in its own process (tests/support/worker-process.ts), resolved once it polls. */
async function workerProcess(): Promise<ChildProcess> {
  const child = spawn('npx', ['tsx', 'tests/support/worker-process.ts'], {
    cwd: path.join(__dirname, '..'),
    env: { ...process.env, ...sandbox.env, TEMPORAL_ADDRESS: env.connection.options.address, WORKFLOW_BUNDLE: bundleFile },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (chunk: Buffer) => chunk.toString().includes('worker ready') && resolve());
    child.once('exit', (code) => reject(new Error(`the worker process exited with ${code} before it was ready`)));
  });
  return child;
}

/** Kills the worker's whole process group (npx, tsx, node) at once, as a crash would. */
function killed(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function until(done: () => boolean, what: string, ms = 60_000): Promise<void> {
  for (const end = Date.now() + ms; !done(); ) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

it('gives a later instance on the same business key its own records: a new ticket and a new e-mail, not the first run\'s', async () => {
  const definition = await compile(welcome);
  const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: startActivities(sandbox.env).activities });
  await worker.runUntil(async () => {
    const first = await startProcess(env.client, definition, { partnerKey: 'p-again' });
    expect(await first.result()).toMatchObject({ status: 'completed' });
    const second = await startProcess(env.client, definition, { partnerKey: 'p-again' });
    expect(second.workflowId).toBe(first.workflowId);
    expect(await second.result()).toMatchObject({ status: 'completed' });
  });
  const tickets = ticketsAbout('p-again');
  expect(tickets).toHaveLength(2);
  expect(new Set(tickets.map((t) => t.properties.wf_request_key)).size).toBe(2);
  const mails = mailsAbout('p-again');
  expect(mails).toHaveLength(2);
  expect(mails[0].messageId).not.toBe(mails[1].messageId);
  expect(email.duplicates).toEqual([]);
});

it('retries a ticket create lost with its killed worker on the other worker within seconds, and finds the ticket instead of making a second', async () => {
  const definition = await compile(welcome);
  const doomed = await workerProcess();
  try {
    // A first instance warms the worker's pipeline cache, so the next HubSpot request is the create itself.
    const warm = await startProcess(env.client, definition, { partnerKey: 'p-warm' });
    expect(await warm.result()).toMatchObject({ status: 'completed' });
    hubspot.injectFault({ kind: 'delay', delayMs: 30_000 });
    const handle = await startProcess(env.client, definition, { partnerKey: 'p-kill-create' });
    await until(() => ticketsAbout('p-kill-create').length === 1, 'the ticket (its answer held back)');
    const survivor = await createWorker({ connection: env.nativeConnection, workflowBundle: bundle, activities: startActivities(sandbox.env).activities });
    const upserts = () => hubspot.journal.filter((e) => e.operation === 'objects.batchUpsert').length;
    const upsertsBefore = upserts();
    killed(doomed);
    const killedAt = Date.now();

    const result = await survivor.runUntil(async () => {
      await until(() => upserts() > upsertsBefore, 'the retried create');
      retried = Date.now() - killedAt;
      return handle.result();
    });
    const finished = Date.now() - killedAt;
    console.log(`ticket create after a SIGKILL: retried on the other worker after ${retried} ms, instance completed after ${finished} ms`);
    expect(retried).toBeLessThan(10_000);
    expect(finished).toBeLessThan(15_000);
    const tickets = ticketsAbout('p-kill-create');
    expect(tickets).toHaveLength(1);
    expect(result).toMatchObject({ status: 'completed', variables: { ticket: { id: tickets[0].id, created: false } } });
  } finally {
    killed(doomed);
  }
}, 120_000);

/**
 * The welcome e-mail on a worker process killed with SIGKILL while the mail server holds the message (its
 * 250 held back), and a worker in this process to carry on; `beforeKill` runs just before the kill.
 */
async function mailLostMidSend(partnerKey: string, beforeKill?: () => void) {
  const definition = await compile(welcome);
  const doomed = await workerProcess();
  try {
    email.injectFault({ kind: 'delay', delayMs: 30_000 });
    const handle = await startProcess(env.client, definition, { partnerKey });
    await until(() => mailsAbout(partnerKey).length === 1, 'the e-mail (its 250 held back)');
    beforeKill?.();
    const survivor = await createWorker({ connection: env.nativeConnection, workflowBundle: bundle, activities: startActivities(sandbox.env).activities });
    return { handle, survivor, killedAt: Date.now() };
  } finally {
    killed(doomed);
  }
}

/** Sent twice under one Message-ID, the instance completed, and its audit saying the e-mail may have gone twice. */
function expectSentTwiceAndFlagged(partnerKey: string, ended: unknown, audit: unknown[]): void {
  const mails = mailsAbout(partnerKey);
  expect(mails).toHaveLength(2);
  expect(mails[1].messageId).toBe(mails[0].messageId);
  expect(ended).toMatchObject({ status: 'completed', variables: { mail: { possibleDuplicate: true } } });
  expect(audit).toContainEqual(expect.objectContaining({ event: 'notified', stepId: 'mail', detail: `email.send: ${possibleDuplicateNote(mails[0].messageId)}` }));
}

it('sends an e-mail lost mid-send again within seconds under the same Message-ID, and the audit says it may have gone twice', async () => {
  const { handle, survivor, killedAt } = await mailLostMidSend('p-kill-mail');
  const result = await survivor.runUntil(async () => {
    await until(() => mailsAbout('p-kill-mail').length === 2, 'the e-mail sent again');
    retried = Date.now() - killedAt;
    const ended = await handle.result();
    return { ended, audit: (await state(handle)).audit };
  });
  const finished = Date.now() - killedAt;
  console.log(`e-mail after a SIGKILL: sent again by the other worker after ${retried} ms, instance completed after ${finished} ms`);
  expect(retried).toBeLessThan(10_000);
  expect(finished).toBeLessThan(15_000);
  expectSentTwiceAndFlagged('p-kill-mail', result.ended, result.audit);
}, 120_000);

it('flags an e-mail lost mid-send whose next attempt was refused with a 4xx: the attempt after that sends it again, and the audit still says it may have gone twice', async () => {
  // The server is busy when the other worker retries: its first try is refused (nothing delivered), the next one sends.
  const { handle, survivor } = await mailLostMidSend('p-kill-then-451', () => email.injectFault({ kind: 'reply', code: 451, command: 'DATA', message: '4.3.2 try again later' }));
  const result = await survivor.runUntil(async () => ({ ended: await handle.result(), audit: (await state(handle)).audit }));
  expectSentTwiceAndFlagged('p-kill-then-451', result.ended, result.audit);
}, 120_000);

it('does not send an e-mail again when the attempt before recorded that the server had accepted it', async () => {
  const { emailConnector } = await import('../activities/email');
  const client = emailConnector.createClient(emailConnector.configFromEnv(sandbox.env)!);
  const send = emailConnector.actions.find((a) => a.name === 'email.send')!;
  const input = send.input.parse({ to: 'ops@partner.example', subject: 'Welcome p-recorded', text: 'Hello' });
  const checkpoints: unknown[] = [];
  const context = { idempotencyKey: 'welcome-once/p-recorded:run-1:mail', signal: new AbortController().signal, checkpoint: (d: unknown) => checkpoints.push(d) };
  try {
    const first = await send.run(client, input, { ...context, attempt: 1 });
    // The worker died after the server's 250 was recorded, before Temporal heard the result: attempt 2 finds the record.
    const again = await send.run(client, input, { ...context, attempt: 2, previous: checkpoints.at(-1) });
    expect(again).toEqual({ ...first, alreadySent: true });
    expect(mailsAbout('p-recorded')).toHaveLength(1);
  } finally {
    client.close();
  }
});

/** The e-mail action called directly, as attempts of one step would call it, with the checkpoints they record. */
async function attemptsOf(partnerKey: string) {
  const { emailConnector } = await import('../activities/email');
  const client = emailConnector.createClient(emailConnector.configFromEnv(sandbox.env)!);
  const send = emailConnector.actions.find((a) => a.name === 'email.send')!;
  const input = send.input.parse({ to: 'ops@partner.example', subject: `Welcome ${partnerKey}`, text: 'Hello' });
  const checkpoints: unknown[] = [];
  const context = { idempotencyKey: `welcome-once/${partnerKey}:run-1:mail`, signal: new AbortController().signal, checkpoint: (d: unknown) => checkpoints.push(d) };
  return { client, checkpoints, run: (attempt: number, previous?: unknown) => send.run(client, input, { ...context, attempt, previous }) };
}

it('flags an e-mail sent again by a retry that finds no record of the attempt before (its worker died before its first checkpoint reached Temporal)', async () => {
  const attempts = await attemptsOf('p-no-record');
  try {
    await attempts.run(1);
    const again = await attempts.run(2, undefined);
    expect(again).toMatchObject({ possibleDuplicate: true });
    expect(mailsAbout('p-no-record')).toHaveLength(2);
  } finally {
    attempts.client.close();
  }
});

it('still flags an e-mail when the attempt that finds "sent" follows a flagged resend whose answer was lost', async () => {
  const attempts = await attemptsOf('p-sent-after-doubt');
  try {
    await attempts.run(1);
    const lostMidSend = attempts.checkpoints[0];
    const resent = await attempts.run(2, lostMidSend);
    expect(resent).toMatchObject({ possibleDuplicate: true });
    // Attempt 2's worker died after recording "sent": attempt 3 sends nothing, and still says the e-mail may have gone twice.
    const found = await attempts.run(3, attempts.checkpoints.at(-1));
    expect(found).toMatchObject({ alreadySent: true, possibleDuplicate: true });
    expect(mailsAbout('p-sent-after-doubt')).toHaveLength(2);
  } finally {
    attempts.client.close();
  }
});

it('does not flag an e-mail as possibly sent twice when the attempt before was refused with a 4xx', async () => {
  const { emailConnector } = await import('../activities/email');
  const client = emailConnector.createClient(emailConnector.configFromEnv(sandbox.env)!);
  const send = emailConnector.actions.find((a) => a.name === 'email.send')!;
  const input = send.input.parse({ to: 'ops@partner.example', subject: 'Welcome p-refused', text: 'Hello' });
  const checkpoints: unknown[] = [];
  const context = { idempotencyKey: 'welcome-once/p-refused:run-1:mail', signal: new AbortController().signal, checkpoint: (d: unknown) => checkpoints.push(d) };
  try {
    email.injectFault({ kind: 'reply', code: 451, command: 'DATA' });
    await expect(send.run(client, input, { ...context, attempt: 1 })).rejects.toThrow(/451/);
    const again = await send.run(client, input, { ...context, attempt: 2, previous: checkpoints.at(-1) });
    expect(again).not.toHaveProperty('possibleDuplicate');
    expect(mailsAbout('p-refused')).toHaveLength(1);
  } finally {
    client.close();
  }
});
