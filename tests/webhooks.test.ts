/**
 * The webhook ingress end to end on the dev server: the vendors' fakes (or the vendor's documented
 * signing construction) deliver over HTTP; deliveries start processes or reach the waiting instance, once,
 * and forged, stale, malformed or unknown ones touch nothing.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startActivities } from '../activities';
import { startApi } from '../api/server';
import { startFakes, type Sandbox } from '../fakes';
import type { HubSpotFake } from '../fakes/hubspot/fake';
import { signV3 } from '../activities/hubspot/webhook';
import { signJiraWebhook } from '../activities/jira/webhook';
import { JotFormClient } from '../activities/jotform/client';
import { JotFormConfigSchema } from '../activities/jotform/config';
import { PartnerStackClient } from '../activities/partnerstack/client';
import { PartnerStackConfigSchema } from '../activities/partnerstack/config';
import { channelPartnerAnswers, CHANNEL_PARTNER_FORM_ID, type JotFormFake } from '../fakes/jotform/fake';
import type { PartnerStackFake } from '../fakes/partnerstack/fake';
import { bundleWorkflows, TASK_QUEUE } from '../worker';
import { stateQuery } from '../workflows/messages';
import { call, startTestApi, type ApiHarness } from './support/api';
import { devServerEnvironment } from './support/environments';
import { compile, openTask } from './support/processes';

const provisioning = `
process: deal-provisioning
version: 1
title: Provision a registered deal
business-key: input.dealId
roles: { iod: IOD team }
input: { type: object, required: [dealId], properties: { dealId: { type: string }, account: { type: string } } }
steps:
  - id: kyc
    task: { role: iod, title: "KYC for {{ $exists(input.account) ? input.account : input.dealId }}", outcomes: { done: {} } }
`;

const watcher = `
process: ticket-watch
version: 1
title: Wait for a ticket to move, an issue to close and a document to be signed
business-key: input.ticketId
roles: { iod: IOD team }
input: { type: object, required: [ticketId], properties: { ticketId: { type: string } } }
steps:
  - id: ticket
    wait-for: { event: hubspot-ticket-changed, timeout: 30 calendar days }
  - id: issue
    wait-for: { event: jira-issue-updated, timeout: 30 calendar days }
  - id: signed
    wait-for: { event: docusign-envelope-completed, timeout: 30 calendar days }
  - id: done
    task: { role: iod, title: Wrap up, outcomes: { done: {} } }
`;

const request = `
process: channel-partner-request
version: 1
title: Channel-partner request
business-key: input.submissionId
roles: { iod: IOD team }
input: { type: object, required: [submissionId], properties: { submissionId: { type: string }, company: { type: string } } }
steps:
  - id: review
    task: { role: iod, title: "Request from {{ input.company }}", outcomes: { done: {} } }
`;

const JIRA_SECRET = 'jira-webhook-secret-for-tests';
const DOCUSIGN_KEY = 'docusign-connect-key-for-tests';
const PANDADOC_KEY = 'pandadoc-shared-key-for-tests';

let env: TestWorkflowEnvironment;
let sandbox: Sandbox;
let jotform: JotFormFake;
let worker: Worker;
let running: Promise<void>;
let api: ApiHarness;
let hubspot: HubSpotFake;
let partnerstack: PartnerStackFake;

beforeAll(async () => {
  const [bundle, fakes, environment, definitions] = await Promise.all([
    bundleWorkflows(),
    startFakes({}),
    devServerEnvironment(),
    Promise.all([compile(provisioning), compile(watcher), compile(request)]),
  ]);
  sandbox = fakes;
  env = environment;
  jotform = sandbox.fake<JotFormFake>('jotform');
  hubspot = sandbox.fake<HubSpotFake>('hubspot');
  partnerstack = sandbox.fake<PartnerStackFake>('partnerstack');
  worker = await Worker.create({ connection: env.nativeConnection, taskQueue: TASK_QUEUE, workflowBundle: bundle, activities: startActivities(sandbox.env).activities });
  running = worker.run();
  const jotformConfig = JotFormConfigSchema.parse({ apiKey: jotform.apiKey, baseUrl: jotform.url, formIds: [CHANNEL_PARTNER_FORM_ID], webhookToken: jotform.webhookToken });
  api = await startTestApi(env.client, definitions, {
    webhooks: {
      routes: {
        hubspot: {
          'deal.creation': { start: 'deal-provisioning', input: { dealId: '=$string(objectId)' } },
          'ticket.propertyChange': { event: 'hubspot-ticket-changed', process: 'ticket-watch', 'business-key': '=$string(objectId)' },
        },
        jira: { 'jira:issue_updated': { event: 'jira-issue-updated', process: 'ticket-watch', 'business-key': '=issue.fields.labels[0]' } },
        partnerstack: { 'deal.created': { start: 'deal-provisioning', input: { dealId: '=key', account: '=account_name' } } },
        jotform: { submission: { start: 'channel-partner-request', input: { submissionId: '=submissionId', company: '=answers.companyName.value' } } },
      },
      hubspotSecret: hubspot.webhookSecret,
      jiraSecret: JIRA_SECRET,
      partnerstack: {
        token: partnerstack.webhookToken,
        client: new PartnerStackClient(PartnerStackConfigSchema.parse({ publicKey: partnerstack.publicKey, secretKey: partnerstack.secretKey, baseUrl: partnerstack.url })),
      },
      docusignKeys: [DOCUSIGN_KEY],
      pandadocKey: PANDADOC_KEY,
      jotform: { token: jotform.webhookToken, formIds: [CHANNEL_PARTNER_FORM_ID], client: new JotFormClient(jotformConfig) },
    },
  });
}, 180_000);

afterAll(async () => {
  await api?.close();
  worker?.shutdown();
  await running;
  await env?.teardown();
  await sandbox?.close();
});

async function auditOf(workflowId: string) {
  return (await env.client.workflow.getHandle(workflowId).query(stateQuery)).audit;
}

async function eventsSeen(workflowId: string, name: string): Promise<number> {
  return (await auditOf(workflowId)).filter((a) => a.event === 'event' && a.detail === name).length;
}

async function post(route: string, body: string, headers: Record<string, string> = {}) {
  return call(api.url, 'POST', route, { body, headers: { 'content-type': 'application/json', ...headers } });
}

describe('HubSpot', () => {
  const url = () => `${api.url}/webhooks/hubspot`;

  it('starts deal provisioning for a new deal, once however often the delivery comes', async () => {
    const first = await hubspot.sendWebhook(url(), [{ eventId: 9001, subscriptionType: 'deal.creation', objectId: 4242 }]);
    const retried = await hubspot.sendWebhook(url(), [{ eventId: 9001, subscriptionType: 'deal.creation', objectId: 4242 }]);
    expect([first.status, retried.status]).toEqual([200, 200]);
    const listed = [];
    for await (const execution of env.client.workflow.list({ query: "WorkflowId = 'deal-provisioning/4242'" })) listed.push(execution.runId);
    expect(listed).toHaveLength(1);
  });

  it('delivers a ticket change to the instance with that business key, once per event id', async () => {
    const handle = await env.client.workflow.start('ticket-watch', { taskQueue: TASK_QUEUE, workflowId: 'ticket-watch/777', args: [{ definition: await compile(watcher), input: { ticketId: '777' } }] });
    const change = { eventId: 9100, subscriptionType: 'ticket.propertyChange', objectId: 777, propertyName: 'hs_pipeline_stage', propertyValue: '2' };
    expect((await hubspot.sendWebhook(url(), [change])).status).toBe(200);
    expect((await hubspot.sendWebhook(url(), [change])).status).toBe(200);
    expect(await eventsSeen(handle.workflowId, 'hubspot-ticket-changed')).toBe(1);
  });

  it('refuses a forged signature and a stale (replayed) delivery with 401, and a malformed body with 400', async () => {
    const forged = await hubspot.sendWebhook(url(), [{ subscriptionType: 'deal.creation', objectId: 5001 }], { secret: 'not-the-secret' });
    const stale = await hubspot.sendWebhook(url(), [{ subscriptionType: 'deal.creation', objectId: 5002 }], { timestamp: Date.now() - 10 * 60 * 1000 });
    expect([forged.status, stale.status]).toEqual([401, 401]);
    const unsigned = await post('/webhooks/hubspot', '[]');
    expect(unsigned.status).toBe(401);
    expect(unsigned.body).toMatchObject({ type: '/problems/unauthenticated', detail: 'the delivery is not authentic (missing-signature)' });
    const body = JSON.stringify({ eventId: 1 });
    const timestamp = String(Date.now());
    const malformed = await post('/webhooks/hubspot', body, { 'x-hubspot-signature-v3': signV3(hubspot.webhookSecret, 'POST', url(), body, timestamp), 'x-hubspot-request-timestamp': timestamp });
    expect(malformed.status).toBe(400);
    expect(malformed.body.detail).toMatch(/^the delivery is malformed \(expected a JSON array of events/);
    for (const objectId of [5001, 5002]) {
      await expect(env.client.workflow.getHandle(`deal-provisioning/${objectId}`).describe()).rejects.toThrow(/not found/i);
    }
  });

  it('answers 202 "ignored" for an event type nothing is configured for', async () => {
    const response = await hubspot.sendWebhook(url(), [{ subscriptionType: 'contact.creation', objectId: 1 }]);
    expect(response.status).toBe(202);
  });
});

describe('Jira', () => {
  function delivery(issueKey: string, label: string, identifier: string, secret = JIRA_SECRET) {
    const body = JSON.stringify({
      timestamp: Date.now(),
      webhookEvent: 'jira:issue_updated',
      issue: { id: '10001', key: issueKey, fields: { labels: [label], status: { name: 'Done', statusCategory: { key: 'done' } } } },
      changelog: { items: [{ field: 'status', fromString: 'In Progress', toString: 'Done' }] },
    });
    return { body, headers: { 'x-hub-signature': signJiraWebhook(secret, body), 'x-atlassian-webhook-identifier': identifier } };
  }

  it('delivers an issue update once per delivery identifier, and refuses a forged one', async () => {
    const handle = await env.client.workflow.start('ticket-watch', { taskQueue: TASK_QUEUE, workflowId: 'ticket-watch/888', args: [{ definition: await compile(watcher), input: { ticketId: '888' } }] });
    await hubspot.sendWebhook(`${api.url}/webhooks/hubspot`, [{ eventId: 9200, subscriptionType: 'ticket.propertyChange', objectId: 888 }]);
    const genuine = delivery('CS-1', '888', 'delivery-1');
    expect((await post('/webhooks/jira', genuine.body, genuine.headers)).status).toBe(200);
    expect((await post('/webhooks/jira', genuine.body, genuine.headers)).status).toBe(200);
    const forged = delivery('CS-1', '888', 'delivery-2', 'guessed');
    const refused = await post('/webhooks/jira', forged.body, forged.headers);
    expect(refused.status).toBe(401);
    expect(refused.body.detail).toBe('the delivery is not authentic (signature-mismatch)');
    expect(await eventsSeen(handle.workflowId, 'jira-issue-updated')).toBe(1);
  });

  it('answers 400 for a signed body that is not a Jira issue event', async () => {
    const body = JSON.stringify({ hello: 'world' });
    const answer = await post('/webhooks/jira', body, { 'x-hub-signature': signJiraWebhook(JIRA_SECRET, body) });
    expect(answer.status).toBe(400);
    expect(answer.body.type).toBe('/problems/invalid-request');
  });
});

describe('DocuSign', () => {
  it('delivers an envelope completion to the instance whose key the envelope carries, once however often it comes', async () => {
    const handle = await env.client.workflow.start('ticket-watch', { taskQueue: TASK_QUEUE, workflowId: 'ticket-watch/999', args: [{ definition: await compile(watcher), input: { ticketId: '999' } }] });
    const body = JSON.stringify({
      event: 'envelope-completed',
      data: { accountId: 'a-1', envelopeId: 'env-1', envelopeSummary: { status: 'completed', customFields: { textCustomFields: [{ name: 'wf_key', value: `${handle.workflowId}:send#1` }] } } },
    });
    const signature = createHmac('sha256', DOCUSIGN_KEY).update(body).digest('base64');
    expect((await post('/webhooks/docusign', body, { 'x-docusign-signature-1': signature })).status).toBe(200);
    // Connect retries a delivery it thinks failed: the same envelope event again.
    expect((await post('/webhooks/docusign', body, { 'x-docusign-signature-1': signature })).status).toBe(200);
    expect((await post('/webhooks/docusign', body, { 'x-docusign-signature-1': 'Zm9yZ2Vk' })).status).toBe(401);
    expect(await eventsSeen(handle.workflowId, 'docusign-envelope-completed')).toBe(1);
  });
});

describe('PandaDoc', () => {
  it('delivers a document state change to the instance that created the document, once however often it comes', async () => {
    const handle = await env.client.workflow.start('ticket-watch', { taskQueue: TASK_QUEUE, workflowId: 'ticket-watch/1111', args: [{ definition: await compile(watcher), input: { ticketId: '1111' } }] });
    // PandaDoc's "document state changed" notification array, signed as PandaDoc signs: ?signature= HMAC of the body.
    const body = JSON.stringify([{ event: 'document_state_changed', data: { id: 'doc-sof-1', name: 'SOF', status: 'document.completed', metadata: { wf_key: `${handle.workflowId}:sof#1` } } }]);
    const signature = createHmac('sha256', PANDADOC_KEY).update(body).digest('hex');
    const first = await post(`/webhooks/pandadoc?signature=${signature}`, body);
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([{ result: 'delivered', workflowId: handle.workflowId, event: 'pandadoc-document-completed' }]);
    expect((await post(`/webhooks/pandadoc?signature=${signature}`, body)).status).toBe(200);
    expect((await post(`/webhooks/pandadoc?signature=${'0'.repeat(64)}`, body)).status).toBe(401);
    expect(await eventsSeen(handle.workflowId, 'pandadoc-document-completed')).toBe(1);
  });
});

describe('PartnerStack', () => {
  const url = (token = partnerstack.webhookToken) => `${api.url}/webhooks/partnerstack/${token}`;

  it('starts deal provisioning with the deal as PartnerStack\'s API has it, not as posted, once however often it comes', async () => {
    const partner = partnerstack.seedPartner({ email: 'reseller@nimbus.example' });
    const deal = partnerstack.seedDeal({ partnerKey: partner.key, accountName: 'Nimbus Telecom' });
    // The posted account name is a forgery; the engine reads the deal back and uses PartnerStack's answer.
    const posted = { key: deal.key, account_name: 'Mallory Inc', partner_key: partner.key, updated_at: deal.updated_at };
    const first = await post(`/webhooks/partnerstack/${partnerstack.webhookToken}`, JSON.stringify({ ...posted, event: 'deal.created' }));
    expect(first.status).toBe(200);
    expect(first.body.results).toEqual([{ result: 'started', workflowId: `deal-provisioning/${deal.key}`, created: true }]);
    expect((await partnerstack.sendWebhook(url(), 'deal.created', posted)).status).toBe(200);
    const task = await openTask(env.client.workflow.getHandle(`deal-provisioning/${deal.key}`));
    expect(task.title).toBe('KYC for Nimbus Telecom');
    const listed = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = 'deal-provisioning/${deal.key}'` })) listed.push(execution.runId);
    expect(listed).toHaveLength(1);
    expect(partnerstack.journal.filter((e) => e.operation === 'deals.get' && e.path.endsWith(deal.key))).toHaveLength(2);
  });

  it('refuses a wrong token and a deal PartnerStack does not know with 401, touching no instance', async () => {
    const forged = { key: 'deal_forged0001', account_name: 'Mallory Inc' };
    expect((await partnerstack.sendWebhook(url('not-the-token'), 'deal.created', forged)).status).toBe(401);
    const unknown = await post(`/webhooks/partnerstack/${partnerstack.webhookToken}`, JSON.stringify({ ...forged, event: 'deal.created' }));
    expect(unknown.status).toBe(401);
    expect(unknown.body).toMatchObject({ type: '/problems/unauthenticated', detail: 'the delivery is not authentic (deal deal_forged0001 does not exist)' });
    await expect(env.client.workflow.getHandle('deal-provisioning/deal_forged0001').describe()).rejects.toThrow(/not found/i);
  });

  it('answers 503 with PartnerStack\'s Retry-After when the read-back is rate limited, starting nothing; the redelivery starts one instance', async () => {
    const partner = partnerstack.seedPartner({ email: 'reseller@busy.example' });
    const deal = partnerstack.seedDeal({ partnerKey: partner.key, accountName: 'Busy Telecom' });
    const delivery = JSON.stringify({ key: deal.key, partner_key: partner.key, updated_at: deal.updated_at, event: 'deal.created' });
    partnerstack.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 7 });
    const busy = await post(`/webhooks/partnerstack/${partnerstack.webhookToken}`, delivery);
    expect(busy.status).toBe(503);
    expect(busy.headers.get('retry-after')).toBe('7');
    expect(busy.body).toMatchObject({
      type: '/problems/vendor-unavailable',
      system: 'partnerstack',
      detail: "partnerstack's API answered 429 when the delivery's record was read back; nothing was started: deliver again after 7 s",
    });
    await expect(env.client.workflow.getHandle(`deal-provisioning/${deal.key}`).describe()).rejects.toThrow(/not found/i);
    // PartnerStack delivers again, the API answers this time.
    const redelivered = await post(`/webhooks/partnerstack/${partnerstack.webhookToken}`, delivery);
    expect(redelivered.status).toBe(200);
    expect(redelivered.body.results).toEqual([{ result: 'started', workflowId: `deal-provisioning/${deal.key}`, created: true }]);
    const listed = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = 'deal-provisioning/${deal.key}'` })) listed.push(execution.runId);
    expect(listed).toHaveLength(1);
  });

  it('answers 202 "ignored" for an event type nothing is configured for, without asking PartnerStack', async () => {
    const before = partnerstack.journal.length;
    const answer = await partnerstack.sendWebhook(url(), 'partnership.created', { key: 'part_unrouted' });
    expect(answer.status).toBe(202);
    expect(partnerstack.journal.slice(before)).toEqual([]);
  });
});

describe('JotForm', () => {
  it('starts the channel-partner request from the submission as re-read through the API, not as posted, once however often it comes', async () => {
    const submission = jotform.seedSubmission({ answers: channelPartnerAnswers('Everbright Ltd', 'ada@everbright.example') });
    const webhook = `${api.url}/webhooks/jotform/${jotform.webhookToken}`;
    // The posted answers are a forgery; the engine reads the submission back and uses JotForm's answers.
    const answer = await jotform.sendWebhook(webhook, submission.id, { rawRequest: JSON.stringify({ q1_companyName: 'Mallory Inc' }) });
    expect(answer.status).toBe(200);
    const task = await openTask(env.client.workflow.getHandle(`channel-partner-request/${submission.id}`));
    expect(task.title).toBe('Request from Everbright Ltd');
    // JotForm delivers again when it saw no answer in time: the same submission finds the instance it started.
    expect((await jotform.sendWebhook(webhook, submission.id)).status).toBe(200);
    const listed = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = 'channel-partner-request/${submission.id}'` })) listed.push(execution.runId);
    expect(listed).toHaveLength(1);
  });

  it('answers 503 with a Retry-After of a few seconds when JotForm\'s API is down (no Retry-After of its own); the redelivery starts one instance', async () => {
    const submission = jotform.seedSubmission({ answers: channelPartnerAnswers('Outage Ltd', 'ada@outage.example') });
    const deliver = () => {
      const form = new FormData();
      for (const [name, value] of Object.entries({ formID: CHANNEL_PARTNER_FORM_ID, submissionID: submission.id, rawRequest: '{}' })) form.append(name, value);
      return call(api.url, 'POST', `/webhooks/jotform/${jotform.webhookToken}`, { body: form });
    };
    jotform.injectFault({ kind: 'status', status: 503 });
    const down = await deliver();
    expect(down.status).toBe(503);
    expect(down.headers.get('retry-after')).toBe('5');
    expect(down.body).toMatchObject({ type: '/problems/vendor-unavailable', system: 'jotform' });
    await expect(env.client.workflow.getHandle(`channel-partner-request/${submission.id}`).describe()).rejects.toThrow(/not found/i);
    expect((await deliver()).status).toBe(200);
    const task = await openTask(env.client.workflow.getHandle(`channel-partner-request/${submission.id}`));
    expect(task.title).toBe('Request from Outage Ltd');
    const listed = [];
    for await (const execution of env.client.workflow.list({ query: `WorkflowId = 'channel-partner-request/${submission.id}'` })) listed.push(execution.runId);
    expect(listed).toHaveLength(1);
  });

  it('refuses a wrong URL token and a submission JotForm does not know', async () => {
    const submission = jotform.seedSubmission({ answers: channelPartnerAnswers('Other Ltd', 'x@other.example') });
    expect((await jotform.sendWebhook(`${api.url}/webhooks/jotform/not-the-token`, submission.id)).status).toBe(401);
    expect((await jotform.sendWebhook(`${api.url}/webhooks/jotform/${jotform.webhookToken}`, submission.id, { submissionID: '123456789' })).status).toBe(401);
    await expect(env.client.workflow.getHandle('channel-partner-request/123456789').describe()).rejects.toThrow(/not found/i);
  });
});

describe('the shipped routes', () => {
  // The API as `npm start` runs it: the shipped definitions and the given routes file, the fakes' secrets.
  async function startShippedApi(extra: NodeJS.ProcessEnv = {}) {
    const data = mkdtempSync(path.join(tmpdir(), 'ops-shipped-'));
    return startApi(env.address, { ...sandbox.env, OPS_API_PORT: '0', OPS_API_KEYS_FILE: path.join(data, 'keys.json'), OPS_UPLOADS_DIR: path.join(data, 'uploads'), ...extra });
  }

  it('all reach a shipped process, and HubSpot deal.creation has no route (deal provisioning starts from PartnerStack)', async () => {
    const shipped = await startShippedApi();
    try {
      expect(shipped.warnings).toEqual([]);
      const hubspotUrl = `${shipped.url}/webhooks/hubspot`;
      const events = JSON.stringify([{ eventId: 9400, subscriptionType: 'deal.creation', objectId: 7070 }]);
      const timestamp = String(Date.now());
      const fromHubSpot = await call(shipped.url, 'POST', '/webhooks/hubspot', {
        body: events,
        headers: { 'x-hubspot-signature-v3': signV3(hubspot.webhookSecret, 'POST', hubspotUrl, events, timestamp), 'x-hubspot-request-timestamp': timestamp },
      });
      expect(fromHubSpot.status).toBe(202);
      expect(fromHubSpot.body).toMatchObject({ status: 'ignored' });
      await expect(env.client.workflow.getHandle('deal-provisioning/7070').describe()).rejects.toThrow(/not found/i);
    } finally {
      await shipped.close();
    }
  });

  it('to a process that is not deployed are named at start-up, and their deliveries are answered 202 "ignored: process not deployed", starting nothing', async () => {
    const routes = path.join(mkdtempSync(path.join(tmpdir(), 'ops-routes-')), 'webhooks.yaml');
    writeFileSync(routes, 'jotform:\n  submission:\n    start: partner-signup\n    input: { submissionId: "=submissionId" }\n');
    const shipped = await startShippedApi({ WEBHOOKS_FILE: routes });
    try {
      expect(shipped.warnings).toEqual([
        'webhook routes whose process is not deployed (their deliveries are answered 202 "ignored: process not deployed"): '
        + 'jotform submission starts partner-signup. '
        + 'Add the definitions to definitions/, or remove the routes from the webhook routes file.',
      ]);
      const submission = jotform.seedSubmission({ answers: channelPartnerAnswers('Undeployed Ltd', 'ada@undeployed.example') });
      expect((await jotform.sendWebhook(`${shipped.url}/webhooks/jotform/${jotform.webhookToken}`, submission.id)).status).toBe(202);
      await expect(env.client.workflow.getHandle(`partner-signup/${submission.id}`).describe()).rejects.toThrow(/not found/i);
      await expect(env.client.workflow.getHandle(`channel-partner-request/${submission.id}`).describe()).rejects.toThrow(/not found/i);
    } finally {
      await shipped.close();
    }
  });
});
