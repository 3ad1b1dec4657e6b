/**
 * `npm run chaos`: the engine under failure. N instances of an order process (a HubSpot ticket, a
 * decision, an event, an e-mail) are driven with decisions and events while two workers on one task queue
 * are killed with SIGKILL at random moments, K times in all, the dev server is restarted once, and a share of
 * vendor calls (default 20%) is answered 429 or 503 with Retry-After. The fakes run in a process of their
 * own (fakes/serve.ts), so their records outlive every kill. Prints a table: instances started, completed,
 * lost (must be 0), duplicate records by system (must be 0), duplicate e-mails (and how many of them the
 * audit flags as possibly sent twice), and the time to recover after each kill. Exit status 1 on a loss or
 * a duplicate record.
 *
 * CHAOS_INSTANCES (20), CHAOS_KILLS (4), CHAOS_FAULT_RATE (0.2), CHAOS_VERBOSE (the workers' and fakes' logs). tests/chaos.test.ts runs a short version.
 * Instances are driven through the client layer the API uses (client/processes.ts, client/instances.ts).
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { catalogue } from '../activities';
import { startDevServer, type RunningDevServer } from '../client/dev-server';
import { sendEvent } from '../client/instances';
import { startProcess } from '../client/processes';
import { compileAll, type CompiledDefinition } from '../dsl/compile';
import { formatIssues } from '../dsl/issues';
import { bundleWorkflows } from '../worker';
import { decideUpdate, stateQuery } from '../workflows/messages';
import { POSSIBLE_DUPLICATE } from '../workflows/notifications';

const ROOT = path.join(__dirname, '..');

const ORDER = `
process: chaos-order
version: 1
title: An order under chaos
business-key: input.orderId
roles: { iod: IOD team }
input:
  type: object
  required: [orderId]
  properties: { orderId: { type: string } }
steps:
  - id: ticket
    call: hubspot.createTicket
    with: { subject: "='Order ' & input.orderId", pipeline: Number reservation, stage: New request }
    result: ticket
  - id: approve
    task: { role: iod, title: "Approve order {{ input.orderId }}", outcomes: { approve: {} } }
  - id: paid
    wait-for: { event: order-paid, timeout: 1 day, on-timeout: { end: cancelled, reason: never paid } }
  - id: confirm
    call: email.send
    with: { to: orders@partner.example, subject: "='Order ' & input.orderId & ' confirmed'", text: Confirmed }
  - id: done
    end: completed
`;

export interface ChaosOptions {
  instances: number;
  kills: number;
  faultRate: number;
  /** Give up on instances not completed by then. */
  timeoutMs: number;
  log?: (line: string) => void;
}

export interface Recovery {
  kill: number;
  /** Until an instance made progress on the other worker (undefined: no work was left to show it). */
  otherCarriedOnMs?: number;
  /** Until the killed worker was back polling. */
  backPollingMs: number;
}

export interface ChaosReport {
  started: number;
  completed: number;
  lost: string[];
  duplicateRecords: Record<string, number>;
  emailsSent: number;
  duplicateEmails: number;
  /** E-mails the audit says may have gone twice (lost mid-send; SMTP cannot tell). */
  flaggedEmails: number;
  faultsAnswered: number;
  recoveries: Recovery[];
  serverRestartMs?: number;
  elapsedMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Spawns a tsx program in its own process group and resolves with it once it prints `ready`'s line. */
async function program(script: string, env: NodeJS.ProcessEnv, ready: string): Promise<{ child: ChildProcess; line: string }> {
  // Their own logs (retried vendor calls, lost connections) are the expected noise of chaos: CHAOS_VERBOSE shows them.
  const child = spawn('npx', ['tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', process.env.CHAOS_VERBOSE ? 'inherit' : 'ignore'], detached: true });
  const line = await new Promise<string>((resolve, reject) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const found = buffered.split('\n').find((l) => l.startsWith(ready));
      if (found) resolve(found);
    });
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code} before it was ready`)));
  });
  return { child, line };
}

function killGroup(child: ChildProcess): void {
  try {
    process.kill(-child.pid!, 'SIGKILL');
  } catch {
    // already gone
  }
}

async function json<T>(url: string, init?: { method: string; body: unknown }): Promise<T> {
  const response = await fetch(url, init && { method: init.method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(init.body) });
  if (!response.ok) throw new Error(`${url}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function compileOrder(): Promise<CompiledDefinition> {
  const [result] = await compileAll([{ file: 'chaos-order.yaml', text: ORDER }], catalogue);
  if (result.issues.length) throw new Error(formatIssues('chaos-order.yaml', result.issues));
  return result.definition!;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const scratch = mkdtempSync(path.join(tmpdir(), 'engine-chaos-'));
  const children: ChildProcess[] = [];
  let server: RunningDevServer | undefined;
  try {
    const bundleFile = path.join(scratch, 'workflow-bundle.js');
    const [bundle, definition, port, uiPort] = await Promise.all([bundleWorkflows(), compileOrder(), freePort(), freePort()]);
    writeFileSync(bundleFile, bundle.code);
    const serverOptions = { dbFile: path.join(scratch, 'temporal.sqlite'), port, uiPort };
    server = await startDevServer(serverOptions);
    log(`dev server on ${server.address}`);

    const fakesProcess = await program('fakes/serve.ts', { ...process.env }, 'fakes ready ');
    children.push(fakesProcess.child);
    const fakes = JSON.parse(fakesProcess.line.slice('fakes ready '.length)) as { env: Record<string, string>; controls: Record<string, string> };
    for (const [system, control] of Object.entries(fakes.controls)) if (system !== 'email') await json(`${control}/chaos`, { method: 'POST', body: { rate: options.faultRate } });

    const workerEnv = { ...process.env, ...fakes.env, TEMPORAL_ADDRESS: server.address, WORKFLOW_BUNDLE: bundleFile };
    const startWorker = async () => {
      const { child } = await program('tests/support/worker-process.ts', workerEnv, 'worker ready');
      children.push(child);
      return child;
    };
    const workers = await Promise.all([startWorker(), startWorker()]);
    log('two workers polling');

    const client = new Client({ connection: await Connection.connect({ address: server.address }) });
    const handles: WorkflowHandle[] = [];
    for (let i = 1; i <= options.instances; i++) handles.push(await startProcess(client, definition, { orderId: `o-${i}` }));
    log(`${handles.length} instances started`);

    const completed = new Set<string>();
    const decided = new Set<string>();
    const progress = async () => {
      const tickets = await json<{ results: unknown[] }>(`${fakes.controls.hubspot}/records/tickets`).catch(() => ({ results: [] }));
      return tickets.results.length + decided.size + completed.size;
    };

    // The people and systems outside: decide each open approval, send the payment event once decided.
    let driving = true;
    const driver = (async () => {
      while (driving && completed.size < handles.length) {
        for (const handle of handles) {
          if (completed.has(handle.workflowId)) continue;
          try {
            const { status } = await handle.describe();
            if (status.name === 'COMPLETED') {
              completed.add(handle.workflowId);
              continue;
            }
            if (status.name !== 'RUNNING') continue;
            if (!decided.has(handle.workflowId)) {
              const task = (await handle.query(stateQuery)).openTasks.find((t) => t.stepId === 'approve');
              if (!task) continue;
              await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome: 'approve', actor: { id: 'ivy.chan', roles: ['iod'] } }] });
              decided.add(handle.workflowId);
            }
            // The delivery id makes a resent event reach the instance once.
            await sendEvent(client, handle.workflowId, { name: 'order-paid' }, `paid-${handle.workflowId}`);
          } catch {
            // a worker or the server is down right now: try again on the next sweep
          }
        }
        await sleep(300);
      }
    })();

    // The chaos: SIGKILL a worker at random moments, restart the dev server once, halfway.
    const recoveries: Recovery[] = [];
    let serverRestartMs: number | undefined;
    for (let kill = 1; kill <= options.kills; kill++) {
      await sleep(1500 + Math.random() * 3000);
      const victim = kill % 2;
      killGroup(workers[victim]);
      const killedAt = Date.now();
      const before = await progress();
      const carriedOn = (async () => {
        for (const end = killedAt + 30_000; Date.now() < end && completed.size < handles.length; await sleep(100)) {
          if ((await progress()) > before) return Date.now() - killedAt;
        }
        return undefined;
      })();
      workers[victim] = await startWorker();
      const backPollingMs = Date.now() - killedAt;
      recoveries.push({ kill, otherCarriedOnMs: await carriedOn, backPollingMs });
      log(`kill ${kill}: worker ${victim + 1} killed; work went on after ${recoveries.at(-1)!.otherCarriedOnMs ?? '-'} ms, it polled again after ${backPollingMs} ms`);
      if (kill === Math.ceil(options.kills / 2)) {
        const stoppedAt = Date.now();
        await server.stop();
        server = await startDevServer(serverOptions);
        serverRestartMs = Date.now() - stoppedAt;
        log(`dev server restarted in ${serverRestartMs} ms`);
      }
    }

    for (const end = Date.now() + options.timeoutMs; completed.size < handles.length && Date.now() < end; ) await sleep(500);
    driving = false;
    await driver;

    // What the outside world holds: one ticket and one confirmation per order, or duplicates.
    const tickets = (await json<{ results: Array<{ properties: Record<string, string> }> }>(`${fakes.controls.hubspot}/records/tickets`)).results;
    const perOrder = new Map<string, number>();
    for (const t of tickets) if (t.properties.subject?.startsWith('Order ')) perOrder.set(t.properties.subject, (perOrder.get(t.properties.subject) ?? 0) + 1);
    const duplicateTickets = [...perOrder.values()].reduce((sum, n) => sum + n - 1, 0);
    const mails = (await json<{ messages: Array<{ subject: string }> }>(`${fakes.controls.email}/messages`)).messages;
    const duplicates = (await json<{ duplicates: unknown[] }>(`${fakes.controls.email}/duplicates`)).duplicates;
    let flaggedEmails = 0;
    for (const handle of handles) {
      const audit = await handle.query(stateQuery).then((s) => s.audit, () => []);
      flaggedEmails += audit.filter((e) => e.detail?.includes(POSSIBLE_DUPLICATE)).length;
    }
    let faultsAnswered = 0;
    for (const [system, control] of Object.entries(fakes.controls)) {
      if (system !== 'email') faultsAnswered += (await json<{ answered: number }>(`${control}/chaos`, { method: 'POST', body: { rate: 0 } })).answered;
    }
    await client.connection.close();
    return {
      started: handles.length,
      completed: completed.size,
      lost: handles.map((h) => h.workflowId).filter((id) => !completed.has(id)),
      duplicateRecords: { hubspot: duplicateTickets },
      emailsSent: mails.length,
      duplicateEmails: duplicates.length,
      flaggedEmails,
      faultsAnswered,
      recoveries,
      serverRestartMs,
      elapsedMs: Date.now() - began,
    };
  } finally {
    for (const child of children) killGroup(child);
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

export function formatReport(report: ChaosReport): string {
  const rows: Array<[string, string]> = [
    ['instances started', String(report.started)],
    ['completed', String(report.completed)],
    ['lost (must be 0)', String(report.lost.length) + (report.lost.length ? ` (${report.lost.join(', ')})` : '')],
    ...Object.entries(report.duplicateRecords).map(([system, n]): [string, string] => [`duplicate ${system} records (must be 0)`, String(n)]),
    ['e-mails sent', String(report.emailsSent)],
    ['duplicate e-mails (same Message-ID)', `${report.duplicateEmails} (${report.flaggedEmails} flagged in the audit as possibly sent twice)`],
    ['vendor calls answered 429/503', String(report.faultsAnswered)],
    ...report.recoveries.map((r): [string, string] => [`kill ${r.kill}: other worker carried on / killed one polling again`, `${r.otherCarriedOnMs ?? '-'} ms / ${r.backPollingMs} ms`]),
    ['dev server restart', report.serverRestartMs === undefined ? '-' : `${report.serverRestartMs} ms`],
    ['wall time', `${(report.elapsedMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

if (require.main === module) {
  runChaos({
    instances: Number(process.env.CHAOS_INSTANCES) || 20,
    kills: Number(process.env.CHAOS_KILLS) || 4,
    faultRate: process.env.CHAOS_FAULT_RATE === undefined ? 0.2 : Number(process.env.CHAOS_FAULT_RATE),
    timeoutMs: 180_000,
    log: (line) => console.log(line),
  }).then(
    (report) => {
      console.log(`\n${formatReport(report)}`);
      const failed = report.lost.length > 0 || Object.values(report.duplicateRecords).some((n) => n > 0);
      process.exit(failed ? 1 : 0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
