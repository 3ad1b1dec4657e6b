/**
 * Scenarios on the Temporal CLI's dev server, the product's embedded default: instances are found by
 * process, stage and role through search attributes; they survive their worker being killed and the
 * server being restarted on its SQLite file.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkflowBundle } from '@temporalio/worker';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startActivities, type StartedActivities } from '../activities';
import { startFakes, type Sandbox } from '../fakes';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import { startDevServer } from '../client/dev-server';
import { listInstances } from '../client/instances';
import { startProcess } from '../client/processes';
import { bundleWorkflows, TASK_QUEUE } from '../worker';
import { decideUpdate, searchAttributes } from '../workflows/messages';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { devServerEnvironment } from './support/environments';
import { compile, openTask, person, state } from './support/processes';

let bundle: WorkflowBundle;
let connectors: StartedActivities;
let sandbox: Sandbox;
const dataDir = mkdtempSync(path.join(tmpdir(), 'engine-dev-server-'));

beforeAll(async () => {
  [bundle, sandbox] = await Promise.all([bundleWorkflows(), startFakes({})]);
  connectors = startActivities(sandbox.env);
}, 120_000);

afterAll(async () => {
  await sandbox?.close();
  rmSync(dataDir, { recursive: true, force: true });
});

const approval = `
process: partner-approval
version: 3
title: Approve a partner
business-key: input.partnerKey
roles: { cam: Channel account manager, iod: IOD team }
input:
  type: object
  required: [partnerKey]
  properties: { partnerKey: { type: string } }
stages: [review, approved]
steps:
  - id: review
    stage: review
    task: { role: iod, title: "Review {{ input.partnerKey }}", outcomes: { approve: {} } }
  - id: approved
    stage: approved
    task: { role: cam, title: Welcome the partner, outcomes: { done: {} } }
`;

async function poll<T>(read: () => Promise<T>, done: (value: T) => boolean, what: string): Promise<T> {
  for (let attempt = 0; attempt < 150; attempt++) {
    const value = await read();
    if (done(value)) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

async function listIds(client: Client, query: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query })) ids.push(execution.workflowId);
  return ids.sort();
}

describe('on one dev server', () => {
  let env: TestWorkflowEnvironment;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    // A low threshold makes the server suggest continue-as-new after a few steps.
    env = await devServerEnvironment({ extraArgs: ['--dynamic-config-value', 'limit.historyCount.suggestContinueAsNew=20'] });
    worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: connectors.activities });
    running = worker.run();
  }, 120_000);

  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
  });

  it('lists instances by process, stage and open-task role through search attributes', async () => {
    const definition = await compile(approval);
    const first = await startProcess(env.client, definition, { partnerKey: 'p-1' });
    const second = await startProcess(env.client, definition, { partnerKey: 'p-2' });
    const task = await openTask(second);
    await second.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', actor: person('ivy.chan') }] });
    await openTask(second, (t) => t.stepId === 'approved');

    const inReview = "ProcessName = 'partner-approval' AND Stage = 'review' AND OpenTaskRoles = 'iod' AND ExecutionStatus = 'Running'";
    const welcoming = "ProcessName = 'partner-approval' AND Stage = 'approved' AND OpenTaskRoles = 'cam'";
    expect(await poll(() => listIds(env.client, inReview), (ids) => ids.length === 1, 'the review instance')).toEqual([first.workflowId]);
    expect(await poll(() => listIds(env.client, welcoming), (ids) => ids.length === 1, 'the approved instance')).toEqual([second.workflowId]);
    expect(await listIds(env.client, "BusinessKey = 'p-2' AND ProcessVersion = '3'")).toEqual([second.workflowId]);
    expect(first.workflowId).toBe('partner-approval/p-1');
    const described = await first.describe();
    expect(described.type).toBe('partner-approval');
    expect(described.typedSearchAttributes.get(searchAttributes.processName)).toBe('partner-approval');
  });

  it('finds overdue work through OverdueSince as soon as a task is past its due date, and not once it is done', async () => {
    const definition = await compile(`
process: quick-check
version: 1
title: A check due within a second
roles: { iod: IOD team }
steps:
  - id: check
    task: { role: iod, title: Check it, due: 1 second, outcomes: { done: {} } }
`);
    const late = await startProcess(env.client, definition, {}, { workflowId: 'quick-check/late' });
    const task = await openTask(late);
    const overdue = async () => (await listInstances(env.client, { process: 'quick-check', overdue: true })).instances;
    const found = await poll(overdue, (instances) => instances.length === 1, 'the overdue instance');
    expect(found[0]).toMatchObject({ workflowId: late.workflowId, overdueSince: task.dueAt, openTaskRoles: ['iod'] });
    await late.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'done', actor: person('ivy.chan') }] });
    await late.result();
    expect(await poll(overdue, (instances) => instances.length === 0, 'the overdue flag cleared')).toEqual([]);
  });

  it('waits out a rate limit for as long as the vendor asked (Retry-After) before the activity tries again', async () => {
    const hubspot = sandbox.fake<HubSpotFake>('hubspot');
    const company = hubspot.seedCompany({ properties: { name: 'Acme Ltd' } });
    const definition = await compile(`
process: read-company
version: 1
title: Read a company while HubSpot is rate limiting
roles: { ops: Operations }
steps:
  - id: read
    call: hubspot.getCompany
    with: { companyId: "${company.id}", properties: [name] }
    retry: { initial-interval: 100 milliseconds }
    result: company
`);
    // The retry policy alone would try again after 100 ms; the vendor asks for 3 s.
    const before = hubspot.journal.length;
    hubspot.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 3 });
    const handle = await startProcess(env.client, definition, {});
    const result = await handle.result();
    expect(result.variables.company).toMatchObject({ properties: { name: 'Acme Ltd' } });
    const [limited, retried] = hubspot.journal.slice(before);
    expect([limited.status, retried.status, retried.path]).toEqual([429, 200, limited.path]);
    expect(Date.parse(retried.at) - Date.parse(limited.at)).toBeGreaterThanOrEqual(2900);
  });

  it('continues as new when Temporal suggests it, carrying variables and audit', async () => {
    // A checking loop long enough to pass the server's suggestion threshold (set low for this server).
    const definition = await compile(`
process: polling-loop
version: 1
title: Check until done
roles: { ops: Operations }
variables: { checks: 0 }
steps:
  - id: check
    set: { checks: =checks + 1 }
  - id: pause
    wait: { for: 1 second }
  - id: again
    branch:
      - when: checks < 8
        next: check
      - end: completed
`);
    const handle = await startProcess(env.client, definition, {});
    const result = await handle.result();
    expect(result).toMatchObject({ status: 'completed', variables: { checks: 8 } });
    const runs = await listIds(env.client, `WorkflowId = '${handle.workflowId}'`);
    expect(runs.length).toBeGreaterThan(1);
  });
});

describe('durability', () => {
  it('keeps an instance going when its worker is killed mid-process', async () => {
    const env = await devServerEnvironment();
    try {
      const definition = await compile(approval);
      const handle = await startProcess(env.client, definition, { partnerKey: 'p-kill' });
      const address = env.connection.options.address;
      // A data folder of its own: the developer's .data/ may hold a payload key this test's client does not have.
      const worker = spawn('npx', ['tsx', 'worker.ts'], { cwd: path.join(__dirname, '..'), env: { ...process.env, TEMPORAL_ADDRESS: address, OPS_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'ops-worker-')) }, stdio: 'ignore', detached: true });
      const task = await poll(() => state(handle).catch(() => undefined), (s) => !!s?.openTasks.length, 'the first task').then((s) => s!.openTasks[0]);
      process.kill(-worker.pid!, 'SIGKILL');

      const replacement = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: connectors.activities });
      await replacement.runUntil(async () => {
        await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', actor: person('ivy.chan') }] });
        const next = await openTask(handle, (t) => t.stepId === 'approved');
        await handle.executeUpdate(decideUpdate, { args: [{ taskId: next.id, outcome: 'done', actor: person('carla.mendes') }] });
        expect((await handle.result()).status).toBe('completed');
      });
    } finally {
      await env.teardown();
    }
  });

  it('keeps an instance parked on a 30-day wait across a restart of the dev server', async () => {
    const dbFilename = path.join(dataDir, 'restart.sqlite');
    const definition = await compile(`
process: notice-period
version: 1
title: Wait out the notice period
roles: { cam: Channel account manager }
steps:
  - id: notice
    wait: { for: 30 calendar days }
`);
    const first = await devServerEnvironment({ dbFilename });
    const handle = await startProcess(first.client, definition, {}, { workflowId: 'parked' });
    await Worker.create({ connection: first.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: connectors.activities }).then((w) =>
      w.runUntil(poll(() => handle.fetchHistory(), (h) => (h.events ?? []).some((e) => e.timerStartedEventAttributes), 'the timer')),
    );
    await first.teardown();

    const second = await devServerEnvironment({ dbFilename });
    try {
      const again = second.client.workflow.getHandle('parked');
      expect((await again.describe()).status.name).toBe('RUNNING');
      const worker = await Worker.create({ connection: second.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: connectors.activities });
      const seen = await worker.runUntil(state(again));
      expect(seen).toMatchObject({ process: 'notice-period', status: 'running', hash: definition.hash });
    } finally {
      await second.teardown();
    }
  });
});

describe('the embedded default (`npm start`)', () => {
  async function freePort(): Promise<number> {
    const server = createServer().listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const { port } = server.address() as { port: number };
    await new Promise((resolve) => server.close(resolve));
    return port;
  }

  it('serves the web UI, registers the search attributes, and keeps every instance when restarted on its SQLite file', async () => {
    const options = { dbFile: path.join(dataDir, 'embedded.sqlite'), port: await freePort(), uiPort: await freePort() };
    const definition = await compile(approval);

    let server = await startDevServer(options);
    try {
      expect((await fetch(server.uiUrl)).status).toBe(200);
      // In write-ahead-log mode, so that a burst of starts does not time its shard lease out.
      expect(existsSync(`${options.dbFile}-wal`)).toBe(true);
      const client = new Client({ connection: await Connection.connect({ address: server.address }) });
      const handle = await startProcess(client, definition, { partnerKey: 'p-embedded' });
      const connection = await NativeConnection.connect({ address: server.address });
      const worker = await Worker.create({ connection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: connectors.activities });
      await worker.runUntil(openTask(handle));
      await client.connection.close();
      await connection.close();
    } finally {
      await server.stop();
    }

    server = await startDevServer(options);
    try {
      const client = new Client({ connection: await Connection.connect({ address: server.address }) });
      const inReview = "ProcessName = 'partner-approval' AND BusinessKey = 'p-embedded' AND Stage = 'review' AND ExecutionStatus = 'Running'";
      expect(await poll(() => listIds(client, inReview), (ids) => ids.length === 1, 'the instance after the restart')).toEqual(['partner-approval/p-embedded']);
      await client.connection.close();
    } finally {
      await server.stop();
    }
  });
});
