/**
 * A local Jira Cloud: a real HTTP server on 127.0.0.1 speaking REST v3 for exactly the endpoints the Jira
 * actions (and tests closing issues) call, with basic auth and Jira's error body. jira.js is pointed at it
 * through `host`. The default seed (project "Customer Success", the SOP's custom fields, users and epic) is
 * loaded at start, so the embedded default works out of the box.
 *
 * API: the operations of contract.ts (fields, projects, users, priorities, create/get issue, JQL search with
 * the old /search answering 410 Gone, attachments with the XSRF header, transitions, admin webhook
 * registration). Search is eventually consistent, as Jira's is: `setSearchLag(ms)` keeps a new issue out of
 * JQL results for that long after its create.
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seed / POST /__control/seed                      projects, users, fields, issues
 *   issues(), issue(key) / GET /__control/issues[/:key]
 *   closeIssue / POST /__control/issues/:key/close   moves the issue to Done (fires subscribed webhooks)
 *   subscribeWebhook / POST /__control/webhooks/subscriptions   deliver jira:issue_updated on status changes
 *   sendWebhook / POST /__control/webhooks/send      one signed delivery for an issue to a URL
 *   injectFault / POST /__control/faults             journal / GET /__control/journal
 *   reset / POST /__control/reset                    back to the default seed
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { createFakeKit, deliverWebhook, FakeError, type FakeKit, type Fault, type JournalEntry, type MultipartForm, type RunningFake } from '../shared/fake-kit';
import { persistStore } from '../shared/persist';
import { constantTimeEqual } from '../shared/compare';
import { jiraContract } from './contract';
import {
  JiraFakeStore, PRIORITIES, STATUSES, TRANSITIONS,
  type FakeField, type FakeIssue, type FakeProject, type FakeUser, type StatusChange,
} from './store';
import { IDENTIFIER_HEADER, SIGNATURE_HEADER, signDelivery } from './signing';

export interface JiraFakeOptions {
  /** Where its data is kept across restarts (fakes/shared/persist.ts); default: in memory only. */
  stateFile?: string;
  /** The port to listen on (default 0: any free port). */
  port?: number;
  /** How long a created issue stays invisible to JQL search (Jira's index lags writes); default 0. */
  searchLagMs?: number;
  email?: string;
  apiToken?: string;
  /** The admin webhook's secret the fake signs deliveries with. */
  webhookSecret?: string;
}

export interface JiraSeed {
  projects?: Array<{ key: string; name: string; issueTypes?: string[] }>;
  users?: Array<Omit<FakeUser, 'active'> & { active?: boolean }>;
  fields?: Array<{ id?: string; name: string; type: string }>;
  issues?: Array<{ projectKey: string; issueType?: string; summary: string; labels?: string[]; status?: 'To Do' | 'In Progress' | 'Done' }>;
}

export interface WebhookDelivery {
  url: string;
  issueKey: string;
  event: string;
  status?: number;
  error?: string;
}

export interface JiraFake extends RunningFake {
  email: string;
  apiToken: string;
  webhookSecret: string;
  journal: JournalEntry[];
  breaches: FakeKit['breaches'];
  injectFault(fault: Fault): void;
  setSearchLag(ms: number): void;
  /** Admin webhooks registered through the REST API. */
  registeredWebhooks(): Array<{ name: string; url: string; events: string[]; jql?: string; secret?: string }>;
  seed(seed: JiraSeed): { projects: FakeProject[]; users: FakeUser[]; fields: FakeField[]; issues: string[] };
  issues(): FakeIssue[];
  issue(key: string): FakeIssue | undefined;
  /** Moves an issue to Done with resolution Done, as the configuration assignee would. */
  closeIssue(key: string): void;
  /** Every later status change is delivered to `url` as a signed `jira:issue_updated` event. */
  subscribeWebhook(url: string): void;
  /** Deliveries made so far, by subscriptions and by sendWebhook. */
  webhookDeliveries: WebhookDelivery[];
  /** POSTs one signed event about `issueKey` to `url`; `secret` overrides the signing secret (to forge one). */
  sendWebhook(url: string, issueKey: string, options?: { event?: string; secret?: string }): Promise<{ status: number }>;
  reset(): void;
}

type Params<T extends string> = { [K in T]: string };

export async function startJiraFake(options: JiraFakeOptions = {}): Promise<JiraFake> {
  const email = options.email ?? 'engine@everbright.example';
  const apiToken = options.apiToken ?? `ATATT-fake-${randomBytes(12).toString('hex')}`;
  const webhookSecret = options.webhookSecret ?? randomBytes(16).toString('hex');
    const subscriptions: string[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  let origin = '';

  let searchLagMs = options.searchLagMs ?? 0;
  const visibleAt = new Map<string, number>();
  let registered: ReturnType<JiraFake['registeredWebhooks']> = [];
  const kit = createFakeKit({
    contract: jiraContract,
    reset: () => fake.reset(),
    credentials: { basic: (user, password) => constantTimeEqual(user, email) && constantTimeEqual(password, apiToken) },
  });
  const { app } = kit;

  // ---- webhooks ------------------------------------------------------------------------------------------

  const eventBody = (issue: FakeIssue, event: string, change?: { from: string; to: string }) => JSON.stringify({
    timestamp: Date.now(),
    webhookEvent: event,
    issue_event_type_name: 'issue_generic',
    user: { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Configuration Specialist' },
    issue: present(issue, origin),
    changelog: { id: String(Date.now()), items: change ? [{ field: 'status', fieldtype: 'jira', fromString: change.from, toString: change.to, from: STATUSES[change.from as 'Done'].id, to: STATUSES[change.to as 'Done'].id }] : [] },
  });

  async function deliver(url: string, issue: FakeIssue, event: string, rawBody: string, secret: string) {
    const record: WebhookDelivery = { url, issueKey: issue.key, event };
    webhookDeliveries.push(record);
    try {
      const { status } = await deliverWebhook(url, rawBody, { [SIGNATURE_HEADER]: signDelivery(secret, rawBody), [IDENTIFIER_HEADER]: randomUUID() });
      record.status = status;
      return { status };
    } catch (err) {
      record.error = (err as Error).message;
      throw err;
    }
  }

  // Jira delivers asynchronously: the status change is answered first, the webhook follows.
  const onStatusChange: StatusChange = (issue, from, to) => {
    for (const url of subscriptions) void deliver(url, issue, 'jira:issue_updated', eventBody(issue, 'jira:issue_updated', { from, to }), webhookSecret).catch(() => {});
  };
  let store = new JiraFakeStore(onStatusChange);


  // ---- Jira REST v3 --------------------------------------------------------------------------------------

  kit.handle('fields.list', () =>
    store.fields.map((f) => ({
      id: f.id, key: f.id, name: f.name, custom: f.custom, orderable: true, navigable: true, searchable: true,
      clauseNames: f.custom ? [`cf[${f.id.replace('customfield_', '')}]`, f.name] : [f.id],
      schema: f.custom ? { type: f.type, custom: `com.atlassian.jira.plugin.system.customfieldtypes:${f.type === 'user' ? 'userpicker' : 'datepicker'}`, customId: Number(f.id.replace('customfield_', '')) } : { type: f.type, system: f.id },
    })),
  );

  kit.handle('projects.search', ({ query }) => {
    const all = store.searchProjects(query.query);
    const startAt = Number(query.startAt ?? 0) || 0;
    const maxResults = Math.min(Number(query.maxResults ?? 50) || 50, 100);
    const page = all.slice(startAt, startAt + maxResults);
    return {
      self: `${origin}/rest/api/3/project/search`, startAt, maxResults, total: all.length, isLast: startAt + maxResults >= all.length,
      values: page.map((p) => ({ self: `${origin}/rest/api/3/project/${p.id}`, id: p.id, key: p.key, name: p.name, projectTypeKey: 'software', simplified: false, style: 'classic', isPrivate: false })),
    };
  });

  kit.handle('users.search', ({ query }) => store.searchUsers(query.query, query.accountId).map((u) => presentUser(u, origin)));
  kit.handle('priorities.list', () => PRIORITIES.map((p) => ({ ...p, self: `${origin}/rest/api/3/priority/${p.id}` })));

  kit.handle('issues.create', ({ body }) => {
    const issue = store.createIssue(body);
    visibleAt.set(issue.key, Date.now() + searchLagMs);
    return { id: issue.id, key: issue.key, self: `${origin}/rest/api/3/issue/${issue.id}` };
  });

  kit.handle('issues.get', ({ params, query }) => present(store.getIssue(params.issueIdOrKey), origin, query.fields?.split(',').filter(Boolean)));

  // Atlassian removed the old search endpoint; clients still calling it must notice.
  const removed = (_request: unknown, reply: FastifyReply) => reply.code(410).send(jiraContract.error(410, 'The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.'));
  kit.handle('search.legacy.get', removed);
  kit.handle('search.legacy.post', removed);

  kit.handle('search.jql', ({ body }) => {
    const { jql, fields, maxResults = 50, nextPageToken } = body as { jql: string; fields?: string[]; maxResults?: number; nextPageToken?: string };
    if (!jql.trim()) throw new FakeError(400, 'Unbounded JQL queries are not allowed here. Please add a search restriction to your query.');
    const now = Date.now();
    const all = store.search(jql).filter((i) => (visibleAt.get(i.key) ?? 0) <= now);
    const offset = Number(nextPageToken ?? 0) || 0;
    const size = Math.min(Math.max(maxResults, 1), 100);
    const page = all.slice(offset, offset + size);
    const isLast = offset + size >= all.length;
    // Without `fields` the enhanced search returns ids only, as Jira does.
    return { issues: page.map((i) => present(i, origin, fields?.length ? fields : ['id'])), isLast, ...(isLast ? {} : { nextPageToken: String(offset + size) }) };
  });

  kit.handle('attachments.add', ({ params, body, headers }, reply) => {
    if (String(headers['x-atlassian-token'] ?? '').toLowerCase() !== 'no-check') return reply.code(403).send(jiraContract.error(403, 'XSRF check failed'));
    const issue = store.getIssue(params.issueIdOrKey);
    const files = (body as MultipartForm).files.file ?? [];
    if (files.length === 0) throw new FakeError(400, "No multipart field named 'file' with a file name.");
    return files.map((f) => presentAttachment(store.addAttachment(issue.key, { filename: f.filename, content: f.data, mimeType: f.contentType }), origin));
  });

  kit.handle('transitions.list', ({ params }) => {
    store.getIssue(params.issueIdOrKey);
    return {
      expand: 'transitions',
      transitions: TRANSITIONS.map((t) => ({ id: t.id, name: t.name, hasScreen: false, isGlobal: true, isInitial: false, isAvailable: true, isConditional: false, to: presentStatus(t.to, origin) })),
    };
  });

  kit.handle('transitions.do', ({ params, body }, reply) => {
    store.transition(params.issueIdOrKey, String((body as { transition: { id: string } }).transition.id));
    return reply.code(204).send();
  });

  const presentWebhook = (w: (typeof registered)[number], i: number) => ({
    name: w.name, url: w.url, events: w.events, filters: { 'issue-related-events-section': w.jql ?? '' }, excludeBody: false, enabled: true,
    self: `${origin}/rest/webhooks/1.0/webhook/${i + 1}`,
  });
  kit.handle('webhooks.list', () => registered.map(presentWebhook));
  kit.handle('webhooks.register', ({ body }) => {
    const b = body as { name: string; url: string; events: string[]; filters?: { 'issue-related-events-section'?: string }; secret?: string };
    registered.push({ name: b.name, url: b.url, events: b.events, jql: b.filters?.['issue-related-events-section'], secret: b.secret });
    if (b.events.includes('jira:issue_updated') && !subscriptions.includes(b.url)) subscriptions.push(b.url);
    return presentWebhook(registered[registered.length - 1], registered.length - 1);
  });

  // ---- control -------------------------------------------------------------------------------------------

  const fake: JiraFake = {
    system: 'jira',
    url: '',
    email,
    apiToken,
    webhookSecret,
    env: {},
    journal: kit.journal,
    breaches: kit.breaches,
    webhookDeliveries,
    injectFault(fault) {
      // A 429 says which limit was hit and how far along it is, as Jira's does [rate].
      const rateHeaders = { 'RateLimit-Reason': 'jira-burst-based', 'X-RateLimit-Limit': '100', 'X-RateLimit-Remaining': '0' };
      kit.injectFault(fault.kind === 'status' && fault.status === 429 ? { ...fault, headers: { ...rateHeaders, ...fault.headers } } : fault);
    },
    setSearchLag: (ms) => void (searchLagMs = ms),
    registeredWebhooks: () => registered,
    seed(seed) {
      return {
        projects: (seed.projects ?? []).map((p) => store.addProject(p)),
        users: (seed.users ?? []).map((u) => store.addUser(u)),
        fields: (seed.fields ?? []).map((f) => store.addField(f)),
        issues: (seed.issues ?? []).map((i) => store.seedIssue(i).key),
      };
    },
    issues: () => [...store.issues.values()],
    issue: (key) => store.issues.get(key),
    closeIssue(key) {
      const done = TRANSITIONS.find((t) => t.to === 'Done');
      if (done) store.transition(key, done.id);
    },
    subscribeWebhook(url) {
      if (!subscriptions.includes(url)) subscriptions.push(url);
    },
    sendWebhook(url, issueKey, sendOptions = {}) {
      const issue = store.getIssue(issueKey);
      const event = sendOptions.event ?? 'jira:issue_updated';
      return deliver(url, issue, event, eventBody(issue, event), sendOptions.secret ?? webhookSecret);
    },
    reset() {
      store = new JiraFakeStore(onStatusChange);
      searchLagMs = options.searchLagMs ?? 0;
      visibleAt.clear();
      registered = [];
      subscriptions.length = 0;
      webhookDeliveries.length = 0;
      kit.journal.length = 0;
    },
    close: () => kit.close(),
  };

  app.post('/__control/seed', async (request: FastifyRequest<{ Body: JiraSeed }>) => fake.seed(request.body ?? {}));
  app.get('/__control/issues', async () => ({ issues: fake.issues().map((i) => present(i, origin)) }));
  app.get('/__control/issues/:key', async (request: FastifyRequest<{ Params: Params<'key'> }>) => present(store.getIssue(request.params.key), origin));
  app.post('/__control/issues/:key/close', async (request: FastifyRequest<{ Params: Params<'key'> }>) => {
    fake.closeIssue(request.params.key);
    return present(store.getIssue(request.params.key), origin, ['status', 'resolution']);
  });
  app.post('/__control/webhooks/subscriptions', async (request: FastifyRequest<{ Body: { url: string } }>, reply: FastifyReply) => {
    fake.subscribeWebhook(request.body.url);
    return reply.code(204).send();
  });
  app.post('/__control/webhooks/send', async (request: FastifyRequest<{ Body: { url: string; issueKey: string; event?: string; secret?: string } }>) =>
    fake.sendWebhook(request.body.url, request.body.issueKey, request.body),
  );
  app.get('/__control/webhooks/deliveries', async () => ({ deliveries: webhookDeliveries }));

  persistStore(kit.app, options.stateFile, () => store);
  origin = await kit.listen(options.port);
  fake.url = origin;
  fake.env = { JIRA_HOST: origin, JIRA_EMAIL: email, JIRA_API_TOKEN: apiToken, JIRA_WEBHOOK_SECRET: webhookSecret, JIRA_TIMEOUT_MS: '10000' };
  return fake;
}

// ---- presentation in Jira's shapes -------------------------------------------------------------------------

function presentUser(u: FakeUser, origin: string) {
  return { self: `${origin}/rest/api/3/user?accountId=${u.accountId}`, accountId: u.accountId, accountType: 'atlassian', emailAddress: u.emailAddress, displayName: u.displayName, active: u.active, timeZone: 'Etc/UTC' };
}

function presentStatus(name: keyof typeof STATUSES, origin: string) {
  const status = STATUSES[name];
  return {
    self: `${origin}/rest/api/3/status/${status.id}`, id: status.id, name, description: '',
    statusCategory: { self: `${origin}/rest/api/3/statuscategory/${status.category.id}`, ...status.category, colorName: 'blue-gray' },
  };
}

function presentAttachment(a: { id: string; filename: string; size: number; mimeType: string; created: string }, origin: string) {
  return { self: `${origin}/rest/api/3/attachment/${a.id}`, id: a.id, filename: a.filename, size: a.size, mimeType: a.mimeType, created: a.created, content: `${origin}/rest/api/3/attachment/content/${a.id}` };
}

/** An issue as GET /issue answers it; `only` limits `fields` like the `fields` query parameter. */
export function present(issue: FakeIssue, origin: string, only?: string[]) {
  const all: Record<string, unknown> = {
    ...issue.fields,
    summary: issue.summary,
    issuetype: { id: issue.issueType === 'Epic' ? '10000' : '10001', name: issue.issueType, subtask: issue.issueType === 'Sub-task' },
    project: { key: issue.projectKey },
    status: presentStatus(issue.status, origin),
    resolution: issue.resolution ? { id: '10000', name: issue.resolution } : null,
    labels: issue.labels,
    attachment: issue.attachments.map((a) => presentAttachment(a, origin)),
    created: issue.created,
    updated: issue.updated,
  };
  const wanted = !only || only.some((f) => f === '*all' || f === '*navigable') ? Object.keys(all) : only;
  const fields = Object.fromEntries(wanted.filter((f) => f in all).map((f) => [f, all[f]]));
  return { id: issue.id, key: issue.key, self: `${origin}/rest/api/3/issue/${issue.id}`, fields };
}
