/**
 * The Jira client the actions receive: jira.js v5 (`Version3Client`) pointed at the configured site with
 * basic auth, wrapped so that every failure becomes a classified ConnectorError. It also resolves the names
 * people use (project "Customer Success", field "QA Due Date", user "QA Reviewer", epic "Configuration
 * Partner/Product Onboarding") to the ids the API wants, caching what does not change during a run.
 */
import { Version3Client, type Version3 } from 'jira.js';
import { ConnectorError } from '../shared/errors';
import { resolveLabel, type Labelled } from '../shared/labels';
import type { JiraConfig } from './config';
import { SYSTEM, toJiraError } from './errors';
import { cached } from '../shared/cached';

export interface JiraField extends Labelled {
  /** Jira's schema type: `user`, `date`, `datetime`, `string`, `array`, ... */
  type: string | undefined;
}

export interface JiraProject extends Labelled {
  key: string;
}

export interface JiraUser {
  accountId: string;
  displayName: string;
  emailAddress?: string;
}

export interface FoundIssue {
  id: string;
  key: string;
  fields: Record<string, unknown>;
}

export interface UploadFile {
  filename: string;
  content: Buffer;
  contentType: string;
}

const ISSUE_KEY = /^[A-Z][A-Z0-9_]*-\d+$/;

/** Quotes a value for JQL: double quotes, with quotes and backslashes escaped. */
export function jqlString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export class JiraClient {
  readonly api: Version3Client;
  private fieldCache?: Promise<JiraField[]>;
  private readonly fieldNames = new Map<string, string>();
  private readonly projectCache = new Map<string, Promise<JiraProject>>();
  private readonly userCache = new Map<string, Promise<JiraUser>>();

  constructor(private readonly config: JiraConfig) {
    this.api = new Version3Client({
      host: config.host.replace(/\/+$/, ''),
      authentication: { basic: { email: config.email, apiToken: config.apiToken } },
      // jira.js v5 has no retry of its own, which is what we want: Temporal's activity retry is the only layer.
      baseRequestConfig: { timeout: config.timeoutMs },
    });
  }

  /** The secret Jira signs admin webhook deliveries with, if configured. */
  get webhookSecret(): string | undefined {
    return this.config.webhookSecret;
  }

  /** How long JQL search may lag a create (config `searchLagMs`). */
  get searchLagMs(): number {
    return this.config.searchLagMs;
  }

  /** Admin webhooks of the site (Atlassian "Webhooks": GET /rest/webhooks/1.0/webhook). */
  async webhooks(action: string): Promise<Array<{ name: string; url: string; events: string[]; self: string }>> {
    return this.call(action, 'GET /rest/webhooks/1.0/webhook', (api) => api.sendRequest({ url: '/rest/webhooks/1.0/webhook', method: 'GET' }, undefined as never));
  }

  /** Registers an admin webhook (POST /rest/webhooks/1.0/webhook); jira.js v5 has no method for the 1.0 API. */
  async registerWebhook(action: string, body: { name: string; url: string; events: string[]; filters?: Record<string, string>; excludeBody: boolean; secret?: string }) {
    return this.call(action, 'POST /rest/webhooks/1.0/webhook', (api) =>
      api.sendRequest<{ name: string; url: string; events: string[]; self: string }>({ url: '/rest/webhooks/1.0/webhook', method: 'POST', data: body }, undefined as never),
    );
  }

  /** The site's browse URL of an issue, for people reading the workflow's output. */
  browseUrl(key: string): string {
    return `${this.config.host.replace(/\/+$/, '')}/browse/${key}`;
  }

  /** Runs one jira.js call and turns its failure into a ConnectorError naming the action and the request. */
  async call<T>(action: string, request: string, fn: (api: Version3Client) => Promise<T>): Promise<T> {
    try {
      return await fn(this.api);
    } catch (err) {
      throw toJiraError(err, {
        action,
        request,
        secrets: [this.config.apiToken, Buffer.from(`${this.config.email}:${this.config.apiToken}`).toString('base64')],
        fieldName: (id) => this.fieldNames.get(id),
      });
    }
  }

  // ---- names → ids ---------------------------------------------------------------------------------------

  /** Every field of the site (system and custom), fetched once per client: field ids never change. */
  fields(action: string): Promise<JiraField[]> {
    this.fieldCache ??= this.call(action, 'GET /rest/api/3/field', (api) => api.issueFields.getFields()).then(
      (fields) => {
        const out = fields
          .filter((f): f is Version3.Version3Models.FieldDetails & { id: string; name: string } => !!f.id && !!f.name)
          .map((f) => ({ id: f.id, label: f.name, type: f.schema?.type }));
        for (const f of out) this.fieldNames.set(f.id, f.label);
        return out;
      },
      (err: unknown) => {
        this.fieldCache = undefined; // a failed lookup must not poison the cache
        throw err;
      },
    );
    return this.fieldCache;
  }

  /**
   * Finds a field by its name ("QA Due Date") and checks it holds the expected kind of value. An unknown name
   * fails without retry and lists close matches. `inputPath` names the action argument, e.g. `dateFields`.
   */
  async field(action: string, name: string, inputPath: string, expectedTypes: readonly string[]): Promise<JiraField> {
    const fields = await this.fields(action);
    const field = resolveLabel({ system: SYSTEM, action, kind: 'Jira field', field: `${inputPath}.${name}` }, name, fields);
    if (field.type !== undefined && !expectedTypes.includes(field.type)) {
      throw new ConnectorError(SYSTEM, action, `field "${field.label}" (${field.id}) holds ${field.type} values, not ${expectedTypes.join(' or ')}`, {
        field: `${inputPath}.${name}`,
        retryable: false,
      });
    }
    return field;
  }

  /** Finds a project by name (or key). */
  project(action: string, nameOrKey: string): Promise<JiraProject> {
    return cached(this.projectCache, nameOrKey, async () => {
      const list = async (query?: string) => {
        const page = await this.call(action, 'GET /rest/api/3/project/search', (api) => api.projects.searchProjects({ query, maxResults: 100 }));
        return (page.values ?? []).map((p) => ({ id: p.id, key: p.key, label: p.name ?? p.key }));
      };
      let projects = await list(nameOrKey);
      // A misspelt name matches nothing; list the projects so the error can suggest the one meant.
      if (projects.length === 0) projects = await list();
      const byKey = projects.find((p) => p.key === nameOrKey);
      return byKey ?? resolveLabel({ system: SYSTEM, action, kind: 'Jira project', field: 'project' }, nameOrKey, projects);
    });
  }

  /** Finds an active user by e-mail address, display name or accountId; anything but one exact match fails. */
  user(action: string, ref: string, inputPath: string): Promise<JiraUser> {
    return cached(this.userCache, ref, async () => {
      const toUser = (u: Version3.Version3Models.User): JiraUser => ({ accountId: u.accountId ?? '', displayName: u.displayName ?? '', emailAddress: u.emailAddress });
      let found = (await this.call(action, 'GET /rest/api/3/user/search', (api) => api.userSearch.findUsers({ query: ref, maxResults: 20 })))
        .filter((u) => u.active !== false).map(toUser);
      if (found.length === 0) {
        // The query matches names and e-mail addresses, not account ids.
        found = (await this.call(action, 'GET /rest/api/3/user/search', (api) => api.userSearch.findUsers({ accountId: ref }))).map(toUser);
      }
      const wanted = ref.trim().toLowerCase();
      const exact = found.filter((u) => u.accountId === ref || u.emailAddress?.toLowerCase() === wanted || u.displayName.toLowerCase() === wanted);
      if (exact.length === 1) return exact[0];
      const listed = (exact.length ? exact : found).map((u) => `"${u.displayName}"${u.emailAddress ? ` <${u.emailAddress}>` : ''}`).join(', ');
      const problem = exact.length > 1 ? `is ambiguous: it matches ${listed}` : `matches no active Jira user${listed ? ` exactly (similar: ${listed})` : ''}`;
      throw new ConnectorError(SYSTEM, action, `user "${ref}" ${problem}`, { field: inputPath, retryable: false });
    });
  }

  /** The key of an epic given its key or its summary, within one project. */
  async epicKey(action: string, project: JiraProject, ref: string): Promise<string> {
    if (ISSUE_KEY.test(ref)) return ref;
    const jql = `project = ${jqlString(project.key)} AND issuetype = Epic AND summary ~ ${jqlString(ref)}`;
    const epics = (await this.search(action, jql, ['summary'], 50)).map((i) => ({ id: i.key, label: String(i.fields.summary ?? '') }));
    return resolveLabel({ system: SYSTEM, action, kind: 'epic', field: 'parentEpic', scope: `in project "${project.label}"` }, ref, epics).id;
  }

  // ---- issues --------------------------------------------------------------------------------------------

  /** Runs a JQL search through the enhanced search endpoint, following `nextPageToken` up to `limit` issues. */
  async search(action: string, jql: string, fields: string[], limit: number): Promise<FoundIssue[]> {
    const issues: FoundIssue[] = [];
    let nextPageToken: string | undefined;
    do {
      const page = await this.call(action, 'POST /rest/api/3/search/jql', (api) =>
        api.issueSearch.searchForIssuesUsingJqlEnhancedSearchPost({ jql, fields, maxResults: Math.min(100, limit - issues.length), nextPageToken }),
      );
      for (const issue of page.issues ?? []) {
        if (issue.id && issue.key) issues.push({ id: issue.id, key: issue.key, fields: (issue.fields ?? {}) as Record<string, unknown> });
      }
      // The last page carries no token (and `isLast: true`, which jira.js v5's type leaves out).
      nextPageToken = page.nextPageToken;
    } while (nextPageToken && issues.length < limit);
    return issues.slice(0, limit);
  }

  async createIssue(action: string, fields: Record<string, unknown>): Promise<{ id: string; key: string }> {
    const created = await this.call(action, 'POST /rest/api/3/issue', (api) =>
      api.issues.createIssue({ fields: fields as Version3.Version3Parameters.CreateIssue['fields'] }),
    );
    return { id: created.id, key: created.key };
  }

  async getIssue(action: string, key: string, fields: string[]): Promise<FoundIssue> {
    const issue = await this.call(action, `GET /rest/api/3/issue/${key}`, (api) => api.issues.getIssue({ issueIdOrKey: key, fields }));
    return { id: issue.id, key: issue.key, fields: (issue.fields ?? {}) as unknown as Record<string, unknown> };
  }

  /**
   * Uploads one attachment as multipart field `file` with `X-Atlassian-Token: no-check` (Jira's XSRF guard).
   * Goes through jira.js's transport directly: its `addAttachment` loads `node:stream` with a dynamic
   * `import()`, which Jest's CommonJS sandbox cannot run; the request on the wire is the same.
   */
  async attach(action: string, issueKey: string, file: UploadFile, signal?: AbortSignal): Promise<{ id: string; filename: string; size: number }> {
    const form = new FormData();
    form.append('file', new Blob([file.content], { type: file.contentType }), file.filename);
    const url = `/rest/api/3/issue/${issueKey}/attachments`;
    const uploaded = await this.call(action, `POST ${url}`, (api) =>
      api.sendRequest<Array<{ id?: string; filename?: string; size?: number }>>(
        { url, method: 'POST', headers: { 'X-Atlassian-Token': 'no-check' }, data: form, signal, maxBodyLength: Infinity },
        undefined as never,
      ),
    );
    const first = uploaded[0];
    return { id: String(first?.id ?? ''), filename: first?.filename ?? file.filename, size: first?.size ?? file.content.length };
  }
}
