/**
 * The shipped reseller off-boarding process walked through the ops API, the way its people would, by
 * several instances at once; the same walk runs on the dev server and on the cluster. It stops half-way so
 * that the instances stand in every state a list can ask about (waiting on each role, completed, cancelled),
 * reads every list query of the README, then finishes. A `pause` hook lets the cluster run kill processes in
 * the middle, while the instances it has just moved on are running their connector calls.
 */
import type { Client } from '@temporalio/client';
import type { Sandbox } from '../../fakes';
import type { PartnerStackFake } from '../../fakes/partnerstack/fake';
import type { SalesforceFake } from '../../fakes/salesforce/fake';
import { call, id } from '../support/api';

const PROCESS = 'reseller-offboarding';
export const PEOPLE = { cam: 'carla.mendes', salesOps: 'omar.haddad', car: 'priya.nair', admin: 'carla.mendes' } as const;
const QUICKBASE_DONE = { status: { ok: true }, 'opted-out': { ok: true }, 'distribution-group': { ok: true }, 'landing-pages': { ok: true } };

/** Where each labelled instance stands at the half-way point. */
export const PLAN = {
  'Waiting Resell': 'waits on the CAM (legal review)',
  'Quickbase Resell': 'waits on Sales Ops (QuickBase checklist)',
  'Orders Resell': 'waits on CAR (open orders)',
  'Cancelled Resell': 'cancelled by the CAM',
  'Done Resell 1': 'completed',
  'Done Resell 2': 'completed',
  'Done Resell 3': 'completed',
} as const;
export type Label = keyof typeof PLAN;
const LABELS = Object.keys(PLAN) as Label[];
const DONE: Label[] = ['Done Resell 1', 'Done Resell 2', 'Done Resell 3'];

export interface Deployment {
  /** The API processes still alive; calls go to them in turn. */
  apis(): string[];
  keys: Record<string, string>;
  sandbox: Sandbox;
  /** A client of the deployment's Temporal, for the README's `temporal workflow list` queries. */
  client: Client;
}

export interface WalkRecord {
  /** Each list query's answer, instances named by label: comparable between deployments. */
  answers: Record<string, string[]>;
  /** How each instance ended. */
  endings: Record<Label, string>;
  /** Decisions each instance's audit holds, per task step (a lost or doubled decision shows here). */
  decisions: Record<Label, string[]>;
  /** Salesforce licences suspended, per account (each exactly once). */
  suspensions: Record<Label, number>;
  apiCalls: number;
}

export async function walk(deployment: Deployment, pause: (moment: 'activities in flight') => Promise<void>): Promise<WalkRecord> {
  let turn = 0;
  let apiCalls = 0;
  const api = async <T = any>(method: string, route: string, person: string, body?: unknown) => {
    const urls = deployment.apis();
    const base = urls[turn++ % urls.length];
    apiCalls++;
    const answer = await call<T>(base, method, route, { key: deployment.keys[person], body });
    if (answer.status >= 400) throw new Error(`${method} ${route} on ${base}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  };
  const view = (workflowId: string) => api('GET', `/instances/${id(workflowId)}`, PEOPLE.admin);
  const until = async <T>(what: string, read: () => Promise<T>, done: (value: T) => boolean, seconds = 60): Promise<T> => {
    const deadline = Date.now() + seconds * 1000;
    for (;;) {
      const value = await read();
      if (done(value)) return value;
      if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}: last ${JSON.stringify(value).slice(0, 600)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  };
  /** Waits for the step's task to open, then decides it as `who`. */
  const decide = async (workflowId: string, stepId: string, outcome: string, who: string, extra: { comment?: string; form?: unknown } = {}) => {
    // Up to two minutes: an activity lost with a killed worker is retried after its one-minute timeout.
    const instance = await until(`${workflowId} to open ${stepId}`, () => view(workflowId), (v) => v.openTasks.some((t: { stepId: string }) => t.stepId === stepId), 120);
    const task = instance.openTasks.find((t: { stepId: string }) => t.stepId === stepId);
    await api('POST', `/instances/${id(workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, who, { outcome, ...extra });
  };

  // Each partner as PartnerStack and Salesforce hold it: the reseller membership ($0 row) and a product.
  const partnerstack = deployment.sandbox.fake<PartnerStackFake>('partnerstack');
  const salesforce = deployment.sandbox.fake<SalesforceFake>('salesforce');
  const ids = {} as Record<Label, string>;
  const memberships = {} as Record<Label, string>;
  for (const [index, label] of LABELS.entries()) {
    const partner = partnerstack.seedPartner({ email: `ops${index}@resell.example` });
    const account = salesforce.seed('Account', { Name: label });
    memberships[label] = salesforce.seed('Asset', { Name: 'Reseller Premier Membership', AccountId: account.Id, Status: 'Active', Price: 0 }).Id;
    salesforce.seed('Asset', { Name: 'QuickBooks Online Accountant', AccountId: account.Id, Status: 'Active', Price: 499 });
    const started = await api('POST', `/processes/${PROCESS}/instances`, PEOPLE.cam, {
      input: {
        partnerKey: partner.key, partnerName: label, partnerEmail: `ops${index}@resell.example`, cam: PEOPLE.cam, requestedBy: 'company',
        requestedOn: new Date().toISOString().slice(0, 10), reason: 'Breach of the reseller agreement', salesOpsEmail: 'sales-ops@company.example', betaPortal: false,
      },
    });
    ids[label] = started.workflowId;
  }

  // The legal path (2A): legal action, documents filed; then QuickBase, then the connector calls.
  const legal = (label: Label) => decide(ids[label], 'legal-review', 'legal-action', PEOPLE.cam);
  const filed = (label: Label) => decide(ids[label], 'legal-documents', 'filed', PEOPLE.cam, { form: { filedOn: new Date().toISOString().slice(0, 10), documents: `Legal share: ${label}` } });
  const quickbase = (label: Label) => decide(ids[label], 'update-quickbase', 'confirm', PEOPLE.salesOps, { form: QUICKBASE_DONE });
  const noOrders = (label: Label) => decide(ids[label], 'open-orders', 'no-open-orders', PEOPLE.car);

  for (const label of ['Quickbase Resell', 'Orders Resell', ...DONE] as Label[]) await legal(label);
  for (const label of ['Quickbase Resell', 'Orders Resell', ...DONE] as Label[]) await filed(label);
  await api('POST', `/instances/${id(ids['Cancelled Resell'])}/cancel`, PEOPLE.cam, { reason: 'The partner settled the dispute' });
  // QuickBase confirmed: Salesforce and PartnerStack calls start on the workers.
  for (const label of ['Orders Resell', ...DONE] as Label[]) await quickbase(label);
  await pause('activities in flight');
  // One at a time, each to its end: lists show closed instances newest-closed first, so the order in which
  // they close is part of every answer compared.
  for (const label of DONE) {
    await noOrders(label);
    await until(`${label} to complete`, () => view(ids[label]), (v) => v.status !== 'running', 120);
  }

  // Half-way: every instance where the plan puts it, then every list query of the README.
  const stands = async (label: Label) => {
    const v = await view(ids[label]);
    return v.status === 'running' ? `${v.stage}:${v.openTasks.map((t: { stepId: string }) => t.stepId).join(',')}` : v.status;
  };
  const expected: Record<Label, string> = {
    'Waiting Resell': 'notice:legal-review', 'Quickbase Resell': 'internal-systems:update-quickbase', 'Orders Resell': 'settlement:open-orders',
    'Cancelled Resell': 'cancelled', 'Done Resell 1': 'completed', 'Done Resell 2': 'completed', 'Done Resell 3': 'completed',
  };
  for (const label of LABELS) await until(`${label} to stand at ${expected[label]}`, () => stands(label), (s) => s === expected[label], 120);

  const labelOf = new Map(Object.entries(ids).map(([label, workflowId]) => [workflowId, label]));
  const name = (workflowId: string) => labelOf.get(workflowId) ?? `unexpected ${workflowId}`;
  const queries = readmeQueries(ids);
  const answers: Record<string, string[]> = {};
  for (const [query, run] of Object.entries(queries)) {
    answers[query] = await run({ api: (route) => api('GET', route, PEOPLE.admin), client: deployment.client, name });
  }

  // The rest of the walk: every instance reaches its end.
  await legal('Waiting Resell');
  await filed('Waiting Resell');
  for (const label of ['Waiting Resell', 'Quickbase Resell'] as Label[]) await quickbase(label);
  for (const label of ['Waiting Resell', 'Quickbase Resell', 'Orders Resell'] as Label[]) await noOrders(label);
  const endings = {} as Record<Label, string>;
  const decisions = {} as Record<Label, string[]>;
  for (const label of LABELS) {
    const ended = await until(`${label} to end`, () => view(ids[label]), (v) => v.status !== 'running', 120);
    endings[label] = `${ended.status}: ${ended.reason ?? ''}`;
    decisions[label] = ended.audit.filter((e: { event: string }) => e.event === 'decision').map((e: { stepId?: string; actor?: string; outcome?: string }) => `${e.stepId} ${e.outcome} by ${e.actor}`);
  }
  const state = salesforce.state();
  const suspensions = Object.fromEntries(LABELS.map((label) => [label, state.records.filter((r) => r.Id === memberships[label] && r.Status === 'Suspended').length])) as Record<Label, number>;
  return { answers, endings, decisions, suspensions, apiCalls };
}

interface QueryContext {
  api: (route: string) => Promise<any>;
  client: Client;
  name: (workflowId: string) => string;
}

/**
 * The list queries of the README: the API's `GET /instances` filters (which `npm run cli -- list` calls), one
 * page at a time, and the `temporal workflow list` queries it shows. Each answer is the instances, newest
 * first, as "label status stage roles [deadline] [overdue]".
 */
function readmeQueries(ids: Record<Label, string>): Record<string, (context: QueryContext) => Promise<string[]>> {
  const now = Date.now();
  const day = 24 * 3600 * 1000;
  const line = (context: QueryContext, i: { workflowId: string; status: string; stage?: string; openTaskRoles: string[]; nextDeadline?: string; overdueSince?: string }) =>
    [context.name(i.workflowId), i.status, i.stage ?? '-', i.openTaskRoles.join('+') || '-', i.nextDeadline ? 'deadline' : '', i.overdueSince ? 'overdue' : ''].join(' ').trim();
  const viaApi = (query: string) => async (context: QueryContext) => {
    const lines: string[] = [];
    let token: string | undefined;
    // Two to a page, so that paging itself is compared too.
    do {
      const page = await context.api(`/instances?${query}${query ? '&' : ''}pageSize=2${token ? `&nextPageToken=${token}` : ''}`);
      lines.push(...page.instances.map((i: Parameters<typeof line>[1]) => line(context, i)));
      token = page.nextPageToken;
    } while (token);
    return lines;
  };
  const viaTemporal = (query: string) => async (context: QueryContext) => {
    const lines: string[] = [];
    for await (const execution of context.client.workflow.list({ query })) lines.push(`${context.name(execution.workflowId)} ${execution.status.name}`);
    return lines;
  };
  const key = (label: Label) => encodeURIComponent(ids[label].slice(PROCESS.length + 1));
  return {
    'GET /instances': viaApi(''),
    [`GET /instances?process=${PROCESS}`]: viaApi(`process=${PROCESS}`),
    'GET /instances?stage=internal-systems': viaApi('stage=internal-systems'),
    'GET /instances?status=running': viaApi('status=running'),
    'GET /instances?status=completed': viaApi('status=completed'),
    'GET /instances?status=cancelled': viaApi('status=cancelled'),
    'GET /instances?role=cam': viaApi('role=cam'),
    'GET /instances?role=sales-ops': viaApi('role=sales-ops'),
    'GET /instances?role=car&process=reseller-offboarding': viaApi(`role=car&process=${PROCESS}`),
    'GET /instances?businessKey=<Quickbase Resell>': viaApi(`businessKey=${key('Quickbase Resell')}`),
    'GET /instances?deadlineBefore=<in a year>': viaApi(`deadlineBefore=${encodeURIComponent(new Date(now + 365 * day).toISOString())}`),
    'GET /instances?deadlineAfter=<yesterday>': viaApi(`deadlineAfter=${encodeURIComponent(new Date(now - day).toISOString())}`),
    'GET /instances?overdue=true': viaApi('overdue=true'),
    'GET /instances?overdue=false': viaApi('overdue=false'),
    "temporal workflow list --query \"ProcessName='reseller-offboarding' AND OpenTaskRoles='car'\"": viaTemporal("ProcessName='reseller-offboarding' AND OpenTaskRoles='car'"),
    "temporal workflow list --query \"ExecutionStatus='Running' AND OverdueSince < '<now>'\"": viaTemporal(`ExecutionStatus='Running' AND OverdueSince < '${new Date(now).toISOString()}'`),
    'temporal workflow list --query "OverdueSince IS NOT NULL"': viaTemporal('OverdueSince IS NOT NULL'),
  };
}
