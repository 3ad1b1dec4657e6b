/**
 * The Jira actions a process definition can call:
 *   jira.createTask      create a Task (by project name) with people, epic, priority, dates, a form table and files
 *   jira.getIssueStatus  read an issue's status, status category and resolution
 *   jira.findIssues      find issues by JQL
 * createTask is idempotent: it labels the issue `wf-<hash of the idempotency key>` and searches for that label
 * before creating, so a retried step finds the issue it already made and only uploads what is missing.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineAction } from '../shared/action';
import { ConnectorError, isRetryableStatus, retryAfterMs } from '../shared/errors';
import { FormAnswerSchema, formAnswersDocument } from './adf';
import { jqlString, type JiraClient, type UploadFile } from './client';
import { SYSTEM } from './errors';

const IsoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD');
const UserRef = z.string().min(1).describe('e-mail address, display name or accountId of a Jira user');

const AttachmentSchema = z.union([
  z.object({ filename: z.string().min(1), contentBase64: z.string(), contentType: z.string().default('application/octet-stream') }),
  z.object({ filename: z.string().min(1), url: z.string().url(), contentType: z.string().optional() }),
]);
type Attachment = z.infer<typeof AttachmentSchema>;

/** The label that marks an issue as created by one workflow step (labels may not contain spaces). */
export function idempotencyLabel(idempotencyKey: string): string {
  return `wf-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 20)}`;
}

// ---- jira.createTask -------------------------------------------------------------------------------------

const CreateTaskInput = z.object({
  /** Project name as people say it ("Customer Success"); a project key works too. */
  project: z.string().min(1),
  issueType: z.string().min(1).default('Task'),
  summary: z.string().min(1).max(255),
  assignee: UserRef.optional(),
  /** The parent epic, by key ("CS-12") or by summary ("Configuration Partner/Product Onboarding"). */
  parentEpic: z.string().min(1).optional(),
  priority: z.string().min(1).optional(),
  dueDate: IsoDate.optional(),
  /** User-picker fields by field name, e.g. `{ "QA Assignee": "qa.reviewer@everbright.example" }`. */
  userFields: z.record(z.string(), UserRef).default({}),
  /** Date fields by field name, e.g. `{ "Configuration Date": "2026-03-04", "QA Due Date": "2026-03-05" }`. */
  dateFields: z.record(z.string(), IsoDate).default({}),
  /** The description: an optional introduction and the form answers as a label/value table. */
  description: z.object({ intro: z.string().optional(), answers: z.array(FormAnswerSchema).min(1) }).optional(),
  labels: z.array(z.string().regex(/^\S+$/, 'Jira labels cannot contain spaces')).default([]),
  /** Files to attach: inline (base64) or fetched from a URL (e.g. a form upload). */
  attachments: z.array(AttachmentSchema).default([]),
});

interface CreatedTask {
  key: string;
  id: string;
  url: string;
  /** False when a retry found the issue an earlier attempt had already created. */
  created: boolean;
  attachments: Array<{ filename: string; id: string }>;
}

export const createTask = defineAction({
  name: 'jira.createTask',
  description: 'Create a Jira issue (default Task) in a project given by name, with assignee, custom user/date fields, epic, priority, a form-answer table and attachments',
  input: CreateTaskInput,
  mutates: true,
  async run(client: JiraClient, input, context): Promise<CreatedTask> {
    const action = 'jira.createTask';
    const label = idempotencyLabel(context.idempotencyKey);
    // Resolve every name before touching anything, so a typo fails before an issue exists.
    const project = await client.project(action, input.project);
    const fields: Record<string, unknown> = {
      project: { key: project.key },
      issuetype: { name: input.issueType },
      summary: input.summary,
      labels: [...new Set([...input.labels, label])],
    };
    if (input.description) fields.description = formAnswersDocument(input.description.answers, input.description.intro);
    if (input.assignee) fields.assignee = { accountId: (await client.user(action, input.assignee, 'assignee')).accountId };
    if (input.priority) fields.priority = { name: input.priority };
    if (input.dueDate) fields.duedate = input.dueDate;
    if (input.parentEpic) fields.parent = { key: await client.epicKey(action, project, input.parentEpic) };
    for (const [name, ref] of Object.entries(input.userFields)) {
      const field = await client.field(action, name, 'userFields', ['user']);
      fields[field.id] = { accountId: (await client.user(action, ref, `userFields.${name}`)).accountId };
    }
    for (const [name, date] of Object.entries(input.dateFields)) {
      const field = await client.field(action, name, 'dateFields', ['date', 'datetime']);
      fields[field.id] = date;
    }

    // Search before create: a previous attempt may have created the issue and lost the answer. Jira's search
    // lags writes, so after a first attempt the lookup keeps trying for the lag window before concluding
    // there is no such issue (Atlassian changelog CHANGE-2046: search is eventually consistent).
    const existing = await findLabelled(client, action, label, context.attempt > 1 ? client.searchLagMs : 0, context.signal);
    const issue = existing ?? (await client.createIssue(action, fields));
    const present = (existing?.fields.attachment ?? []) as Array<{ id: string; filename: string; size: number }>;

    const attachments: CreatedTask['attachments'] = [];
    for (const attachment of input.attachments) {
      const file = await loadAttachment(action, attachment, context.signal);
      // Same name and size as one already on the issue: uploaded by an earlier attempt.
      const already = present.find((a) => a.filename === file.filename && a.size === file.content.length);
      const uploaded = already ?? (await client.attach(action, issue.key, file, context.signal));
      attachments.push({ filename: uploaded.filename, id: String(uploaded.id) });
    }
    return { key: issue.key, id: issue.id, url: client.browseUrl(issue.key), created: !existing, attachments };
  },
});

/** The issue carrying `label`, searching again every half second for up to `patienceMs` while none shows. */
async function findLabelled(client: JiraClient, action: string, label: string, patienceMs: number, signal: AbortSignal) {
  const until = Date.now() + patienceMs;
  for (;;) {
    const [found] = await client.search(action, `labels = ${jqlString(label)}`, ['attachment'], 1);
    if (found || Date.now() >= until || signal.aborted) return found;
    await new Promise((resolve) => setTimeout(resolve, Math.min(500, until - Date.now())));
  }
}

/** Reads an attachment's bytes, fetching it when it is given as a URL. */
async function loadAttachment(action: string, attachment: Attachment, signal: AbortSignal): Promise<UploadFile> {
  if ('contentBase64' in attachment) {
    return { filename: attachment.filename, content: Buffer.from(attachment.contentBase64, 'base64'), contentType: attachment.contentType };
  }
  const where = `attachment "${attachment.filename}"`;
  let response: Response;
  try {
    response = await fetch(attachment.url, { signal });
  } catch (err) {
    throw new ConnectorError(SYSTEM, action, `could not download ${where}: ${(err as Error).message}`, { field: 'attachments', retryable: true });
  }
  if (!response.ok) {
    await response.arrayBuffer();
    throw new ConnectorError(SYSTEM, action, `could not download ${where}: the file server answered ${response.status}`, {
      status: response.status,
      field: 'attachments',
      retryable: isRetryableStatus(response.status),
      retryAfterMs: retryAfterMs(response.headers),
    });
  }
  return {
    filename: attachment.filename,
    content: Buffer.from(await response.arrayBuffer()),
    contentType: attachment.contentType ?? response.headers.get('content-type') ?? 'application/octet-stream',
  };
}

// ---- jira.getIssueStatus ---------------------------------------------------------------------------------

const IssueKey = z.string().regex(/^[A-Z][A-Z0-9_]*-\d+$/, 'expected an issue key such as CS-123');

export interface IssueStatus {
  key: string;
  status: string;
  /** Jira's category key: `new`, `indeterminate` or `done`. */
  statusCategory: string;
  resolution: string | null;
}

interface StatusFields {
  status?: { name?: string; statusCategory?: { key?: string } };
  resolution?: { name?: string } | null;
}

function statusOf(key: string, fields: StatusFields): IssueStatus {
  return {
    key,
    status: fields.status?.name ?? 'unknown',
    statusCategory: fields.status?.statusCategory?.key ?? 'unknown',
    resolution: fields.resolution?.name ?? null,
  };
}

export const getIssueStatus = defineAction({
  name: 'jira.getIssueStatus',
  description: "Read a Jira issue's status, status category (new / indeterminate / done) and resolution",
  input: z.object({ issueKey: IssueKey }),
  mutates: false,
  async run(client: JiraClient, input): Promise<IssueStatus> {
    const issue = await client.getIssue('jira.getIssueStatus', input.issueKey, ['status', 'resolution']);
    return statusOf(issue.key, issue.fields as StatusFields);
  },
});

// ---- jira.findIssues -------------------------------------------------------------------------------------

export const findIssues = defineAction({
  name: 'jira.findIssues',
  description: 'Find Jira issues by JQL; returns key, summary and status of each (up to maxResults)',
  input: z.object({
    jql: z.string().min(1),
    maxResults: z.number().int().min(1).max(1000).default(50),
  }),
  mutates: false,
  async run(client: JiraClient, input): Promise<{ issues: Array<IssueStatus & { id: string; summary: string }> }> {
    const found = await client.search('jira.findIssues', input.jql, ['summary', 'status', 'resolution'], input.maxResults);
    return { issues: found.map((i) => ({ ...statusOf(i.key, i.fields as StatusFields), id: i.id, summary: String(i.fields.summary ?? '') })) };
  },
});

// ---- jira.registerWebhook -------------------------------------------------------------------------------

export const registerWebhook = defineAction({
  name: 'jira.registerWebhook',
  description: 'Register an admin webhook (e.g. issue updates of one project) through the REST API; a webhook already registered for the URL is kept',
  input: z.object({
    name: z.string().min(1),
    url: z.url().describe('Where Jira delivers, e.g. the engine\'s /webhooks/jira route'),
    events: z.array(z.string().min(1)).min(1).default(['jira:issue_updated']),
    jql: z.string().min(1).optional().describe('Only issues matching this JQL, e.g. project = "Customer Success"'),
  }),
  mutates: true,
  async run(client: JiraClient, input): Promise<{ url: string; self: string; created: boolean }> {
    const action = 'jira.registerWebhook';
    // One webhook per URL: looking first makes a retried step (or one registered by hand) a success.
    const existing = (await client.webhooks(action)).find((w) => w.url === input.url);
    if (existing) return { url: existing.url, self: existing.self, created: false };
    const created = await client.registerWebhook(action, {
      name: input.name,
      url: input.url,
      events: input.events,
      filters: input.jql ? { 'issue-related-events-section': input.jql } : undefined,
      excludeBody: false,
      secret: client.webhookSecret,
    });
    return { url: created.url, self: created.self, created: true };
  },
});

export const jiraActions = [createTask, getIssueStatus, findIssues, registerWebhook] as const;
