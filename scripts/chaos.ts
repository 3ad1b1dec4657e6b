/**
 * `npm run chaos`: the engine under failure, driven as people and vendors drive it. N instances of the
 * shipped processes (scripts/chaos-walks.ts: reseller-offboarding, service-amendment, channel-partner-request,
 * reseller-deal-registration, reseller-creation, number-reservation, in turn) are started, decided and fed
 * their vendors' webhooks through the product's API (`api/server.ts` in a process of its own, people's API
 * keys, the webhook routes of config/webhooks.yaml) while two workers on one task queue are killed with
 * SIGKILL at random moments, K times in all, the API is killed once and restarted (its clients retry), the
 * dev server is restarted once, and a share of vendor calls (default 20%) is answered 429 or 503 with
 * Retry-After. The fakes run in a process of their own (fakes/serve.ts), so their records outlive every kill.
 * The workers and the API seal every payload with PAYLOAD_KEYS (a key generated for the run unless the
 * variable is set), so the codec is under the kills too; every instance's history is checked to hold no
 * payload in clear.
 * Prints a table: instances started, completed and lost by process (lost must be 0), duplicate records by
 * system (scripts/chaos-duplicates.ts; must be 0), duplicate e-mails (and how many the audit flags as
 * possibly sent twice, and the repeated Message-IDs no instance's audit flags), decisions sent and any applied
 * twice, payloads sealed and any in clear, and the time to recover after each kill. Exit status 1 on a loss,
 * a duplicate record, a duplicate e-mail no audit flags or a payload in clear.
 *
 * CHAOS_INSTANCES (20), CHAOS_KILLS (4), CHAOS_FAULT_RATE (0.2), CHAOS_VERBOSE (the workers', API's and fakes' logs).
 * tests/chaos.test.ts runs a short version.
 */
import { Client, Connection } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { Payload } from '@temporalio/common';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiKeyStore } from '../api/identity/api-keys';
import { api, ApiRefused, encode } from '../cli/api-client';
import { startDevServer, type RunningDevServer } from '../client/dev-server';
import { ENCRYPTED_ENCODING, parsePayloadKeys } from '../client/payload-codec';
import { loadDirectory } from '../directory/load';
import { bundleWorkflows } from '../worker';
import { POSSIBLE_DUPLICATE } from '../workflows/notifications';
import { duplicateRecords, emailTotals, type SystemDuplicates } from './chaos-duplicates';
import { DeliveryRefused, fakeCall, prepareFakes, WALKS, type FakesInfo, type InstanceView, type Prepared, type TaskActions, type Walk, type WalkContext } from './chaos-walks';

const ROOT = path.join(__dirname, '..');

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

export interface ProcessTally {
  started: number;
  completed: number;
  /** Instances that did not complete (or never started): workflow id, and where it stopped. */
  lost: string[];
}

export interface ChaosReport {
  byProcess: Record<string, ProcessTally>;
  started: number;
  completed: number;
  lost: string[];
  /**
   * Where the histories of lost instances were saved, as `<workflow id>.binpb` (the encoded History, as the
   * replay fixtures are: `temporal.api.history.v1.History.decode`, `Worker.runReplayHistory`).
   */
  lostHistories?: string;
  /**
   * The key the workers and the API sealed payloads with (`generated`: made for this run and not kept, so
   * saved histories cannot be opened later), and what every instance's history holds: payloads sealed, and
   * the instances with any payload in clear (must be none; search attributes and patch markers are in clear by design).
   */
  payloads: { keyId: string; generated: boolean; sealed: number; inClear: string[] };
  /** By system: records carrying an idempotency key (or, keyless, one step's), and how many repeat another. */
  duplicateRecords: Record<string, SystemDuplicates>;
  emailsSent: number;
  duplicateEmails: number;
  /** E-mails the audit says may have gone twice (lost mid-send; SMTP cannot tell). */
  flaggedEmails: number;
  /** Message-IDs delivered more than once that no instance's audit flags as possibly sent twice (must be none). */
  unflaggedEmails: string[];
  faultsAnswered: number;
  /** Vendor webhooks sent once (DocuSign Connect) that the API did not take: the instance then waits for its slow poll. */
  refusedDeliveries: string[];
  /**
   * Decisions the API took; not taken (the API or the server was down or went down under them: the person
   * reads the instance again and decides what is still open); refused as already decided; recorded twice
   * for one task (must be 0).
   */
  decisions: { taken: number; unanswered: number; alreadyDecided: number; appliedTwice: number };
  recoveries: Recovery[];
  serverRestartMs?: number;
  /** From the API's SIGKILL until it was ready again (`/readyz`: it reaches Temporal). */
  apiRestartMs?: number;
  elapsedMs: number;
}

/** The person every instance is started and read as (the directory's administrator). */
const OPERATOR = 'alex.admin';

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
    // With CHAOS_VERBOSE, what it prints (the API's request log) goes to stderr beside its other logs.
    if (process.env.CHAOS_VERBOSE) child.stdout!.on('data', (chunk: Buffer) => process.stderr.write(chunk));
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

/**
 * Holds back what must not meet a stopped API or server: vendor deliveries the fake sends only once. A
 * restart waits for those in flight, and new ones wait for the restart.
 */
class Gate {
  private closed?: Promise<void>;
  private readonly inFlight = new Set<Promise<unknown>>();

  async pass<T>(work: () => Promise<T>): Promise<T> {
    while (this.closed) await this.closed;
    const running = work();
    this.inFlight.add(running);
    return running.finally(() => this.inFlight.delete(running));
  }

  async hold(work: () => Promise<void>): Promise<void> {
    let open!: () => void;
    this.closed = new Promise((resolve) => (open = resolve));
    try {
      await Promise.allSettled([...this.inFlight]);
      await work();
    } finally {
      this.closed = undefined;
      open();
    }
  }
}

/** One instance of a walk as the harness drives it. */
interface Driven {
  walk: Walk;
  prepared: Prepared;
  workflowId?: string;
  /** The last view the API gave; `status` other than running once it ended. */
  view?: InstanceView & { outcome?: string };
  outsideDone: boolean;
  /** Why the last sweep failed, shown for an instance that is lost. */
  lastError?: string;
}

export async function runChaos(options: ChaosOptions): Promise<ChaosReport> {
  const log = options.log ?? (() => undefined);
  const began = Date.now();
  const scratch = mkdtempSync(path.join(tmpdir(), 'engine-chaos-'));
  const children: ChildProcess[] = [];
  let server: RunningDevServer | undefined;
  try {
    const bundleFile = path.join(scratch, 'workflow-bundle.js');
    const [bundle, port, uiPort, apiPort] = await Promise.all([bundleWorkflows(), freePort(), freePort(), freePort()]);
    writeFileSync(bundleFile, bundle.code);
    const serverOptions = { dbFile: path.join(scratch, 'temporal.sqlite'), port, uiPort };
    server = await startDevServer(serverOptions);
    log(`dev server on ${server.address}`);

    const fakesProcess = await program('fakes/serve.ts', { ...process.env }, 'fakes ready ');
    children.push(fakesProcess.child);
    const fakes = JSON.parse(fakesProcess.line.slice('fakes ready '.length)) as FakesInfo;

    // Every person of the shipped directory gets a key, as an administrator issues them (`keys issue`).
    const directory = loadDirectory();
    const keysFile = path.join(scratch, 'api-keys.json');
    const keyStore = new ApiKeyStore(keysFile);
    const keys = new Map(directory.people.map((p) => [p.id, keyStore.issue(p.id, 'chaos').key]));
    const apiUrl = `http://127.0.0.1:${apiPort}`;
    const as = (person: string) => ({ OPS_API_URL: apiUrl, OPS_API_KEY: keys.get(person)! });
    /** A file uploaded for a task through the API (multipart, as the inbox uploads it); its upload id. */
    const uploadFor = async (workflowId: string, taskId: string, person: string, name: string, type: string): Promise<string> => {
      const form = new FormData();
      form.append('file', new Blob([Buffer.from(`%PDF-1.4 ${name}`)], { type }), name);
      const response = await fetch(`${apiUrl}/instances/${encode(workflowId)}/tasks/${encodeURIComponent(taskId)}/uploads`, {
        method: 'POST', headers: { authorization: `Bearer ${keys.get(person)}` }, body: form, signal: AbortSignal.timeout(30_000),
      });
      if (response.status !== 201) throw new Error(`upload ${name} for ${taskId}: ${response.status} ${await response.text()}`);
      return ((await response.json()) as { id: string }).id;
    };

    // The product's API, as `npm run api` runs it, with an own data folder.
    const dataDir = path.join(scratch, 'data');
    // One key for the API and the workers, as in production; PAYLOAD_KEYS given to the run is used instead.
    const generatedKey = !process.env.PAYLOAD_KEYS?.trim();
    const payloadKeys = generatedKey ? `chaos-${randomBytes(3).toString('hex')}:${randomBytes(32).toString('base64')}` : process.env.PAYLOAD_KEYS!;
    const keyId = parsePayloadKeys(payloadKeys)[0].id;
    mkdirSync(dataDir);
    // The API stores uploads where the workers' hubspot.attachFile reads them.
    const uploadsDir = path.join(dataDir, 'uploads');
    const apiEnv = {
      ...process.env, ...fakes.env, TEMPORAL_ADDRESS: server.address, OPS_API_HOST: '127.0.0.1', OPS_API_PORT: String(apiPort),
      OPS_API_KEYS_FILE: keysFile, OPS_DATA_DIR: dataDir, OPS_UPLOADS_DIR: uploadsDir, OPS_API_RATE_LIMIT: '100000', PAYLOAD_KEYS: payloadKeys,
    };
    const startApiProcess = async () => {
      const { child } = await program('api/server.ts', apiEnv, 'ops API on ');
      children.push(child);
      return child;
    };
    const workerEnv = { ...process.env, ...fakes.env, TEMPORAL_ADDRESS: server.address, WORKFLOW_BUNDLE: bundleFile, OPS_UPLOADS_DIR: uploadsDir, PAYLOAD_KEYS: payloadKeys };
    const startWorker = async () => {
      const { child } = await program('tests/support/worker-process.ts', workerEnv, 'worker ready');
      children.push(child);
      return child;
    };
    let [apiProcess, ...workers] = await Promise.all([startApiProcess(), startWorker(), startWorker()]);
    log(`API on ${apiUrl}, two workers polling; payloads sealed with key '${keyId}'`);

    // Everything seeded before the vendors start failing: the seeding is the test's, not the engine's.
    const context: WalkContext = { fakes, apiUrl, shared: {} };
    await prepareFakes(context);
    const driven: Driven[] = [];
    for (let n = 1; n <= options.instances; n++) {
      const walk = WALKS[(n - 1) % WALKS.length];
      const prepared = await walk.prepare(context, n);
      driven.push({ walk, prepared, workflowId: 'workflowId' in prepared.start ? prepared.start.workflowId : undefined, outsideDone: !walk.outside });
    }
    for (const [system, control] of Object.entries(fakes.controls)) if (system !== 'email') await fakeCall(`${control}/chaos`, { body: { rate: options.faultRate } });

    const decisions = { taken: 0, unanswered: 0, alreadyDecided: 0, appliedTwice: 0 };
    const gate = new Gate();
    // Set while the API's kill waits for a decision to be on its way, so that one is caught in flight.
    let decisionSent: (() => void) | undefined;
    const unknownSteps = new Set<string>();
    const refusedDeliveries: string[] = [];
    const progress = () => driven.reduce((sum, d) => sum + (d.view?.audit.length ?? 0), 0);
    const ended = (d: Driven) => d.view !== undefined && d.view.status !== 'running';

    /** One sweep of an instance: start it, or read it, decide its open task and do what the outside world does. */
    const sweep = async (d: Driven) => {
      const start = d.prepared.start;
      if (!d.view && !d.workflowId && 'input' in start) {
        d.workflowId = (await api<{ workflowId: string }>('POST', `/processes/${d.walk.process}/instances`, { input: start.input }, as(OPERATOR))).workflowId;
      }
      let view: InstanceView & { outcome?: string };
      try {
        view = await api('GET', `/instances/${encode(d.workflowId!)}`, undefined, as(OPERATOR));
      } catch (error) {
        // Not started yet: the vendor's webhook starts it (delivered again until the API takes it).
        if (error instanceof ApiRefused && error.problem.status === 404 && 'deliver' in start) await start.deliver();
        throw error;
      }
      d.view = view;
      if (ended(d)) return;
      const task = view.openTasks[0];
      if (task) {
        const decision = task.kind === 'incident' ? { outcome: 'retry' } : d.walk.decisions[task.stepId];
        if (!decision) {
          if (!unknownSteps.has(`${d.walk.process}:${task.stepId}`)) log(`${d.workflowId}: no decision for step '${task.stepId}' (a branch the walk does not take)`);
          unknownSteps.add(`${d.walk.process}:${task.stepId}`);
        } else {
          const holder = directory.holders(task.roles[0])[0];
          const actions: TaskActions = { upload: (name, type) => uploadFor(d.workflowId!, task.id, holder.id, name, type) };
          const form = typeof decision.form === 'function' ? await decision.form(d.prepared.data, actions) : decision.form;
          try {
            const sending = api('POST', `/instances/${encode(d.workflowId!)}/tasks/${encodeURIComponent(task.id)}/decision`, { outcome: decision.outcome, form, comment: decision.comment }, as(holder.id));
            decisionSent?.();
            await sending;
            decisions.taken++;
          } catch (error) {
            // The task is no longer open: an earlier attempt went through and its answer was lost with the API.
            if (error instanceof ApiRefused && (error.problem.status === 409 || error.problem.status === 404)) decisions.alreadyDecided++;
            else {
              decisions.unanswered++;
              throw error;
            }
          }
        }
      }
      if (!d.outsideDone && d.walk.outside) {
        const { run, vendorDelivery } = d.walk.outside;
        const work = () => run(context, view, d.prepared.data);
        try {
          d.outsideDone = await (vendorDelivery ? gate.pass(work) : work());
        } catch (error) {
          if (!(error instanceof DeliveryRefused)) throw error;
          // Sent once and refused: nothing more the outside world will do for this instance.
          refusedDeliveries.push(`${d.workflowId}: ${error.message}`);
          d.outsideDone = true;
        }
      }
    };

    // The people and vendors outside: each instance driven on its own until it ends.
    let driving = true;
    const drivers = driven.map(async (d) => {
      while (driving && !ended(d)) {
        // A worker, the API or the server is down right now, or a vendor call failed: the next sweep tries again.
        await sweep(d).then(() => (d.lastError = undefined), (error: Error) => (d.lastError = error.message));
        if (!ended(d)) await sleep(500);
      }
    });
    const allEnded = () => driven.every(ended);
    /** Until the API says it reaches Temporal again (`/readyz`): its connection may still be backing off after a restart. */
    const apiReady = async () => {
      for (const end = Date.now() + 60_000; Date.now() < end; await sleep(200)) {
        if (await fetch(`${apiUrl}/readyz`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false)) return;
      }
      log('the API was not ready within 60 s of a restart');
    };

    // The chaos: SIGKILL a worker at random moments; the API once, after the first; the dev server once, halfway.
    const recoveries: Recovery[] = [];
    let serverRestartMs: number | undefined;
    let apiRestartMs: number | undefined;
    for (let kill = 1; kill <= options.kills; kill++) {
      await sleep(1500 + Math.random() * 3000);
      const victim = kill % 2;
      killGroup(workers[victim]);
      const killedAt = Date.now();
      const before = progress();
      const carriedOn = (async () => {
        for (const end = killedAt + 30_000; Date.now() < end && !allEnded(); await sleep(100)) {
          if (progress() > before) return Date.now() - killedAt;
        }
        return undefined;
      })();
      workers[victim] = await startWorker();
      const backPollingMs = Date.now() - killedAt;
      recoveries.push({ kill, otherCarriedOnMs: await carriedOn, backPollingMs });
      log(`kill ${kill}: worker ${victim + 1} killed; work went on after ${recoveries.at(-1)!.otherCarriedOnMs ?? '-'} ms, it polled again after ${backPollingMs} ms`);
      if (kill === 1) {
        // Killed just after a decision left (or after 10 s without one): the person's retry must neither lose it nor apply it twice.
        await Promise.race([new Promise<void>((resolve) => (decisionSent = resolve)), sleep(10_000)]);
        decisionSent = undefined;
        await sleep(20);
        await gate.hold(async () => {
          killGroup(apiProcess);
          const apiKilledAt = Date.now();
          apiProcess = await startApiProcess();
          await apiReady();
          apiRestartMs = Date.now() - apiKilledAt;
        });
        log(`API killed and back in ${apiRestartMs} ms`);
      }
      if (kill === Math.ceil(options.kills / 2)) {
        await gate.hold(async () => {
          const stoppedAt = Date.now();
          await server!.stop();
          server = await startDevServer(serverOptions);
          serverRestartMs = Date.now() - stoppedAt;
          await apiReady();
        });
        log(`dev server restarted in ${serverRestartMs} ms`);
      }
    }

    for (const end = Date.now() + options.timeoutMs; !allEnded() && Date.now() < end; ) await sleep(500);
    driving = false;
    await Promise.all(drivers);

    // What the outside world holds, and what each instance's audit says.
    const duplicates = await duplicateRecords(fakes.controls);
    const email = await emailTotals(fakes.controls.email);
    const flags: string[] = [];
    for (const d of driven) {
      const audit = d.view?.audit ?? [];
      flags.push(...audit.flatMap((e) => (e.detail?.includes(POSSIBLE_DUPLICATE) ? [e.detail] : [])));
      const perTask = new Map<string, number>();
      for (const e of audit) if (e.event === 'decision' && e.taskId) perTask.set(e.taskId, (perTask.get(e.taskId) ?? 0) + 1);
      decisions.appliedTwice += [...perTask.values()].filter((n) => n > 1).length;
    }
    let faultsAnswered = 0;
    for (const [system, control] of Object.entries(fakes.controls)) {
      if (system !== 'email') faultsAnswered += (await fakeCall<{ answered: number }>(`${control}/chaos`, { body: { rate: 0 } })).answered;
    }

    const completed = (d: (typeof driven)[number]) => d.view?.status === 'completed' && d.view.outcome === 'completed';
    const byProcess: Record<string, ProcessTally> = {};
    for (const d of driven) {
      const tally = (byProcess[d.walk.process] ??= { started: 0, completed: 0, lost: [] });
      if (d.view) tally.started++;
      if (completed(d)) tally.completed++;
      // Where it stopped, to see why: its status and the task it waits on.
      else tally.lost.push(`${d.workflowId ?? d.walk.process} (${d.view ? `${d.view.outcome ?? d.view.status}${d.view.openTasks[0] ? ` at ${d.view.openTasks[0].stepId}` : ''}` : 'never started'}${d.lastError ? `; last failure: ${d.lastError}` : ''})`);
    }
    const tallies = Object.values(byProcess);
    const lostIds = driven.filter((d) => d.workflowId && !completed(d)).map((d) => d.workflowId!);
    const histories = await readHistories(server.address, driven.filter((d) => d.workflowId).map((d) => d.workflowId!), lostIds);
    return {
      lostHistories: histories.lostFolder,
      payloads: { keyId, generated: generatedKey, sealed: histories.sealed, inClear: histories.inClear },
      byProcess,
      started: tallies.reduce((sum, t) => sum + t.started, 0),
      completed: tallies.reduce((sum, t) => sum + t.completed, 0),
      lost: tallies.flatMap((t) => t.lost),
      duplicateRecords: duplicates,
      emailsSent: email.sent,
      duplicateEmails: email.duplicates.length,
      flaggedEmails: flags.length,
      // The flag names the Message-ID (workflows/notifications.ts), so each repeat is matched to its instance's audit.
      unflaggedEmails: [...new Set(email.duplicates)].filter((id) => !flags.some((flag) => flag.includes(`Message-ID ${id}`))),
      faultsAnswered,
      refusedDeliveries,
      decisions,
      recoveries,
      serverRestartMs,
      apiRestartMs,
      elapsedMs: Date.now() - began,
    };
  } finally {
    for (const child of children) killGroup(child);
    await server?.stop();
    rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * Reads every instance's history as the server keeps it (no codec: payloads as stored). Counts the payloads
 * sealed and names the instances holding one in clear, and saves the histories of `lost` (binpb) in a new
 * folder (outside the scratch folder, which goes), returned as `lostFolder`; they stay sealed.
 */
async function readHistories(address: string, workflowIds: string[], lost: string[]): Promise<{ sealed: number; inClear: string[]; lostFolder?: string }> {
  const lostFolder = lost.length ? mkdtempSync(path.join(tmpdir(), 'chaos-lost-')) : undefined;
  const connection = await Connection.connect({ address });
  let sealed = 0;
  const inClear: string[] = [];
  try {
    const client = new Client({ connection });
    for (const workflowId of workflowIds) {
      const history = await client.workflow.getHandle(workflowId).fetchHistory();
      const payloads = payloadsIn(history);
      const clear = payloads.filter(({ payload }) => Buffer.from(payload.metadata?.encoding ?? []).toString() !== ENCRYPTED_ENCODING);
      sealed += payloads.length - clear.length;
      if (clear.length) inClear.push(`${workflowId} (${clear.length} of ${payloads.length}: ${[...new Set(clear.map((c) => c.where))].join(', ')})`);
      // Binary: historyToJSON fails in this install ("type must be a Type": @temporalio/common's protobufjs 8 against @temporalio/proto's 7).
      if (lostFolder && lost.includes(workflowId)) writeFileSync(path.join(lostFolder, `${workflowId.replace(/[^\w.-]+/g, '_')}.binpb`), temporal.api.history.v1.History.encode(history).finish());
    }
  } finally {
    await connection.close();
  }
  return { sealed, inClear, lostFolder };
}

/**
 * Every payload in a history's events, with where it is, but those no codec ever sees: search attributes
 * (indexed by the server) and the `patch-data` of `patched()` markers (written by the SDK's core, holding
 * only the patch id).
 */
function payloadsIn(value: unknown, where = '', found: Array<{ where: string; payload: Payload }> = []): Array<{ where: string; payload: Payload }> {
  if (!value || typeof value !== 'object' || ArrayBuffer.isView(value)) return found;
  const record = value as Record<string, unknown>;
  if (record.metadata && typeof record.metadata === 'object' && 'data' in record) {
    found.push({ where, payload: record as Payload });
    return found;
  }
  for (const [key, child] of Object.entries(record)) {
    if (key !== 'searchAttributes' && key !== 'patch-data') payloadsIn(child, /^\d+$/.test(key) ? where : where ? `${where}.${key}` : key, found);
  }
  return found;
}

/**
 * A loss, a duplicate record, an e-mail delivered twice that its instance's audit does not flag, a decision
 * applied twice or a payload in clear: what makes `npm run chaos` exit 1.
 */
export function failed(report: ChaosReport): boolean {
  return (
    report.lost.length > 0 ||
    Object.values(report.duplicateRecords).some((s) => s.duplicates > 0) ||
    report.unflaggedEmails.length > 0 ||
    report.decisions.appliedTwice > 0 ||
    report.payloads.inClear.length > 0
  );
}

export function formatReport(report: ChaosReport): string {
  const rows: Array<[string, string]> = [
    ['instances started / completed / lost (must be 0)', `${report.started} / ${report.completed} / ${report.lost.length}` + (report.lost.length ? ` (${report.lost.join(', ')}; histories in ${report.lostHistories}, payloads still sealed with key '${report.payloads.keyId}'${report.payloads.generated ? ', generated for this run and not kept: give the run PAYLOAD_KEYS to read them later' : ''})` : '')],
    ...Object.entries(report.byProcess).map(([process, t]): [string, string] => [`  ${process}`, `${t.started} / ${t.completed} / ${t.lost.length}`]),
    ...Object.entries(report.duplicateRecords).map(([system, s]): [string, string] => [`duplicate ${system} records (must be 0)`, `${s.duplicates} among ${s.records} keyed`]),
    ['e-mails sent', String(report.emailsSent)],
    ['duplicate e-mails (same Message-ID)', `${report.duplicateEmails} (${report.flaggedEmails} flagged in the audit as possibly sent twice)`],
    ['duplicate e-mails no audit flags (must be 0)', String(report.unflaggedEmails.length) + (report.unflaggedEmails.length ? ` (Message-ID ${report.unflaggedEmails.join(', ')})` : '')],
    ['decisions taken / failed and retried / refused as already decided', `${report.decisions.taken} / ${report.decisions.unanswered} / ${report.decisions.alreadyDecided}`],
    ['decisions applied twice (must be 0)', String(report.decisions.appliedTwice)],
    ['vendor calls answered 429/503', String(report.faultsAnswered)],
    [`payloads sealed with key '${report.payloads.keyId}' / instances with any in clear (must be 0)`, `${report.payloads.sealed} / ${report.payloads.inClear.length}` + (report.payloads.inClear.length ? ` (${report.payloads.inClear.join(', ')})` : '')],
    ['vendor deliveries sent once and refused by the API', String(report.refusedDeliveries.length) + (report.refusedDeliveries.length ? ` (${report.refusedDeliveries.join('; ')})` : '')],
    ...report.recoveries.map((r): [string, string] => [`kill ${r.kill}: other worker carried on / killed one polling again`, `${r.otherCarriedOnMs ?? '-'} ms / ${r.backPollingMs} ms`]),
    ['API killed, ready again after', report.apiRestartMs === undefined ? '-' : `${report.apiRestartMs} ms`],
    ['dev server restart', report.serverRestartMs === undefined ? '-' : `${report.serverRestartMs} ms`],
    ['wall time', `${(report.elapsedMs / 1000).toFixed(1)} s`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  return rows.map(([name, value]) => `${name.padEnd(width)}  ${value}`).join('\n');
}

if (require.main === module) {
  runChaos({
    instances: Number(process.env.CHAOS_INSTANCES) || 20,
    kills: process.env.CHAOS_KILLS === undefined ? 4 : Number(process.env.CHAOS_KILLS),
    faultRate: process.env.CHAOS_FAULT_RATE === undefined ? 0.2 : Number(process.env.CHAOS_FAULT_RATE),
    timeoutMs: 240_000,
    log: (line) => console.log(line),
  }).then(
    (report) => {
      console.log(`\n${formatReport(report)}`);
      process.exit(failed(report) ? 1 : 0);
    },
    (err) => {
      console.error(err);
      process.exit(1);
    },
  );
}
