/**
 * Jira Cloud REST API v3, as far as the connector uses it. Sources:
 *   [v3]    Atlassian, "The Jira Cloud platform REST API" v3 reference (developer.atlassian.com/cloud/jira/
 *           platform/rest/v3/), per group as named below; OpenAPI document `swagger-v3.v3.json` published there.
 *   [auth]  same, "Basic auth for REST APIs": e-mail and API token as HTTP Basic.
 *   [err]   same, "Status codes": error body `{errorMessages: string[], errors: {field: message}}`.
 *   [rate]  Atlassian, "Rate limiting" (developer.atlassian.com/cloud/jira/platform/rate-limiting/): a 429
 *           carries `Retry-After` (seconds) and/or `X-RateLimit-Reset` (ISO 8601 time), `X-RateLimit-Limit`,
 *           `X-RateLimit-Remaining`, `RateLimit-Reason`.
 *   [srch]  Atlassian changelog CHANGE-2046: GET/POST /rest/api/3/search removed (410), replaced by
 *           /rest/api/3/search/jql with `nextPageToken`; search results are eventually consistent with writes
 *           (the index may lag a create), which the fake models with its `searchLagMs` knob.
 *   [att]   [v3] "Issue attachments": multipart field `file`, header `X-Atlassian-Token: no-check` (XSRF).
 *   [hook]  Atlassian, "Webhooks" (developer.atlassian.com/cloud/jira/platform/webhooks/), "Registering a
 *           webhook using the REST API": POST/GET /rest/webhooks/1.0/webhook with name, url, events, filters,
 *           excludeBody; admin webhooks with a secret are signed `X-Hub-Signature: sha256=<hex>`.
 */
import { z } from 'zod';
import { defineContract } from '../shared/contract';

const Issue = z.looseObject({ id: z.string(), key: z.string(), self: z.string(), fields: z.record(z.string(), z.unknown()).optional() });
const pageQuery = { startAt: z.coerce.number().int().min(0).optional(), maxResults: z.coerce.number().int().min(0).optional() };

export const jiraContract = defineContract({
  system: 'jira',
  auth: { scheme: 'basic', source: '[auth]' },
  error: (_status, message, field) => ({ errorMessages: field ? [] : [message], errors: field ? { [field]: message } : {} }),
  errorShape: z.looseObject({ errorMessages: z.array(z.string()), errors: z.record(z.string(), z.string()) }),
  errorSource: '[err]',
  rateLimit: { headers: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'ratelimit-reason'], on: '429', source: '[rate]' },
  operations: [
    {
      id: 'fields.list', method: 'GET', path: '/rest/api/3/field',
      response: z.array(z.looseObject({ id: z.string(), name: z.string(), custom: z.boolean() })),
      source: '[v3] "Issue fields": Get fields',
    },
    {
      id: 'projects.search', method: 'GET', path: '/rest/api/3/project/search',
      query: z.object({ ...pageQuery, query: z.string().optional(), orderBy: z.string().optional(), keys: z.string().optional() }),
      response: z.looseObject({ values: z.array(z.looseObject({ id: z.string(), key: z.string(), name: z.string() })), isLast: z.boolean() }),
      source: '[v3] "Projects": Get projects paginated',
    },
    {
      id: 'users.search', method: 'GET', path: '/rest/api/3/user/search',
      query: z.object({ ...pageQuery, query: z.string().optional(), accountId: z.string().optional(), username: z.string().optional(), property: z.string().optional() }),
      response: z.array(z.looseObject({ accountId: z.string(), displayName: z.string().optional(), active: z.boolean() })),
      source: '[v3] "User search": Find users',
    },
    {
      id: 'priorities.list', method: 'GET', path: '/rest/api/3/priority',
      response: z.array(z.looseObject({ id: z.string(), name: z.string() })),
      source: '[v3] "Issue priorities": Get priorities',
    },
    {
      id: 'issues.create', method: 'POST', path: '/rest/api/3/issue', status: 201,
      query: z.object({ updateHistory: z.enum(['true', 'false']).optional() }),
      body: z.looseObject({ fields: z.record(z.string(), z.unknown()), update: z.record(z.string(), z.unknown()).optional() }),
      response: z.looseObject({ id: z.string(), key: z.string(), self: z.string() }),
      source: '[v3] "Issues": Create issue (description must be an Atlassian Document Format document in v3)',
    },
    {
      id: 'issues.get', method: 'GET', path: '/rest/api/3/issue/{issueIdOrKey}',
      query: z.object({ fields: z.string().optional(), expand: z.string().optional(), properties: z.string().optional(), fieldsByKeys: z.string().optional(), updateHistory: z.string().optional() }),
      response: Issue,
      source: '[v3] "Issues": Get issue',
    },
    { id: 'search.legacy.get', method: 'GET', path: '/rest/api/3/search', source: '[srch]: answers 410 Gone' },
    { id: 'search.legacy.post', method: 'POST', path: '/rest/api/3/search', source: '[srch]: answers 410 Gone' },
    {
      id: 'search.jql', method: 'POST', path: '/rest/api/3/search/jql',
      body: z.looseObject({
        jql: z.string(), fields: z.array(z.string()).optional(), maxResults: z.number().int().optional(), nextPageToken: z.string().optional(),
        expand: z.string().optional(), properties: z.array(z.string()).optional(), fieldsByKeys: z.boolean().optional(), reconcileIssues: z.array(z.number()).optional(),
      }),
      response: z.looseObject({ issues: z.array(Issue), isLast: z.boolean().optional(), nextPageToken: z.string().optional() }),
      source: '[v3] "Issue search": Search for issues using JQL enhanced search (POST); [srch]',
    },
    {
      id: 'attachments.add', method: 'POST', path: '/rest/api/3/issue/{issueIdOrKey}/attachments', bodyType: 'multipart',
      response: z.array(z.looseObject({ id: z.string(), filename: z.string(), size: z.number() })),
      source: '[att]',
      note: 'Jira checks the XSRF header (403) before the body, so the fake checks the `file` part in the handler.',
    },
    {
      id: 'transitions.list', method: 'GET', path: '/rest/api/3/issue/{issueIdOrKey}/transitions',
      query: z.object({ expand: z.string().optional(), transitionId: z.string().optional(), skipRemoteOnlyCondition: z.string().optional(), includeUnavailableTransitions: z.string().optional(), sortByOpsBarAndStatus: z.string().optional() }),
      response: z.looseObject({ transitions: z.array(z.looseObject({ id: z.string(), name: z.string() })) }),
      source: '[v3] "Issues": Get transitions',
    },
    {
      id: 'transitions.do', method: 'POST', path: '/rest/api/3/issue/{issueIdOrKey}/transitions', status: 204,
      body: z.looseObject({ transition: z.looseObject({ id: z.string() }) }),
      source: '[v3] "Issues": Transition issue',
    },
    {
      id: 'webhooks.list', method: 'GET', path: '/rest/webhooks/1.0/webhook',
      response: z.array(z.looseObject({ name: z.string(), url: z.string(), events: z.array(z.string()), self: z.string() })),
      source: '[hook] "Registering a webhook using the REST API": list webhooks',
    },
    {
      id: 'webhooks.register', method: 'POST', path: '/rest/webhooks/1.0/webhook', status: 201,
      body: z.looseObject({
        name: z.string().min(1),
        url: z.url(),
        events: z.array(z.string()).min(1),
        filters: z.looseObject({ 'issue-related-events-section': z.string().optional() }).optional(),
        excludeBody: z.boolean().optional(),
        secret: z.string().optional(),
      }),
      response: z.looseObject({ name: z.string(), url: z.string(), events: z.array(z.string()), self: z.string() }),
      source: '[hook] "Registering a webhook using the REST API": POST {name, url, events, filters, excludeBody}',
      note: '`secret` is what the admin UI sets for signed deliveries; the REST page does not list it [unverified].',
    },
  ],
});
