/**
 * Jira connector tests: every action runs through jira.js v5 against the local Jira fake over real sockets;
 * failures are checked as the ApplicationFailure Temporal would receive.
 */
import { createServer, type Server } from 'node:http';
import { jiraConnector, JiraClient, type JiraConfig } from '../../activities/jira';
import { idempotencyLabel } from '../../activities/jira/actions';
import { answersFromDocument, type AdfDocument } from '../../activities/jira/adf';
import { configFromEnv } from '../../activities/jira/config';
import { startJiraFake, type JiraFake } from '../../fakes/jira/fake';
import { verifyJiraWebhook } from '../../activities/jira/webhook';
import { failureOf, runAction, sleep } from './helpers/run-action';
import { startReceiver } from './helpers/receiver';

let fake: JiraFake;
let config: JiraConfig;
let client: JiraClient;
const run = (name: string, input: unknown, key?: string) => runAction(jiraConnector, client, name, input, key);

/** The task the channel-partner SOP asks for, as a process definition would pass it. */
const channelPartnerTask = (org: string) => ({
  project: 'Customer Success',
  summary: `A New Channel Partner Request for ${org}`,
  assignee: 'config.specialist@everbright.example',
  userFields: { 'QA Assignee': 'QA Reviewer' },
  parentEpic: 'Configuration Partner/Product Onboarding',
  priority: 'High',
  dueDate: '2026-03-05',
  dateFields: { 'Configuration Date': '2026-03-04', 'QA Due Date': '2026-03-05' },
  description: {
    intro: 'Submitted through the Channel Partner Form.',
    answers: [
      { label: 'Company Name', value: org },
      { label: 'Channel Manager', value: 'Green Light Solar' },
      { label: 'Notes', value: 'Line one\nLine two' },
    ],
  },
});

beforeAll(async () => {
  fake = await startJiraFake();
  config = configFromEnv(fake.env) as JiraConfig;
  client = jiraConnector.createClient(config);
});

afterAll(() => fake.close());

describe('jira.createTask', () => {
  let fileServer: Server;
  let fileUrl: string;

  beforeAll(async () => {
    fileServer = createServer((_req, res) => res.writeHead(200, { 'content-type': 'application/pdf' }).end('%PDF-1.4 partner agreement'));
    await new Promise<void>((resolve) => fileServer.listen(0, '127.0.0.1', resolve));
    fileUrl = `http://127.0.0.1:${(fileServer.address() as { port: number }).port}/uploads/agreement.pdf`;
  });
  afterAll(() => new Promise<void>((resolve) => fileServer.close(() => resolve())));

  test('creates the channel-partner Task in "Customer Success" with every field resolved by name', async () => {
    const result = (await run('jira.createTask', {
      ...channelPartnerTask('HW Solar'),
      attachments: [
        { filename: 'logo.png', contentBase64: Buffer.from('PNG bytes').toString('base64'), contentType: 'image/png' },
        { filename: 'agreement.pdf', url: fileUrl },
      ],
    })) as { key: string; url: string; created: boolean; attachments: Array<{ filename: string }> };

    expect(result).toMatchObject({ created: true, url: `${config.host}/browse/${result.key}` });
    const issue = fake.issue(result.key);
    expect(issue).toMatchObject({ projectKey: 'CS', issueType: 'Task', summary: 'A New Channel Partner Request for HW Solar', status: 'To Do' });
    expect(issue?.fields).toMatchObject({
      assignee: { accountId: '5b10ac8d82e05b22cc7d4ef5' },
      customfield_10040: { accountId: '5b10ac8d82e05b22cc7d4ef6' }, // QA Assignee
      customfield_10041: '2026-03-04', // Configuration Date
      customfield_10042: '2026-03-05', // QA Due Date
      duedate: '2026-03-05',
      priority: { name: 'High' },
      parent: { key: 'CS-1' }, // the seeded epic
    });
    expect(answersFromDocument(issue?.fields.description as AdfDocument)).toEqual([
      { label: 'Company Name', value: 'HW Solar' },
      { label: 'Channel Manager', value: 'Green Light Solar' },
      { label: 'Notes', value: 'Line one\nLine two' },
    ]);
    expect(issue?.attachments.map((a) => [a.filename, a.mimeType, a.content.toString()])).toEqual([
      ['logo.png', 'image/png', 'PNG bytes'],
      ['agreement.pdf', 'application/pdf', '%PDF-1.4 partner agreement'],
    ]);
  });

  test('running the same step twice creates one issue with its attachments once', async () => {
    const input = { ...channelPartnerTask('Sun Co'), attachments: [{ filename: 'form.txt', contentBase64: Buffer.from('answers').toString('base64') }] };
    const first = (await run('jira.createTask', input, 'wf-42:step-create')) as { key: string; created: boolean };
    const second = (await run('jira.createTask', input, 'wf-42:step-create')) as { key: string; created: boolean };

    expect(second).toMatchObject({ key: first.key, created: false });
    const matching = fake.issues().filter((i) => i.summary === 'A New Channel Partner Request for Sun Co');
    expect(matching).toHaveLength(1);
    expect(matching[0].labels).toContain(idempotencyLabel('wf-42:step-create'));
    expect(matching[0].attachments).toHaveLength(1);
  });

  test('a retry after a lost answer finds the issue the first attempt created', async () => {
    const impatient = new JiraClient({ ...config, timeoutMs: 300 });
    const input = { ...channelPartnerTask('Lost Answer Ltd'), parentEpic: 'CS-1' };
    await runAction(jiraConnector, impatient, 'jira.createTask', channelPartnerTask('Warm Cache Ltd')); // names resolved and cached
    fake.injectFault({ kind: 'delay', delayMs: 0, times: 1 }); // the label search answers at once
    fake.injectFault({ kind: 'delay', delayMs: 1000, times: 1 }); // the create is applied but answered too late

    const failure = await failureOf(runAction(jiraConnector, impatient, 'jira.createTask', input, 'wf-7:create'));
    expect(failure.nonRetryable).toBe(false);
    await sleep(800);
    const retried = (await runAction(jiraConnector, impatient, 'jira.createTask', input, 'wf-7:create', 2)) as { created: boolean };

    expect(retried.created).toBe(false);
    expect(fake.issues().filter((i) => i.summary === 'A New Channel Partner Request for Lost Answer Ltd')).toHaveLength(1);
  });

  test('a retry after a lost answer finds the issue even while search still lags the create', async () => {
    const impatient = new JiraClient({ ...config, timeoutMs: 300, searchLagMs: 3000 });
    const input = { ...channelPartnerTask('Lagging Index Ltd'), parentEpic: 'CS-1' };
    await runAction(jiraConnector, impatient, 'jira.createTask', channelPartnerTask('Warm Cache Two Ltd'));
    fake.setSearchLag(1500); // the new issue stays out of JQL results for 1.5 s, as Jira's index may
    try {
      fake.injectFault({ kind: 'delay', delayMs: 0, times: 1 });
      fake.injectFault({ kind: 'delay', delayMs: 600, times: 1 }); // the create lands, its answer is lost
      await failureOf(runAction(jiraConnector, impatient, 'jira.createTask', input, 'wf-8:create'));
      await sleep(400); // Temporal's first retry comes after about a second; the index still lags
      const retried = (await runAction(jiraConnector, impatient, 'jira.createTask', input, 'wf-8:create', 2)) as { created: boolean };
      expect(retried.created).toBe(false);
      expect(fake.issues().filter((i) => i.summary === 'A New Channel Partner Request for Lagging Index Ltd')).toHaveLength(1);
    } finally {
      fake.setSearchLag(0);
    }
  });

  test('a 429 with only X-RateLimit-Reset (an ISO time) is retried when the limit resets', async () => {
    const reset = new Date(Date.now() + 30_000).toISOString();
    fake.injectFault({ kind: 'status', status: 429, headers: { 'X-RateLimit-Reset': reset } });
    const failure = await failureOf(run('jira.getIssueStatus', { issueKey: 'CS-1' }));
    expect(failure.nonRetryable).toBe(false);
    expect(Number(failure.nextRetryDelay)).toBeGreaterThan(25_000);
    expect(Number(failure.nextRetryDelay)).toBeLessThanOrEqual(30_000);
  });

  test('a 429 with Retry-After is retried after the advertised delay and the next attempt succeeds', async () => {
    fake.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    const failure = await failureOf(run('jira.createTask', channelPartnerTask('Rate Limited Inc'), 'wf-9:create'));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7000);
    expect(failure.message).toMatch(/^jira\.createTask: .* answered 429/);

    const retried = (await run('jira.createTask', channelPartnerTask('Rate Limited Inc'), 'wf-9:create')) as { key: string };
    expect(fake.issue(retried.key)?.summary).toBe('A New Channel Partner Request for Rate Limited Inc');
  });

  test('a 500 from Jira is retryable', async () => {
    fake.injectFault({ kind: 'status', status: 500 });
    const failure = await failureOf(run('jira.getIssueStatus', { issueKey: 'CS-1' }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('jira.getIssueStatus: GET /rest/api/3/issue/CS-1 answered 500; injected fault 500');
  });

  test('a field Jira rejects fails at once, naming the system, the action and the field', async () => {
    const before = fake.issues().length;
    const failure = await failureOf(run('jira.createTask', { ...channelPartnerTask('Bad Date Co'), priority: 'Urgent', dateFields: { 'QA Due Date': '2026-02-30' } }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(
      'jira.createTask: POST /rest/api/3/issue answered 400; field "Priority" (priority): The priority selected is invalid.; ' +
        'field "QA Due Date" (customfield_10042): Error parsing date string: 2026-02-30',
    );
    expect(failure.details?.[0]).toMatchObject({ system: 'jira', action: 'jira.createTask', status: 400, field: 'Priority' });
    expect(fake.issues()).toHaveLength(before);
  });

  test('an unknown field name fails without retry and suggests the close match', async () => {
    const failure = await failureOf(run('jira.createTask', { ...channelPartnerTask('Typo Co'), dateFields: { 'QA Due': '2026-03-05' } }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toMatch(/^jira\.createTask: unknown Jira field "QA Due"\. Did you mean "QA Due Date"\?/);
    expect(failure.details?.[0]).toMatchObject({ field: 'dateFields.QA Due' });
  });

  test('an unknown project name fails without retry', async () => {
    const failure = await failureOf(run('jira.createTask', { ...channelPartnerTask('Nowhere'), project: 'Customer Sucess' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('unknown Jira project "Customer Sucess". Did you mean "Customer Success"?');
  });

  test('a user who does not exist fails without retry, naming the argument', async () => {
    const failure = await failureOf(run('jira.createTask', { ...channelPartnerTask('Ghost Co'), userFields: { 'QA Assignee': 'nobody@everbright.example' } }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('jira.createTask: user "nobody@everbright.example" matches no active Jira user');
    expect(failure.details?.[0]).toMatchObject({ field: 'userFields.QA Assignee' });
  });
});

describe('reading issues', () => {
  test('reports a new issue as To Do and, once closed as Done, as done with resolution Done', async () => {
    const { key } = (await run('jira.createTask', channelPartnerTask('Status Co'))) as { key: string };
    expect(await run('jira.getIssueStatus', { issueKey: key })).toEqual({ key, status: 'To Do', statusCategory: 'new', resolution: null });

    // Close it the way a person would, through the transitions API.
    const { transitions } = await client.api.issues.getTransitions({ issueIdOrKey: key });
    await client.api.issues.doTransition({ issueIdOrKey: key, transition: { id: transitions?.find((t) => t.name === 'Done')?.id } });
    expect(await run('jira.getIssueStatus', { issueKey: key })).toEqual({ key, status: 'Done', statusCategory: 'done', resolution: 'Done' });
  });

  test('finds issues by JQL', async () => {
    const { key } = (await run('jira.createTask', channelPartnerTask('Findable Co'))) as { key: string };
    fake.closeIssue(key);
    const result = (await run('jira.findIssues', { jql: 'project = "Customer Success" AND statusCategory = Done AND summary ~ "Findable"' })) as { issues: unknown[] };
    expect(result.issues).toEqual([{ key, id: fake.issue(key)?.id, summary: 'A New Channel Partner Request for Findable Co', status: 'Done', statusCategory: 'done', resolution: 'Done' }]);
  });

  test('an issue that does not exist fails without retry', async () => {
    const failure = await failureOf(run('jira.getIssueStatus', { issueKey: 'CS-9999' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('jira.getIssueStatus: GET /rest/api/3/issue/CS-9999 answered 404; Issue does not exist or you do not have permission to see it.');
  });
});

describe('credentials', () => {
  test('a wrong API token is refused with a non-retryable error that does not contain the token', async () => {
    const wrong = new JiraClient({ ...config, apiToken: 'ATATT-not-the-right-token' });
    const failure = await failureOf(runAction(jiraConnector, wrong, 'jira.getIssueStatus', { issueKey: 'CS-1' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('answered 401; credentials rejected (check JIRA_EMAIL and JIRA_API_TOKEN)');
    expect(JSON.stringify(failure)).not.toContain('not-the-right-token');
  });

  test('configuration comes from JIRA_* variables and a missing one is named without its neighbours\' values', () => {
    expect(configFromEnv({})).toBeUndefined();
    expect(configFromEnv({ JIRA_HOST: 'https://everbright.atlassian.net', JIRA_EMAIL: 'ops@everbright.example', JIRA_API_TOKEN: 'secret-token' })).toMatchObject({ host: 'https://everbright.atlassian.net', timeoutMs: 15_000 });
    expect(() => configFromEnv({ JIRA_HOST: 'https://everbright.atlassian.net', JIRA_EMAIL: 'ops@everbright.example' })).toThrow('invalid Jira configuration: check JIRA_API_TOKEN');
  });

  test('an attachment upload without the XSRF header is refused by the fake, as by Jira', async () => {
    const response = await fetch(`${fake.url}/rest/api/3/issue/CS-1/attachments`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${fake.email}:${fake.apiToken}`).toString('base64')}` },
      body: new FormData(),
    });
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ errorMessages: ['XSRF check failed'], errors: {} });
  });
});

describe('webhooks', () => {
  test('registers the admin webhook through the API once, and closing an issue then delivers to it', async () => {
    const receiver = await startReceiver('/webhooks/jira');
    try {
      const input = { name: 'process engine', url: receiver.url, jql: 'project = "Customer Success"' };
      await expect(run('jira.registerWebhook', input)).resolves.toMatchObject({ url: receiver.url, created: true });
      await expect(run('jira.registerWebhook', input)).resolves.toMatchObject({ url: receiver.url, created: false });
      expect(fake.registeredWebhooks()).toEqual([
        { name: 'process engine', url: receiver.url, events: ['jira:issue_updated'], jql: 'project = "Customer Success"', secret: config.webhookSecret },
      ]);
      const { key } = (await run('jira.createTask', channelPartnerTask('Hooked Ltd'))) as { key: string };
      fake.closeIssue(key);
      for (let i = 0; i < 50 && receiver.deliveries.length === 0; i++) await sleep(20);
      expect(JSON.parse(receiver.deliveries[0].rawBody)).toMatchObject({ webhookEvent: 'jira:issue_updated', issue: { key } });
    } finally {
      await receiver.close();
    }
  });

  test('closing an issue delivers a signed jira:issue_updated event that verifies', async () => {
    const receiver = await startReceiver('/webhooks/jira');
    try {
      fake.subscribeWebhook(receiver.url);
      const { key } = (await run('jira.createTask', channelPartnerTask('Webhook Co'))) as { key: string };
      fake.closeIssue(key);
      for (let i = 0; i < 50 && receiver.deliveries.length === 0; i++) await sleep(20);

      const [delivery] = receiver.deliveries;
      expect(verifyJiraWebhook(fake.webhookSecret, delivery)).toEqual({ ok: true, deliveryId: delivery.headers['x-atlassian-webhook-identifier'] });
      const event = JSON.parse(delivery.rawBody);
      expect(event).toMatchObject({ webhookEvent: 'jira:issue_updated', issue: { key, fields: { status: { name: 'Done' } } }, changelog: { items: [{ field: 'status', fromString: 'To Do', toString: 'Done' }] } });
    } finally {
      await receiver.close();
    }
  });

  test('a forged or unsigned delivery is refused with the reason', async () => {
    const receiver = await startReceiver();
    try {
      await fake.sendWebhook(receiver.url, 'CS-1', { secret: 'attacker-secret' });
      const [forged] = receiver.deliveries;
      expect(verifyJiraWebhook(fake.webhookSecret, forged)).toEqual({ ok: false, reason: 'signature-mismatch' });
      expect(verifyJiraWebhook(fake.webhookSecret, { rawBody: forged.rawBody, headers: {} })).toEqual({ ok: false, reason: 'missing-signature' });
      const tampered = { ...forged, rawBody: forged.rawBody.replace('CS-1', 'CS-2') };
      await fake.sendWebhook(receiver.url, 'CS-1');
      const genuine = receiver.deliveries[1];
      expect(verifyJiraWebhook(fake.webhookSecret, { rawBody: tampered.rawBody, headers: genuine.headers })).toEqual({ ok: false, reason: 'signature-mismatch' });
      expect(verifyJiraWebhook(fake.webhookSecret, genuine).ok).toBe(true);
    } finally {
      await receiver.close();
    }
  });
});

describe('control interface over HTTP', () => {
  test('seeds a user, injects a fault and closes an issue through /__control', async () => {
    const post = (path: string, body: unknown) => fetch(`${fake.url}/__control${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
    await post('/seed', { users: [{ accountId: 'acc-onboarding-lead', displayName: 'Onboarding Lead', emailAddress: 'onboarding.lead@everbright.example' }] });
    const { key } = (await run('jira.createTask', { ...channelPartnerTask('Control Co'), assignee: 'Onboarding Lead' })) as { key: string };
    expect(fake.issue(key)?.fields.assignee).toEqual({ accountId: 'acc-onboarding-lead' });

    await post('/faults', { kind: 'status', status: 503, retryAfterSeconds: 3 });
    const failure = await failureOf(run('jira.getIssueStatus', { issueKey: key }));
    expect([failure.nonRetryable, failure.nextRetryDelay]).toEqual([false, 3000]);

    const closed = (await (await post(`/issues/${key}/close`, {})).json()) as { fields: { status: { statusCategory: { key: string } } } };
    expect(closed.fields.status.statusCategory.key).toBe('done');
  });
});

describe('the contract', () => {
  test('every answer the fake gave in this file matched the Jira contract', () => {
    expect(fake.breaches()).toEqual([]);
  });
});
