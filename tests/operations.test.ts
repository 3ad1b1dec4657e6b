/**
 * The product run the way an operator runs it: the worker and the API as processes of their own
 * (`npm run worker`, `npm run api`) on a dev server, the vendors' fakes in this process. A reseller
 * off-boarding is walked through the API; meanwhile the test probes health, reads both processes' JSON log
 * lines, scrapes both metrics endpoints (and the SDK's), and sends SIGTERM to a worker in the middle of
 * an activity.
 */
import { Client, Connection, type WorkflowHandle } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { createServer as createHttpServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ApiKeyStore } from '../api/identity/api-keys';
import { dataConverterFor, parsePayloadKeys } from '../client/payload-codec';
import { startFakes, type Sandbox } from '../fakes';
import type { PartnerStackFake } from '../fakes/partnerstack/fake';
import { devServerEnvironment } from './support/environments';

const root = path.join(__dirname, '..');
const tsx = path.join(root, 'node_modules', '.bin', 'tsx');
const PAYLOAD_KEY = 'ops1:' + Buffer.alloc(32, 7).toString('base64');

interface Child {
  process: ChildProcess;
  /** Every line written so far to standard output and error. */
  lines: string[];
  exited: Promise<number | null>;
}

function startChild(args: string[], env: NodeJS.ProcessEnv): Child {
  const child = spawn(tsx, args, { cwd: root, env: { PATH: process.env.PATH!, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: string[] = [];
  for (const stream of [child.stdout!, child.stderr!]) {
    let rest = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (rest + chunk.toString()).split('\n');
      rest = parts.pop()!;
      lines.push(...parts);
    });
  }
  return { process: child, lines, exited: new Promise((resolve) => child.once('exit', (code) => resolve(code))) };
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The JSON lines of a child's output (the CLI's own start-up lines are plain text). */
function jsonLines(child: Child): Record<string, unknown>[] {
  return child.lines.flatMap((line) => {
    try {
      const parsed = JSON.parse(line);
      return parsed && typeof parsed === 'object' ? [parsed] : [];
    } catch {
      return [];
    }
  });
}

/** One sample of a Prometheus text exposition, e.g. `ops_connector_calls_total{system="partnerstack",...}`. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number {
  const wanted = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `) ? wanted.every((w) => l.includes(w)) : false);
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

const scrape = async (url: string) => (await fetch(url)).text();

/** A span as the OTLP/HTTP JSON encoding has it. */
interface OtlpSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: number; attributes?: { key: string; value: Record<string, unknown> }[] }

/** A small OTLP/HTTP receiver: keeps every span posted to /v1/traces, and the raw bodies. */
async function startOtlpReceiver(): Promise<{ url: string; spans: OtlpSpan[]; bodies: string[]; server: Server }> {
  const spans: OtlpSpan[] = [];
  const bodies: string[] = [];
  const server = createHttpServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => (body += chunk));
    request.on('end', () => {
      bodies.push(body);
      const parsed = JSON.parse(body) as { resourceSpans?: { scopeSpans?: { spans?: OtlpSpan[] }[] }[] };
      for (const r of parsed.resourceSpans ?? []) for (const scope of r.scopeSpans ?? []) spans.push(...(scope.spans ?? []));
      response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as { port: number }).port}`, spans, bodies, server };
}

const attribute = (span: OtlpSpan, key: string) => span.attributes?.find((a) => a.key === key)?.value.stringValue as string | undefined;

let otlp: Awaited<ReturnType<typeof startOtlpReceiver>>;
let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let client: Client;
let apiKey: string;
let baseEnv: NodeJS.ProcessEnv;
const children: Child[] = [];

beforeAll(async () => {
  [env, sandbox, otlp] = await Promise.all([devServerEnvironment(), startFakes({}), startOtlpReceiver()]);
  const dir = mkdtempSync(path.join(tmpdir(), 'ops-run-'));
  const keysFile = path.join(dir, 'api-keys.json');
  apiKey = new ApiKeyStore(keysFile).issue('carla.mendes').key;
  baseEnv = {
    ...sandbox.env,
    TEMPORAL_ADDRESS: env.address,
    PAYLOAD_KEYS: PAYLOAD_KEY,
    OPS_API_KEYS_FILE: keysFile,
    OPS_UPLOADS_DIR: path.join(dir, 'uploads'),
    LOG_LEVEL: 'info',
    OTEL_EXPORTER_OTLP_ENDPOINT: otlp.url,
  };
  client = new Client({ connection: await Connection.connect({ address: env.address }), dataConverter: dataConverterFor(parsePayloadKeys(PAYLOAD_KEY)) });
});

afterAll(async () => {
  for (const child of children) child.process.kill('SIGKILL');
  await client?.connection.close();
  await sandbox?.close();
  await env?.teardown();
  otlp?.server.close();
});

function startWorker(extra: NodeJS.ProcessEnv): Child {
  const child = startChild(['cli/index.ts', 'worker'], { ...baseEnv, ...extra });
  children.push(child);
  return child;
}

let partnerstack: PartnerStackFake;
let partner: { key: string };
let worker: Child;
let second: Child;
let api: Child;
let workerUrl: string;
let apiUrl: string;
let workflowId: string;
let handle: WorkflowHandle;
let workerPort2: number;
let sdkPort2: number;

it('answers /healthz at once and /readyz once Temporal, the namespace, the search attributes and a polling worker are there', async () => {
  partnerstack = sandbox.fake<PartnerStackFake>('partnerstack');
  partner = partnerstack.seedPartner({ email: 'ops@acme-resell.example' });
  const [workerPort, sdkPort, apiPort] = await Promise.all([freePort(), freePort(), freePort()]);
  worker = startWorker({ OPS_WORKER_PORT: String(workerPort), OPS_SDK_METRICS_PORT: String(sdkPort) });
  api = startChild(['api/server.ts'], { ...baseEnv, OPS_API_PORT: String(apiPort) });
  children.push(api);
  workerUrl = `http://127.0.0.1:${workerPort}`;
  apiUrl = `http://127.0.0.1:${apiPort}`;

  // Alive at once; ready once Temporal, the namespace, the search attributes and the polling worker are.
  const ready: any = await until('the worker to be ready', async () => {
    const answer = await fetch(`${workerUrl}/readyz`);
    return answer.status === 200 ? answer.json() : undefined;
  });
  expect(ready.checks.map((c: { name: string; ok: boolean }) => `${c.name}:${c.ok}`)).toEqual(['temporal:true', 'namespace:true', 'search-attributes:true', 'worker:true']);
  expect((await fetch(`${workerUrl}/healthz`)).status).toBe(200);
  const apiReady: any = await until('the API to be ready', async () => {
    const answer = await fetch(`${apiUrl}/readyz`);
    return answer.status === 200 ? answer.json() : undefined;
  });
  expect(apiReady.checks.find((c: { name: string }) => c.name === 'workers').detail).toBe("1 polling task queue 'processes'");

}, 120_000);

it('on SIGTERM during an activity, stops polling, lets the activity complete once, and exits 0', async () => {
  // The first step asks PartnerStack for the partner; PartnerStack is slow to answer today.
  partnerstack.injectFault({ kind: 'delay', delayMs: 4000, times: 1 });
  const started = await fetch(`${apiUrl}/processes/reseller-offboarding/instances`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ input: {
      partnerKey: partner.key, partnerName: 'Acme Resell', partnerEmail: 'ops@acme-resell.example', cam: 'carla.mendes',
      requestedOn: '2026-12-01', requestedBy: 'company', reason: 'Revenue below the program minimum', salesOpsEmail: 'sales-ops@company.example',
    } }),
  });
  expect(started.status).toBe(201);
  ({ workflowId } = (await started.json()) as { workflowId: string });
  handle = client.workflow.getHandle(workflowId);
  await until('the PartnerStack call to be under way', async () => ((await handle.describe()).raw.pendingActivities?.some((a) => a.activityType?.name === 'partnerstack.findPartner' && a.state === temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED) ? true : undefined));

  worker.process.kill('SIGTERM');
  // Draining: no longer ready, at once, while the activity finishes.
  const whileDraining: any = await until('the worker to say it drains', async () => {
    const answer = await fetch(`${workerUrl}/readyz`);
    return answer.status === 503 ? answer.json() : undefined;
  }, 3000).catch((error) => {
    throw new Error(`${error.message}; the worker said:\n${worker.lines.slice(-15).join('\n')}`);
  });
  expect(whileDraining.checks).toEqual([{ name: 'draining', ok: false, detail: 'shutting down' }]);
  expect(await worker.exited).toBe(0);

  // The call was made once, and the activity completed on its first attempt: nothing to retry.
  // (One attempt reads the partnerships twice: all of them, then the active ones.)
  expect(partnerstack.journal.filter((e) => e.path.endsWith('/v2/partnerships'))).toHaveLength(2);
  const history = await handle.fetchHistory();
  const activityEvents = history.events!.filter((e) => e.activityTaskStartedEventAttributes || e.activityTaskCompletedEventAttributes || e.activityTaskFailedEventAttributes || e.activityTaskTimedOutEventAttributes);
  expect(activityEvents.map((e) => (e.activityTaskStartedEventAttributes ? `started#${e.activityTaskStartedEventAttributes.attempt}` : e.activityTaskCompletedEventAttributes ? 'completed' : 'failed'))).toEqual(['started#1', 'completed']);

}, 120_000);

it("counts starts, decisions, webhook refusals, connector calls, e-mails and ends, with no id in a label, and serves the SDK's metrics", async () => {
  // A second worker takes over; the instance goes on to the CAM's legal review.
  [workerPort2, sdkPort2] = await Promise.all([freePort(), freePort()]);
  second = startWorker({ OPS_WORKER_PORT: String(workerPort2), OPS_SDK_METRICS_PORT: String(sdkPort2) });
  const task = await until('the legal review to open', async () => {
    const answer = await fetch(`${apiUrl}/tasks`, { headers: { authorization: `Bearer ${apiKey}` } });
    const body: any = await answer.json();
    return body.tasks?.find((t: { workflowId: string; task: { stepId: string } }) => t.workflowId === workflowId && t.task.stepId === 'legal-review')?.task;
  });
  const decided = await fetch(`${apiUrl}/instances/${encodeURIComponent(workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, {
    method: 'POST',
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify({ outcome: 'send-notice', comment: 'no legal action' }),
  });
  expect(decided.status).toBe(200);

  // A forged HubSpot delivery and a PartnerStack one with a wrong token in its address.
  expect((await fetch(`${apiUrl}/webhooks/hubspot`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-hubspot-signature-v3': 'forged', 'x-hubspot-request-timestamp': String(Date.now()) }, body: '[]' })).status).toBe(401);
  expect((await fetch(`${apiUrl}/webhooks/partnerstack/not-the-token-0123456789`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' })).status).toBe(401);

  // Metrics: the API's and the worker's moved as the walk says; the SDK's exporter answered too.
  const apiMetrics = await scrape(`${apiUrl}/metrics`);
  expect(sample(apiMetrics, 'ops_instances_started_total', { process: 'reseller-offboarding', via: 'api' })).toBe(1);
  expect(sample(apiMetrics, 'ops_tasks_decided_total', { process: 'reseller-offboarding', role: 'cam', kind: 'task' })).toBe(1);
  expect(sample(apiMetrics, 'ops_task_decision_seconds_count', { process: 'reseller-offboarding', role: 'cam' })).toBe(1);
  expect(sample(apiMetrics, 'ops_webhook_deliveries_total', { vendor: 'hubspot', result: 'refused' })).toBe(1);
  expect(sample(apiMetrics, 'ops_webhook_deliveries_total', { vendor: 'partnerstack', result: 'refused' })).toBe(1);
  expect(apiMetrics).toMatch(/^ops_instances_overdue\{process="reseller-offboarding"\} 0$/m);
  // No id, key or person in any label.
  expect(apiMetrics).not.toMatch(/acme|carla|reseller-offboarding\/|part_/i);

  // The activities after the decision (the notice e-mail) run on the second worker alongside this; on a busy
  // machine they may not have finished yet.
  const { workerMetrics, sdkMetrics } = await until('the second worker to have run an activity', async () => {
    const [worker, sdk] = await Promise.all([scrape(`http://127.0.0.1:${workerPort2}/metrics`), scrape(`http://127.0.0.1:${sdkPort2}/metrics`)]);
    return sample(sdk, 'temporal_activity_execution_latency_count') && sample(worker, 'ops_notifications_sent_total', { process: 'reseller-offboarding' }) ? { workerMetrics: worker, sdkMetrics: sdk } : undefined;
  }, 30_000);
  // The SDK's own: its workers polled and ran the instance's workflow tasks and activities.
  expect(sample(sdkMetrics, 'temporal_workflow_task_execution_latency_count')).toBeGreaterThanOrEqual(1);
  expect(sample(sdkMetrics, 'temporal_activity_execution_latency_count')).toBeGreaterThanOrEqual(1);
  expect(sample(workerMetrics, 'ops_notifications_sent_total', { process: 'reseller-offboarding' })).toBeGreaterThanOrEqual(1);
  // The task the CAM decided was opened by this worker's instance, and counted under the role it went to.
  expect(sample(workerMetrics, 'ops_tasks_opened_total', { process: 'reseller-offboarding', role: 'cam' })).toBeGreaterThanOrEqual(1);
  expect(sample(workerMetrics, 'ops_connector_calls_total', { system: 'notify', outcome: 'ok' })).toBeGreaterThanOrEqual(1);

  // Cancelling ends the instance: the worker counts the end by process and state.
  expect((await fetch(`${apiUrl}/instances/${encodeURIComponent(workflowId)}/cancel`, {
    method: 'POST', headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' }, body: JSON.stringify({ reason: 'test over' }),
  })).status).toBeLessThan(300);
  await until('the end to be counted', async () => (sample(await scrape(`http://127.0.0.1:${workerPort2}/metrics`), 'ops_instances_ended_total', { process: 'reseller-offboarding', status: 'cancelled' }) ? true : undefined), 30_000);
  // Counted once, though the run's last workflow task may have had to run twice.
  const ends = (await scrape(`http://127.0.0.1:${workerPort2}/metrics`)).split('\n').filter((l) => l.startsWith('ops_instances_ended_total{'));
  expect(ends).toEqual(['ops_instances_ended_total{process="reseller-offboarding",status="cancelled"} 1']);

}, 120_000);

it('traces the start request through the workflow to each activity and its HTTP call to the vendor, with no secret or input in an attribute', async () => {
  const request = await until('the start request\'s span', async () => otlp.spans.find((s) => s.kind === 2 && (attribute(s, 'http.target') ?? attribute(s, 'url.path'))?.startsWith('/processes/reseller-offboarding/instances')));
  const inTrace = () => otlp.spans.filter((s) => s.traceId === request.traceId);
  const names = () => new Set(inTrace().map((s) => s.name));
  await until('the workflow and activity spans', async () => (['StartWorkflow:reseller-offboarding', 'RunWorkflow:reseller-offboarding', 'StartActivity:partnerstack.findPartner', 'RunActivity:partnerstack.findPartner'].every((n) => names().has(n)) ? true : undefined), 30_000);
  const spans = inTrace();
  const byId = new Map(spans.map((s) => [s.spanId, s]));
  const ancestors = (span: OtlpSpan): string[] => (span.parentSpanId && byId.has(span.parentSpanId) ? [byId.get(span.parentSpanId)!.name, ...ancestors(byId.get(span.parentSpanId)!)] : []);
  // The call to PartnerStack's fake, made inside the activity, made inside the workflow the request started.
  const call = spans.find((s) => s.kind === 3 && /\/v2\/partnerships/.test(attribute(s, 'url.full') ?? attribute(s, 'http.url') ?? ''));
  expect(call).toBeDefined();
  expect(ancestors(call!)).toEqual(expect.arrayContaining(['RunActivity:partnerstack.findPartner', 'StartActivity:partnerstack.findPartner', 'RunWorkflow:reseller-offboarding', 'StartWorkflow:reseller-offboarding']));
  expect(ancestors(call!).at(-1)).toBe(request.name);
  // No secret, and nothing of the instance's input, in any attribute of any span.
  const sent = otlp.bodies.join('\n');
  for (const secret of [PAYLOAD_KEY.slice(5), apiKey, partnerstack.secretKey, partnerstack.webhookToken, 'not-the-token-0123456789']) expect(sent).not.toContain(secret);
  for (const answer of ['ops@acme-resell.example', 'Revenue below the program minimum', 'no legal action']) expect(sent).not.toContain(answer);
}, 60_000);

it('logs JSON lines from the API, the worker and the SDK that carry the instance, and no secret', () => {
  // Logs: JSON lines from the API, the worker and the SDK carry the instance's id and fields.
  const apiLines = jsonLines(api);
  const workerLines = [...jsonLines(worker), ...jsonLines(second)];
  expect(apiLines.find((l) => l.msg === 'instance started')).toMatchObject({ component: 'api', workflowId, process: 'reseller-offboarding', businessKey: partner.key, runId: expect.any(String) });
  expect(apiLines.find((l) => l.msg === 'task decided')).toMatchObject({ workflowId });
  expect(workerLines.find((l) => l.msg === 'partnerstack.findPartner: ok')).toMatchObject({
    component: 'worker', sdk: 'activity', workflowId, runId: expect.any(String), process: 'reseller-offboarding', businessKey: partner.key, system: 'partnerstack', outcome: 'ok',
  });
  // Secrets never appear: the payload key, the vendors' credentials, the API key, the webhook token.
  const everything = [...api.lines, ...worker.lines, ...second.lines].join('\n');
  const secrets = [PAYLOAD_KEY.slice(5), apiKey, partnerstack.secretKey, partnerstack.webhookToken, 'not-the-token-0123456789', ...Object.entries(sandbox.env).filter(([name]) => /TOKEN|SECRET|PASSWORD|API_KEY|PRIVATE_KEY/.test(name)).map(([, value]) => value!)];
  for (const secret of secrets.filter((s) => s && s.length >= 8)) expect(everything).not.toContain(secret);
  expect(everything).toContain('/webhooks/partnerstack/•••');
  // Nor personal data: the partner's address and the reason (the instance's input), the decision's comment.
  for (const answer of ['ops@acme-resell.example', 'Revenue below the program minimum', 'no legal action']) expect(everything).not.toContain(answer);
});

it('the API and the worker drain on SIGTERM and exit 0', async () => {
  api.process.kill('SIGTERM');
  second.process.kill('SIGTERM');
  expect(await api.exited).toBe(0);
  expect(await second.exited).toBe(0);
}, 60_000);
