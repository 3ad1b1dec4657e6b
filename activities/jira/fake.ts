/**
 * A local Jira Cloud: a real HTTP server on 127.0.0.1 speaking REST v3 for exactly the endpoints the Jira
 * actions (and tests closing issues) call, with basic auth and Jira's error body. jira.js is pointed at it
 * through `host`. The default seed (project "Customer Success", the SOP's custom fields, users and epic) is
 * loaded at start, so the embedded default works out of the box.
 *
 * API: GET /rest/api/3/field, /project/search, /user/search, /priority; POST /issue; GET /issue/{key};
 * POST /search/jql (the old /search answers 410 Gone); POST /issue/{key}/attachments (multipart `file`,
 * 403 without X-Atlassian-Token: no-check); GET/POST /issue/{key}/transitions.
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
import type { RunningFake } from '../shared/action';
import { createFakeKit, deliverWebhook, type Fault, type JournalEntry } from '../shared/fake-kit';
import { constantTimeEqual } from '../shared/webhook';
import {
  FakeJiraError, jiraError, JiraFakeStore, PRIORITIES, STATUSES, TRANSITIONS,
  type FakeField, type FakeIssue, type FakeProject, type FakeUser, type StatusChange,
} from './fake-store';
import { IDENTIFIER_HEADER, SIGNATURE_HEADER, signJiraWebhook } from './webhook';

export interface JiraFakeOptions {
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
  injectFault(fault: Fault): void;
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
  const expectedAuth = `Basic ${Buffer.from(`${email}:${apiToken}`).toString('base64')}`;
  const subscriptions: string[] = [];
  const webhookDeliveries: WebhookDelivery[] = [];
  let origin = '';

  const kit = createFakeKit({
    reset: () => fake.reset(),
    authorize: (request) => constantTimeEqual(request.headers.authorization ?? '', expectedAuth),
    errorBody: (status, message) => jiraError([status === 429 ? 'Rate limit exceeded.' : message]),
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
      const { status } = await deliverWebhook(url, rawBody, { [SIGNATURE_HEADER]: signJiraWebhook(secret, rawBody), [IDENTIFIER_HEADER]: randomUUID() });
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

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof FakeJiraError) return reply.code(error.status).send(error.body);
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send(jiraError([(error as Error).message]));
  });

  app.addContentTypeParser('multipart/form-data', { parseAs: 'buffer', bodyLimit: 50 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  // ---- Jira REST v3 --------------------------------------------------------------------------------------

  app.get('/rest/api/3/field', async () =>
    store.fields.map((f) => ({
      id: f.id, key: f.id, name: f.name, custom: f.custom, orderable: true, navigable: true, searchable: true,
      clauseNames: f.custom ? [`cf[${f.id.replace('customfield_', '')}]`, f.name] : [f.id],
      schema: f.custom ? { type: f.type, custom: `com.atlassian.jira.plugin.system.customfieldtypes:${f.type === 'user' ? 'userpicker' : 'datepicker'}`, customId: Number(f.id.replace('customfield_', '')) } : { type: f.type, system: f.id },
    })),
  );

  app.get('/rest/api/3/project/search', async (request: FastifyRequest<{ Querystring: { query?: string; startAt?: string; maxResults?: string } }>) => {
    const all = store.searchProjects(request.query.query);
    const startAt = Number(request.query.startAt ?? 0) || 0;
    const maxResults = Math.min(Number(request.query.maxResults ?? 50) || 50, 100);
    const page = all.slice(startAt, startAt + maxResults);
    return {
      self: `${origin}/rest/api/3/project/search`, startAt, maxResults, total: all.length, isLast: startAt + maxResults >= all.length,
      values: page.map((p) => ({ self: `${origin}/rest/api/3/project/${p.id}`, id: p.id, key: p.key, name: p.name, projectTypeKey: 'software', simplified: false, style: 'classic', isPrivate: false })),
    };
  });

  app.get('/rest/api/3/user/search', async (request: FastifyRequest<{ Querystring: { query?: string; accountId?: string } }>) =>
    store.searchUsers(request.query.query, request.query.accountId).map((u) => presentUser(u, origin)),
  );

  app.get('/rest/api/3/priority', async () => PRIORITIES.map((p) => ({ ...p, self: `${origin}/rest/api/3/priority/${p.id}` })));

  app.post('/rest/api/3/issue', async (request, reply: FastifyReply) => {
    const issue = store.createIssue(request.body);
    return reply.code(201).send({ id: issue.id, key: issue.key, self: `${origin}/rest/api/3/issue/${issue.id}` });
  });

  app.get('/rest/api/3/issue/:key', async (request: FastifyRequest<{ Params: Params<'key'>; Querystring: { fields?: string } }>) =>
    present(store.getIssue(request.params.key), origin, request.query.fields?.split(',').filter(Boolean)),
  );

  // Atlassian removed the old search endpoint; clients still calling it must notice.
  app.route({ method: ['GET', 'POST'], url: '/rest/api/3/search', handler: async (_request, reply) => reply.code(410).send(jiraError(['The requested API has been removed. Please migrate to the /rest/api/3/search/jql API.'])) });

  app.post('/rest/api/3/search/jql', async (request: FastifyRequest<{ Body: { jql?: string; fields?: string[]; maxResults?: number; nextPageToken?: string } }>) => {
    const { jql, fields, maxResults = 50, nextPageToken } = request.body ?? {};
    if (!jql) throw new FakeJiraError(400, jiraError(['Unbounded JQL queries are not allowed here. Please add a search restriction to your query.']));
    const all = store.search(jql);
    const offset = Number(nextPageToken ?? 0) || 0;
    const size = Math.min(Math.max(maxResults, 1), 100);
    const page = all.slice(offset, offset + size);
    const isLast = offset + size >= all.length;
    // Without `fields` the enhanced search returns ids only, as Jira does.
    return { issues: page.map((i) => present(i, origin, fields?.length ? fields : ['id'])), isLast, ...(isLast ? {} : { nextPageToken: String(offset + size) }) };
  });

  app.post('/rest/api/3/issue/:key/attachments', async (request: FastifyRequest<{ Params: Params<'key'> }>, reply: FastifyReply) => {
    if (String(request.headers['x-atlassian-token'] ?? '').toLowerCase() !== 'no-check') {
      return reply.code(403).send(jiraError(['XSRF check failed']));
    }
    const contentType = String(request.headers['content-type'] ?? '');
    if (!contentType.startsWith('multipart/form-data') || !Buffer.isBuffer(request.body)) {
      return reply.code(415).send(jiraError(['Attachments must be sent as multipart/form-data.']));
    }
    const files = parseMultipart(request.body, contentType).filter((part) => part.name === 'file' && part.filename !== undefined);
    if (files.length === 0) return reply.code(400).send(jiraError(["No multipart field named 'file' with a file name."]));
    const issue = store.getIssue(request.params.key);
    return files.map((f) => presentAttachment(store.addAttachment(issue.key, { filename: f.filename as string, content: f.data, mimeType: f.contentType }), origin));
  });

  app.get('/rest/api/3/issue/:key/transitions', async (request: FastifyRequest<{ Params: Params<'key'> }>) => {
    store.getIssue(request.params.key);
    return {
      expand: 'transitions',
      transitions: TRANSITIONS.map((t) => ({ id: t.id, name: t.name, hasScreen: false, isGlobal: true, isInitial: false, isAvailable: true, isConditional: false, to: presentStatus(t.to, origin) })),
    };
  });

  app.post('/rest/api/3/issue/:key/transitions', async (request: FastifyRequest<{ Params: Params<'key'>; Body: { transition?: { id?: string } } }>, reply: FastifyReply) => {
    store.transition(request.params.key, String(request.body?.transition?.id ?? ''));
    return reply.code(204).send();
  });

  // ---- control -------------------------------------------------------------------------------------------

  const fake: JiraFake = {
    system: 'jira',
    url: '',
    email,
    apiToken,
    webhookSecret,
    journal: kit.journal,
    webhookDeliveries,
    injectFault(fault) {
      // Jira says which limit was hit; clients may log it.
      kit.injectFault(fault.kind === 'status' && fault.status === 429 ? { ...fault, headers: { 'RateLimit-Reason': 'jira-burst-based', ...fault.headers } } : fault);
    },
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

  origin = await kit.listen();
  fake.url = origin;
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

// ---- multipart -------------------------------------------------------------------------------------------

interface MultipartPart {
  name?: string;
  filename?: string;
  contentType: string;
  data: Buffer;
}

/** Splits a multipart/form-data body into its parts (enough for file uploads; no nested multiparts). */
export function parseMultipart(body: Buffer, contentType: string): MultipartPart[] {
  const boundary = /boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  if (!boundary) return [];
  const delimiter = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const parts: MultipartPart[] = [];
  let start = body.indexOf(delimiter);
  while (start !== -1) {
    const from = start + delimiter.length;
    if (body.subarray(from, from + 2).toString() === '--') break; // closing delimiter
    const end = body.indexOf(delimiter, from);
    if (end === -1) break;
    const part = body.subarray(from + 2, end - 2); // drop the CRLF after the delimiter and before the next
    const split = part.indexOf('\r\n\r\n');
    const headers = part.subarray(0, split).toString('utf8');
    const disposition = /content-disposition:[^\r\n]*/i.exec(headers)?.[0] ?? '';
    parts.push({
      name: /\bname="([^"]*)"/i.exec(disposition)?.[1],
      filename: /\bfilename="([^"]*)"/i.exec(disposition)?.[1],
      contentType: /content-type:\s*([^\r\n]+)/i.exec(headers)?.[1]?.trim() ?? 'application/octet-stream',
      data: Buffer.from(part.subarray(split + 4)),
    });
    start = end;
  }
  return parts;
}
