/**
 * The new channel-partner request (seed 002) walked branch by branch with the shipped definition, on the
 * time-skipping server against the JotForm, Salesforce, CXone, Jira and SMTP fakes, through the API as it
 * runs in production: the JotForm submission webhook starts the instance and Jira's webhook reports the
 * Customer Success task done, both through the API's webhook routes and config/webhooks.yaml; every decision
 * is sent to the API by a person of config/people.yaml with an API key. Each scenario checks what the fakes
 * received (the case, the mention, the replies and their interactions, the Jira task's fields and dates),
 * who was e-mailed about each task, the audit and how the instance ended. The server's clock only moves
 * forward, so the scenarios run in date order.
 */
import type { WorkflowHandle } from '@temporalio/client';
import type { CxoneFake } from '../fakes/cxone/fake';
import type { JiraFake } from '../fakes/jira/fake';
import type { SalesforceFake } from '../fakes/salesforce/fake';
import type { SfRecord } from '../fakes/salesforce/store';
import { channelPartnerAnswers, type FakeAnswer, type JotFormFake } from '../fakes/jotform/fake';
import { webhookSettingsFromEnv } from '../api/webhooks';
import { loadWebhookRoutes } from '../api/webhooks/routes-file';
import { loadRegistry } from '../client/definitions';
import { loadDirectory } from '../directory/load';
import type { CompiledDefinition } from '../dsl/compile';
import type { OpenTask } from '../workflows/messages';
import { call, id, startTestApi, type ApiHarness } from './support/api';
import { notified, openTask, state, terminateWhenIdle } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let definition: CompiledDefinition;
let api: ApiHarness;
let jotform: JotFormFake;
let salesforce: SalesforceFake;
let cxone: CxoneFake;
let jira: JiraFake;

beforeAll(async () => {
  [running, definition] = await Promise.all([startTimeSkippingWorker(), loadRegistry().then((r) => r.get('channel-partner-request')!)]);
  jotform = running.fake<JotFormFake>('jotform');
  salesforce = running.fake<SalesforceFake>('salesforce');
  cxone = running.fake<CxoneFake>('cxone');
  jira = running.fake<JiraFake>('jira');
  // The API with the shipped people directory and webhook routes, and the fakes' webhook secrets.
  api = await startTestApi(running.client, [definition], {
    directory: loadDirectory(),
    webhooks: webhookSettingsFromEnv(running.sandbox.env, loadWebhookRoutes()),
  });
}, 180_000);

afterAll(async () => {
  await api?.close();
  await running?.stop();
});

const keyOf = (who: string) => api.keyOf(who);

/** Moves the server's clock forward to an instant. */
async function skipTo(iso: string) {
  const ms = Date.parse(iso) - (await running.env.currentTimeMs());
  if (ms <= 0) throw new Error(`the test server's clock is already past ${iso}`);
  await running.env.sleep(ms);
}

/** The Channel Partner Form submitted on JotForm, delivered to the API's webhook route; the instance it started. */
async function submit(company: string, email: string, answers: FakeAnswer[] = channelPartnerAnswers(company, email)) {
  const submission = jotform.seedSubmission({ answers });
  const delivered = await jotform.sendWebhook(`${api.url}/webhooks/jotform/${jotform.webhookToken}`, submission.id);
  return { submission, delivered, handle: running.client.workflow.getHandle(`channel-partner-request/${submission.id}`) };
}

/** The organisation in Salesforce: its account manager (the account's owner), the account and the administrator's contact. */
function seedOrganisation(company: string, email: string) {
  const manager = salesforce.seed('User', { Name: `${company} Manager`, Email: `manager@${company.toLowerCase().replace(/\W+/g, '')}.example` });
  const account = salesforce.seed('Account', { Name: company, OwnerId: manager.Id });
  const contact = salesforce.seed('Contact', { FirstName: 'Ada', LastName: 'Admin', Email: email, AccountId: account.Id });
  return { manager, account, contact };
}

type Record_ = SfRecord & { attributes: { type: string } };
const records = (type: string) => (salesforce.state().records as Record_[]).filter((r) => r.attributes.type === type);

/** Waits for the step's task (another than `previous`), then decides it through the API as the person. */
async function decide(handle: WorkflowHandle, stepId: string, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown>; previous?: OpenTask } = {}) {
  const task = await openTask(handle, (t) => t.stepId === stepId && t.id !== extra.previous?.id);
  const answer = await call(api.url, 'POST', `/instances/${id(handle.workflowId)}/tasks/${encodeURIComponent(task.id)}/decision`, {
    key: keyOf(who),
    body: { outcome, comment: extra.comment, form: extra.form },
  });
  expect({ step: stepId, status: answer.status, body: answer.body }).toMatchObject({ step: stepId, status: 200 });
  return task;
}

/** Who was asked to decide, in order. */
async function asked(handle: WorkflowHandle): Promise<string[]> {
  return (await state(handle)).audit.filter((e) => e.event === 'task-opened').map((e) => `${e.stepId}: ${e.detail}`);
}

/** The Customer Success task the instance created, found by the label that carries its business key. */
function csTaskOf(submissionId: string) {
  const issue = jira.issues().find((i) => i.labels.includes(`channel-partner-request-${submissionId}`));
  if (!issue) throw new Error(`no Customer Success task for submission ${submissionId}`);
  return issue;
}

/** Waits (real time) until the instance has asked Jira for the task's status `checks` times, the last answer in. */
async function polled(handle: WorkflowHandle, checks: number) {
  for (let attempt = 0; attempt < 200; attempt++) {
    const wait = (await state(handle)).waiting.find((w) => w.stepId === 'wait-until-done');
    // ...and its last answer in: the poll sleeps until its next check.
    if (wait && (wait.checks ?? 0) >= checks && wait.nextCheckAt !== undefined) return;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  throw new Error(`${handle.workflowId} did not check the Jira task ${checks} time(s)`);
}

/** A person moves the issue back to To Do in Jira (REST v3 transitions, as Jira's own screen does). */
async function reopen(key: string) {
  const response = await fetch(`${jira.url}/rest/api/3/issue/${key}/transitions`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${jira.email}:${jira.apiToken}`).toString('base64')}`, 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ transition: { id: '11' } }),
  });
  expect(response.status).toBe(204);
}

const ASSIGNEES = { assignee: 'config.specialist@everbright.example', qaAssignee: 'qa.reviewer@everbright.example' };
const ALL_DONE = { 'request-complete': { ok: true }, 'financing-options': { ok: true }, 'nothing-outstanding': { ok: true } };

it('from the form to the second reply: the case under the organisation, its account manager tagged, both replies related, the Jira task due 3 US business days out (Thanksgiving skipped), done reported by Jira\'s webhook', async () => {
  // Wednesday 24 Nov 2027, 23:30 in New York: already Thursday, Thanksgiving, in UTC.
  await skipTo('2027-11-25T04:30:00Z');
  const { manager, account, contact } = seedOrganisation('Green Light Solar', 'ada@greenlight.example');
  const { submission, delivered, handle } = await submit('Green Light Solar', 'ada@greenlight.example');
  expect(delivered.status).toBe(200);
  const title = 'A New Channel Partner Request for Green Light Solar';

  // Support chooses the assignees; only Support may.
  const choose = await openTask(handle, (t) => t.stepId === 'choose-assignees');
  expect(choose).toMatchObject({ roles: ['support'], title: `Choose the Customer Success assignees for "${title}"` });
  expect(await notified(handle, choose.id)).toBe('opened: e-mailed sofia.reyes');
  const refused = await call(api.url, 'POST', `/instances/${id(handle.workflowId)}/tasks/${encodeURIComponent(choose.id)}/decision`, { key: keyOf('omar.haddad'), body: { outcome: 'chosen', form: ASSIGNEES } });
  expect(refused.status).toBe(403);
  expect(refused.body.detail).toBe(`task '${choose.id}' is for support; you hold sales-ops`);

  // By now the case is open under the organisation, with the contact, and its account manager tagged.
  const [opened] = records('Case').filter((r) => r.AccountId === account.Id);
  expect(opened).toMatchObject({ Subject: title, ContactId: contact.Id, Origin: 'Web' });
  expect(opened.Description).toContain('Company Name: Green Light Solar');
  expect(opened.Description).toContain('Administrator E-mail: ada@greenlight.example');
  expect(salesforce.state().feeds[opened.Id].map((f) => f.body.text)).toEqual([
    `@${manager.Name} Green Light Solar asks to add Green Light Solar Channel as a channel partner (${title}). Green Light Solar Channel will keep only the financing options Green Light Solar offers.`,
  ]);
  // The first reply went to the form's e-mail from CXone with "New Channel Req 1", on a case of its own.
  const first = cxone.messages().filter((m) => m.recipients.some((r) => r.idOnExternalPlatform === 'ada@greenlight.example'));
  expect(first).toHaveLength(1);
  expect(first[0]).toMatchObject({ direction: 'outbound', subject: title });
  expect(first[0].text).toContain('Hello Ada Admin,\n\nThank you for your request to add a new channel partner for Green Light Solar.');

  await decide(handle, 'choose-assignees', 'chosen', 'sofia.reyes', { form: ASSIGNEES });

  // The Customer Success task, as the procedure lists its fields; dates on the US calendar from Wednesday.
  const issue = await (async () => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const found = jira.issues().find((i) => i.labels.includes(`channel-partner-request-${submission.id}`));
      if (found) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error('no Jira task');
  })();
  expect(issue).toMatchObject({ projectKey: 'CS', issueType: 'Task', summary: title, status: 'To Do' });
  expect(issue.fields).toMatchObject({
    assignee: { accountId: '5b10ac8d82e05b22cc7d4ef5' }, // config.specialist@everbright.example
    customfield_10040: { accountId: '5b10ac8d82e05b22cc7d4ef6' }, // QA Assignee: qa.reviewer@everbright.example
    priority: { name: 'High' },
    parent: { key: jira.issues().find((i) => i.summary === 'Configuration Partner/Product Onboarding')!.key },
    duedate: '2027-11-30', // Fri 26, Mon 29, Tue 30: Thanksgiving is no business day
    customfield_10041: '2027-11-29', // Configuration Date, 2 business days out
    customfield_10042: '2027-11-30', // QA Due Date, 3 business days out
  });
  const description = JSON.stringify(issue.fields.description);
  expect(description).toContain('Green Light Solar Channel becomes a channel partner of Green Light Solar: it keeps only the financing options Green Light Solar offers');
  for (const cell of ['Company Name', 'Green Light Solar', 'Administrator', 'Ada Admin', 'ada@greenlight.example']) expect(description).toContain(`"text":"${cell}"`);

  // The configuration assignee closes the task; Jira's webhook reaches the instance through the API.
  await polled(handle, 1);
  jira.closeIssue(issue.key);
  expect((await jira.sendWebhook(`${api.url}/webhooks/jira`, issue.key)).status).toBe(200);
  const check = await openTask(handle, (t) => t.stepId === 'double-check');
  expect(check).toMatchObject({ kind: 'checklist', roles: ['support'], title: `Before replying: is ${issue.key} ("${title}") complete?` });
  expect(check.instructions).toContain('- financing-options: The channel partner keeps only the financing options its channel manager (the organisation asking) offers; the others are gone');
  expect((await state(handle)).audit.find((e) => e.event === 'polled')?.detail).toBe("ended by event 'jira-issue-updated' after 1 check(s)");

  // Nothing outstanding: the second reply goes in the same CXone case.
  await decide(handle, 'double-check', 'confirm', 'sofia.reyes', { form: ALL_DONE });
  expect(await handle.result()).toMatchObject({ status: 'completed', reason: `Green Light Solar Channel added as a channel partner of Green Light Solar; Ada Admin told (${issue.key})` });
  const replies = cxone.messages().filter((m) => m.caseId === first[0].caseId);
  expect(replies.map((m) => m.direction)).toEqual(['outbound', 'outbound']);
  expect(replies[1].text).toContain('The channel partner configuration for Green Light Solar is complete.');
  // Both e-mails related in Salesforce: Name the contact, Related To the case.
  expect(records('Task').filter((r) => r.WhatId === opened.Id).map((r) => [r.Subject, r.WhoId, r.TaskSubtype, r.Status])).toEqual([
    [`New Channel Req 1: ${title}`, contact.Id, 'Email', 'Completed'],
    [`New Channel Req 2: ${title}`, contact.Id, 'Email', 'Completed'],
  ]);
  const final = await state(handle);
  expect(final.stage).toBe('reply');
  expect(await asked(handle)).toEqual(['choose-assignees: assigned to support', 'double-check: assigned to support']);
  expect(final.audit.filter((e) => e.event === 'decision').map((e) => `${e.actor}:${e.outcome}`)).toEqual(['sofia.reyes:chosen', 'sofia.reyes:confirm']);
  for (const fake of [salesforce, cxone, jira, jotform]) expect(fake.breaches()).toEqual([]);
});

it('with Jira\'s webhook lost: polling finds the task done; late, Support chases it; outstanding work reopens it, and the reply waits until the double check passes', async () => {
  // Friday 3 Dec 2027, 10:00 in New York.
  await skipTo('2027-12-03T15:00:00Z');
  const { account } = seedOrganisation('HW Solar Group', 'ops@hwsolar-group.example');
  const { submission, handle } = await submit('HW Solar Group', 'ops@hwsolar-group.example');
  await decide(handle, 'choose-assignees', 'chosen', 'sofia.reyes', { form: ASSIGNEES });
  await polled(handle, 1);
  const issue = csTaskOf(submission.id);
  expect([issue.fields.duedate, issue.fields.customfield_10041, issue.fields.customfield_10042]).toEqual(['2027-12-08', '2027-12-07', '2027-12-08']);

  // Nobody closes it: five business days on (Friday 10 Dec), polling every 4 hours, Support is asked to chase it.
  await skipTo('2027-12-10T15:01:00Z');
  const chase = await openTask(handle, (t) => t.stepId === 'chase-configuration');
  expect(chase).toMatchObject({ roles: ['support'], title: `${issue.key} is not Done two business days after its due date: ask its assignee` });
  expect(chase.instructions).toContain('was due Wednesday 8 December 2027');
  expect(jira.journal.filter((e) => e.operation === 'issues.get' && e.path.endsWith(issue.key)).length).toBeGreaterThanOrEqual(40);
  await decide(handle, 'chase-configuration', 'chased', 'sofia.reyes');

  // Closed in Jira, but no webhook arrives: the next check, within 4 hours, finds it done.
  await polled(handle, 1);
  jira.closeIssue(issue.key);
  await running.env.sleep(4 * 3_600_000 + 60_000);
  const check = await openTask(handle, (t) => t.stepId === 'double-check');
  expect((await state(handle)).audit.filter((e) => e.event === 'polled').map((e) => e.detail)).toEqual(['result.statusCategory = "done" held after 2 check(s)']);

  // The partner still sees a financing option its channel manager does not offer: not done, and why.
  await decide(handle, 'double-check', 'confirm', 'sofia.reyes', { form: { ...ALL_DONE, 'financing-options': { ok: false, reason: 'Mosaic still offered to the partner' } } });
  const outstanding = await openTask(handle, (t) => t.stepId === 'outstanding-issues');
  expect(outstanding).toMatchObject({ roles: ['support'], title: `Reopen ${issue.key}: the request is not complete` });
  expect(outstanding.instructions).toContain('financing-options: Mosaic still offered to the partner.');
  expect(cxone.messages().filter((m) => m.recipients.some((r) => r.idOnExternalPlatform === 'ops@hwsolar-group.example'))).toHaveLength(1);

  // Support reopens it in Jira; it is Done again once fixed, reported by the webhook this time.
  await reopen(issue.key);
  await decide(handle, 'outstanding-issues', 'reopened', 'sofia.reyes');
  await polled(handle, 1);
  jira.closeIssue(issue.key);
  expect((await jira.sendWebhook(`${api.url}/webhooks/jira`, issue.key)).status).toBe(200);
  await decide(handle, 'double-check', 'confirm', 'sofia.reyes', { form: ALL_DONE, previous: check });

  expect(await handle.result()).toMatchObject({ status: 'completed' });
  expect(cxone.messages().filter((m) => m.recipients.some((r) => r.idOnExternalPlatform === 'ops@hwsolar-group.example')).map((m) => m.text.split('\n')[2])).toEqual([
    'Thank you for your request to add a new channel partner for HW Solar Group. Our configuration team is working on it. We will write again once it is complete.',
    'The channel partner configuration for HW Solar Group is complete. The partner now has access to the financing options its channel manager offers.',
  ]);
  expect(records('Case').filter((r) => r.AccountId === account.Id)).toHaveLength(1);
  expect(await asked(handle)).toEqual([
    'choose-assignees: assigned to support',
    'chase-configuration: assigned to support',
    'double-check: assigned to support',
    'outstanding-issues: assigned to support',
    'double-check: assigned to support',
  ]);
  expect((await state(handle)).audit.filter((e) => e.event === 'item-failed').map((e) => e.detail)).toEqual([
    "'financing-options' (The channel partner keeps only the financing options its channel manager (the organisation asking) offers; the others are gone) not done: Mosaic still offered to the partner",
  ]);
});

it('an organisation Salesforce does not know is an incident for Support, who has the account created and retries; nobody else may', async () => {
  await skipTo('2027-12-13T15:00:00Z'); // Monday 13 Dec 2027
  const { submission, handle } = await submit('Sunrise Roofing', 'kim@sunrise-roofing.example');
  const incident = await openTask(handle, (t) => t.kind === 'incident');
  expect(incident).toMatchObject({ stepId: 'find-organisation', roles: ['support'] });
  expect(incident.title).toContain('result.found');
  expect(await notified(handle, incident.id)).toBe('opened: e-mailed sofia.reyes');
  const refused = await call(api.url, 'POST', `/instances/${id(handle.workflowId)}/tasks/${encodeURIComponent(incident.id)}/decision`, { key: keyOf('nina.park'), body: { outcome: 'retry' } });
  expect(refused.status).toBe(403);
  // Nothing was sent to the customer before the case exists.
  expect(cxone.messages().filter((m) => m.recipients.some((r) => r.idOnExternalPlatform === 'kim@sunrise-roofing.example'))).toEqual([]);

  const { account } = seedOrganisation('Sunrise Roofing', 'kim@sunrise-roofing.example');
  await decide(handle, 'find-organisation', 'retry', 'sofia.reyes');
  await openTask(handle, (t) => t.stepId === 'choose-assignees');
  expect(records('Case').filter((r) => r.AccountId === account.Id)).toHaveLength(1);
  expect(cxone.messages().filter((m) => m.recipients.some((r) => r.idOnExternalPlatform === 'kim@sunrise-roofing.example'))).toHaveLength(1);
  expect(jira.issues().some((i) => i.labels.includes(`channel-partner-request-${submission.id}`))).toBe(false);
  await terminateWhenIdle(handle);
});

it('a submission without the administrator\'s e-mail starts nothing: the webhook is answered 202 and nothing is sent', async () => {
  const answers = channelPartnerAnswers('No Mail Solar', 'x@nomail.example').filter((a) => a.name !== 'adminEmail');
  const { delivered, handle } = await submit('No Mail Solar', 'x@nomail.example', answers);
  expect(delivered.status).toBe(202);
  await expect(handle.describe()).rejects.toThrow(/not found/i);
  // JotForm delivers an empty e-mail field as an empty answer: refused the same way.
  const blank = await submit('Blank Mail Solar', '', channelPartnerAnswers('Blank Mail Solar', ''));
  expect(blank.delivered.status).toBe(202);
  await expect(blank.handle.describe()).rejects.toThrow(/not found/i);
});
