/**
 * The in-memory Jira site behind the fake: users, fields, projects, priorities, issues with statuses and
 * attachments, and the default seed the channel-partner process needs (project "Customer Success", fields
 * "QA Assignee", "Configuration Date" and "QA Due Date", the epic "Configuration Partner/Product Onboarding",
 * users for the roles). Issue creation is validated the way Jira Cloud does and rejected with Jira's error
 * body `{errorMessages, errors: {fieldId: message}}`.
 */
import { matchesJql, parseJql, JqlError } from './jql';

export class FakeJiraError extends Error {
  constructor(readonly status: number, readonly body: { errorMessages: string[]; errors: Record<string, string> }) {
    super(body.errorMessages[0] ?? Object.values(body.errors)[0] ?? `HTTP ${status}`);
  }
}

export const jiraError = (messages: string[], errors: Record<string, string> = {}) => ({ errorMessages: messages, errors });
const badRequest = (errors: Record<string, string>, messages: string[] = []) => new FakeJiraError(400, jiraError(messages, errors));
const notFound = (message: string) => new FakeJiraError(404, jiraError([message]));

export interface FakeUser {
  accountId: string;
  displayName: string;
  emailAddress: string;
  active: boolean;
}

export interface FakeField {
  id: string;
  name: string;
  custom: boolean;
  /** Jira schema type: `user`, `date`, `string`, `array`, `priority`, ... */
  type: string;
}

export interface FakeProject {
  id: string;
  key: string;
  name: string;
  issueTypes: string[];
}

export interface FakeAttachment {
  id: string;
  filename: string;
  size: number;
  mimeType: string;
  content: Buffer;
  created: string;
}

type StatusName = 'To Do' | 'In Progress' | 'Done';

export interface FakeIssue {
  id: string;
  key: string;
  projectKey: string;
  issueType: string;
  summary: string;
  status: StatusName;
  resolution: string | null;
  labels: string[];
  /** Every other field as the client sent it, keyed by field id (`description`, `customfield_10041`, ...). */
  fields: Record<string, unknown>;
  attachments: FakeAttachment[];
  created: string;
  updated: string;
}

export const STATUSES: Record<StatusName, { id: string; category: { id: number; key: string; name: string } }> = {
  'To Do': { id: '10000', category: { id: 2, key: 'new', name: 'To Do' } },
  'In Progress': { id: '3', category: { id: 4, key: 'indeterminate', name: 'In Progress' } },
  Done: { id: '10001', category: { id: 3, key: 'done', name: 'Done' } },
};

export const TRANSITIONS: Array<{ id: string; name: string; to: StatusName }> = [
  { id: '11', name: 'To Do', to: 'To Do' },
  { id: '21', name: 'In Progress', to: 'In Progress' },
  { id: '31', name: 'Done', to: 'Done' },
];

export const PRIORITIES = ['Highest', 'High', 'Medium', 'Low', 'Lowest'].map((name, i) => ({ id: String(i + 1), name }));

const ISSUE_TYPE_IDS: Record<string, string> = { Task: '10001', Epic: '10000', 'Sub-task': '10002', Bug: '10004' };

/** Fields jira.js and the actions use; the custom ones carry the names the SOP uses. */
const SYSTEM_FIELDS: FakeField[] = [
  ['summary', 'Summary', 'string'], ['description', 'Description', 'string'], ['issuetype', 'Issue Type', 'issuetype'],
  ['project', 'Project', 'project'], ['assignee', 'Assignee', 'user'], ['reporter', 'Reporter', 'user'],
  ['priority', 'Priority', 'priority'], ['duedate', 'Due date', 'date'], ['labels', 'Labels', 'array'],
  ['parent', 'Parent', 'issuelink'], ['status', 'Status', 'status'], ['resolution', 'Resolution', 'resolution'],
  ['attachment', 'Attachment', 'array'], ['created', 'Created', 'datetime'], ['updated', 'Updated', 'datetime'],
].map(([id, name, type]) => ({ id, name, type, custom: false }));

export const DEFAULT_CUSTOM_FIELDS: FakeField[] = [
  { id: 'customfield_10014', name: 'Epic Link', type: 'any', custom: true },
  { id: 'customfield_10040', name: 'QA Assignee', type: 'user', custom: true },
  { id: 'customfield_10041', name: 'Configuration Date', type: 'date', custom: true },
  { id: 'customfield_10042', name: 'QA Due Date', type: 'date', custom: true },
];

/** Users named for the roles in the SOP, not for people. */
export const DEFAULT_USERS: FakeUser[] = [
  { accountId: '5b10ac8d82e05b22cc7d4ef5', displayName: 'Configuration Specialist', emailAddress: 'config.specialist@everbright.example', active: true },
  { accountId: '5b10ac8d82e05b22cc7d4ef6', displayName: 'QA Reviewer', emailAddress: 'qa.reviewer@everbright.example', active: true },
  { accountId: '5b10ac8d82e05b22cc7d4ef7', displayName: 'Support Agent', emailAddress: 'support.agent@everbright.example', active: true },
];

export const DEFAULT_PROJECT = { key: 'CS', name: 'Customer Success' };
export const DEFAULT_EPIC_SUMMARY = 'Configuration Partner/Product Onboarding';

const DATE = /^\d{4}-\d{2}-\d{2}$/;
/** A real calendar day: `2026-02-30` parses in JavaScript but Jira rejects it. */
const isDate = (value: unknown) => typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(value)) && new Date(value).toISOString().slice(0, 10) === value;
const isAdf = (value: unknown) => {
  const doc = value as { type?: unknown; version?: unknown; content?: unknown };
  return !!doc && typeof doc === 'object' && doc.type === 'doc' && doc.version === 1 && Array.isArray(doc.content);
};

export type StatusChange = (issue: FakeIssue, from: StatusName, to: StatusName) => void;

export class JiraFakeStore {
  users: FakeUser[] = DEFAULT_USERS.map((u) => ({ ...u }));
  fields: FakeField[] = [...SYSTEM_FIELDS, ...DEFAULT_CUSTOM_FIELDS.map((f) => ({ ...f }))];
  projects: FakeProject[] = [];
  issues = new Map<string, FakeIssue>();
  private nextIssueId = 10000;
  private nextAttachmentId = 20000;
  private nextProjectId = 10000;
  private readonly counters = new Map<string, number>();

  constructor(private readonly onStatusChange: StatusChange = () => {}) {
    this.addProject(DEFAULT_PROJECT);
    this.seedIssue({ projectKey: DEFAULT_PROJECT.key, issueType: 'Epic', summary: DEFAULT_EPIC_SUMMARY });
  }

  // ---- seeding -------------------------------------------------------------------------------------------

  addProject(input: { key: string; name: string; issueTypes?: string[] }): FakeProject {
    const project = { id: String(this.nextProjectId++), key: input.key, name: input.name, issueTypes: input.issueTypes ?? ['Task', 'Epic', 'Sub-task', 'Bug'] };
    this.projects = [...this.projects.filter((p) => p.key !== project.key), project];
    return project;
  }

  addUser(input: Omit<FakeUser, 'active'> & { active?: boolean }): FakeUser {
    const user = { active: true, ...input };
    this.users = [...this.users.filter((u) => u.accountId !== user.accountId), user];
    return user;
  }

  addField(input: { id?: string; name: string; type: string }): FakeField {
    const id = input.id ?? `customfield_${10100 + this.fields.length}`;
    const field = { id, name: input.name, type: input.type, custom: true };
    this.fields = [...this.fields.filter((f) => f.id !== id), field];
    return field;
  }

  /** Adds an issue without validation, as if someone had created it in the UI. */
  seedIssue(input: { projectKey: string; issueType?: string; summary: string; labels?: string[]; status?: StatusName; fields?: Record<string, unknown> }): FakeIssue {
    const project = this.projectByRef({ key: input.projectKey });
    if (!project) throw notFound(`No project could be found with key '${input.projectKey}'.`);
    return this.insert(project, input.issueType ?? 'Task', input.summary, input.labels ?? [], input.fields ?? {}, input.status ?? 'To Do');
  }

  // ---- API behaviour -------------------------------------------------------------------------------------

  searchProjects(query: string | undefined): FakeProject[] {
    const q = (query ?? '').toLowerCase();
    return this.projects.filter((p) => p.name.toLowerCase().includes(q) || p.key.toLowerCase().includes(q));
  }

  searchUsers(query: string | undefined, accountId: string | undefined): FakeUser[] {
    if (accountId) return this.users.filter((u) => u.accountId === accountId);
    const q = (query ?? '').toLowerCase();
    if (!q) return [];
    return this.users.filter((u) => u.displayName.toLowerCase().includes(q) || u.emailAddress.toLowerCase().startsWith(q));
  }

  /** POST /rest/api/3/issue: validates like Jira Cloud and reports every bad field at once. */
  createIssue(body: unknown): FakeIssue {
    const fields = (body as { fields?: Record<string, unknown> })?.fields;
    if (!fields || typeof fields !== 'object') throw badRequest({}, ["Field 'fields' is required."]);
    const errors: Record<string, string> = {};
    const project = this.projectByRef(fields.project);
    if (!project) errors.project = 'Specify a valid project ID or key';
    const issueType = (fields.issuetype as { name?: string; id?: string } | undefined);
    const typeName = issueType?.name ?? Object.keys(ISSUE_TYPE_IDS).find((name) => ISSUE_TYPE_IDS[name] === issueType?.id);
    if (!typeName) errors.issuetype = 'Specify an issue type';
    else if (project && !project.issueTypes.includes(typeName)) errors.issuetype = 'Specify a valid issue type';
    if (typeof fields.summary !== 'string' || fields.summary.trim() === '') errors.summary = 'You must specify a summary of the issue.';
    else if (fields.summary.length > 255) errors.summary = 'Summary must be less than 255 characters.';

    const extra: Record<string, unknown> = {};
    for (const [id, value] of Object.entries(fields)) {
      if (['project', 'issuetype', 'summary', 'labels'].includes(id)) continue;
      const problem = this.checkField(id, value, project);
      if (problem) errors[id] = problem;
      else extra[id] = value;
    }
    const labels = fields.labels ?? [];
    if (!Array.isArray(labels) || labels.some((l) => typeof l !== 'string' || /\s/.test(l))) errors.labels = 'The label must not contain spaces.';
    if (Object.keys(errors).length > 0 || !project || !typeName) throw badRequest(errors);
    return this.insert(project, typeName, fields.summary as string, labels as string[], extra, 'To Do');
  }

  getIssue(keyOrId: string): FakeIssue {
    const issue = this.issues.get(keyOrId) ?? [...this.issues.values()].find((i) => i.id === keyOrId);
    if (!issue) throw notFound('Issue does not exist or you do not have permission to see it.');
    return issue;
  }

  search(jql: string): FakeIssue[] {
    let clauses;
    try {
      clauses = parseJql(jql);
    } catch (err) {
      if (err instanceof JqlError) throw badRequest({}, [err.message]);
      throw err;
    }
    const known = new Set(['key', 'id', 'project', 'labels', 'issuetype', 'type', 'status', 'statuscategory', 'summary', 'parent', 'assignee']);
    const unknown = clauses.find((c) => !known.has(c.field));
    if (unknown) throw badRequest({}, [`Field '${unknown.field}' does not exist or you do not have permission to view it.`]);
    return [...this.issues.values()].filter((issue) => matchesJql(clauses, (field) => this.jqlValues(issue, field)));
  }

  addAttachment(keyOrId: string, file: { filename: string; content: Buffer; mimeType: string }): FakeAttachment {
    const issue = this.getIssue(keyOrId);
    const attachment = { id: String(this.nextAttachmentId++), filename: file.filename, size: file.content.length, mimeType: file.mimeType, content: file.content, created: new Date().toISOString() };
    issue.attachments.push(attachment);
    issue.updated = attachment.created;
    return attachment;
  }

  transition(keyOrId: string, transitionId: string): FakeIssue {
    const issue = this.getIssue(keyOrId);
    const transition = TRANSITIONS.find((t) => t.id === transitionId);
    if (!transition) throw badRequest({ transition: `Transition id '${transitionId}' is not valid for this issue.` });
    const from = issue.status;
    issue.status = transition.to;
    issue.resolution = transition.to === 'Done' ? 'Done' : null;
    issue.updated = new Date().toISOString();
    if (from !== issue.status) this.onStatusChange(issue, from, issue.status);
    return issue;
  }

  // ---- helpers -------------------------------------------------------------------------------------------

  user(accountId: string): FakeUser | undefined {
    return this.users.find((u) => u.accountId === accountId);
  }

  projectByRef(ref: unknown): FakeProject | undefined {
    const r = (ref ?? {}) as { key?: string; id?: string };
    return this.projects.find((p) => (r.key !== undefined && p.key === r.key) || (r.id !== undefined && p.id === r.id));
  }

  private checkField(id: string, value: unknown, project: FakeProject | undefined): string | undefined {
    const field = this.fields.find((f) => f.id === id);
    if (!field || ['status', 'resolution', 'attachment', 'created', 'updated'].includes(id)) {
      return `Field '${id}' cannot be set. It is not on the appropriate screen, or unknown.`;
    }
    if (id === 'description') return isAdf(value) ? undefined : 'Operation value must be an Atlassian Document (see the Atlassian Document Format).';
    if (id === 'priority') {
      const p = value as { name?: string; id?: string };
      return PRIORITIES.some((x) => x.name === p?.name || x.id === p?.id) ? undefined : 'The priority selected is invalid.';
    }
    if (id === 'parent') {
      const p = value as { key?: string; id?: string };
      const parent = [...this.issues.values()].find((i) => i.key === p?.key || i.id === p?.id);
      if (!parent) return 'Could not find issue by id or key.';
      if (parent.issueType !== 'Epic' || parent.projectKey !== project?.key) return 'Given parent work item does not belong to appropriate hierarchy.';
      return undefined;
    }
    if (field.type === 'user') {
      const accountId = (value as { accountId?: string } | null)?.accountId;
      if (value === null) return undefined;
      return accountId && this.user(accountId)?.active ? undefined : `Specified user does not exist or you do not have required permissions`;
    }
    if (field.type === 'date') return value === null || isDate(value) ? undefined : `Error parsing date string: ${String(value)}`;
    return undefined;
  }

  private insert(project: FakeProject, issueType: string, summary: string, labels: string[], fields: Record<string, unknown>, status: StatusName): FakeIssue {
    const number = (this.counters.get(project.key) ?? 0) + 1;
    this.counters.set(project.key, number);
    const now = new Date().toISOString();
    const issue: FakeIssue = {
      id: String(this.nextIssueId++), key: `${project.key}-${number}`, projectKey: project.key, issueType, summary, labels: [...labels],
      fields, status, resolution: status === 'Done' ? 'Done' : null, attachments: [], created: now, updated: now,
    };
    this.issues.set(issue.key, issue);
    return issue;
  }

  private jqlValues(issue: FakeIssue, field: string): string[] {
    const project = this.projectByRef({ key: issue.projectKey });
    const parent = issue.fields.parent as { key?: string } | undefined;
    const assignee = issue.fields.assignee as { accountId?: string } | undefined;
    switch (field) {
      case 'key': return [issue.key];
      case 'id': return [issue.id];
      case 'project': return project ? [project.key, project.name, project.id] : [];
      case 'labels': return issue.labels;
      case 'issuetype':
      case 'type': return [issue.issueType];
      case 'status': return [issue.status];
      case 'statuscategory': return [STATUSES[issue.status].category.key, STATUSES[issue.status].category.name];
      case 'summary': return [issue.summary];
      case 'parent': return parent?.key ? [parent.key] : [];
      case 'assignee': return assignee?.accountId ? [assignee.accountId] : [];
      default: return [];
    }
  }
}
