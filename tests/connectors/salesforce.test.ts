/**
 * Salesforce connector tests: every action runs through jsforce against the local fake org over real
 * sockets (client-credentials sign-in, REST sobjects, SOQL, Chatter), and failures are checked as the
 * ApplicationFailure Temporal would receive.
 */
import { salesforceConnector, SalesforceClient, type SalesforceConfig } from '../../activities/salesforce';
import { startSalesforceFake, type SalesforceFake } from '../../fakes/salesforce/fake';
import type { SfRecord } from '../../fakes/salesforce/store';
import { failureOf, runAction } from './helpers/run-action';

let fake: SalesforceFake;
let config: SalesforceConfig;
let client: SalesforceClient;
const run = (name: string, input: unknown, key?: string) => runAction(salesforceConnector, client, name, input, key);

let manager: SfRecord;
let account: SfRecord;
let contact: SfRecord;

beforeAll(async () => {
  fake = await startSalesforceFake();
  config = salesforceConnector.configFromEnv(fake.env) as SalesforceConfig;
  client = salesforceConnector.createClient(config);
});

afterAll(() => fake.close());

beforeEach(() => {
  manager = fake.seed('User', { Name: 'Mandy Manager', Email: 'mandy@everbright.example' });
  account = fake.seed('Account', { Name: `Acme O'Reilly Ltd ${Math.random().toString(36).slice(2, 6)}`, OwnerId: manager.Id });
  contact = fake.seed('Contact', { FirstName: 'Ada', LastName: 'Admin', Email: `ada.${account.Id}@acme.example`, AccountId: account.Id });
});

const records = (type: string) => fake.state().records.filter((r) => (r as unknown as { attributes: { type: string } }).attributes.type === type);

describe('the channel-partner request (seed 002)', () => {
  test('finds the organisation by the form\'s company name (quotes escaped) and its contact by e-mail', async () => {
    await expect(run('salesforce.findAccount', { name: account.Name })).resolves.toEqual({
      found: true, account: { id: account.Id, name: account.Name, ownerId: manager.Id },
    });
    await expect(run('salesforce.findAccount', { name: 'Nobody Inc' })).resolves.toEqual({ found: false, account: null });
    await expect(run('salesforce.findContact', { email: contact.Email, accountId: account.Id })).resolves.toEqual({
      found: true, contact: { id: contact.Id, name: 'Ada Admin', email: contact.Email, accountId: account.Id },
    });
    const signIns = fake.journal.filter((e) => e.path === '/services/oauth2/token');
    expect(signIns.length).toBe(1);
    expect(signIns[0].body).toMatchObject({ grant_type: 'client_credentials', client_id: config.clientId });
  });

  test('two accounts with the same name are a non-retryable error that asks for the id', async () => {
    fake.seed('Account', { Name: account.Name, OwnerId: manager.Id });
    const failure = await failureOf(run('salesforce.findAccount', { name: account.Name }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`salesforce.findAccount: account name "${account.Name}" matches more than one record; give the record id instead`);
  });

  test('creates the case under the organisation once, even when the step is retried', async () => {
    const input = { accountId: account.Id, contactId: contact.Id, subject: `A New Channel Partner Request for ${account.Name}`, origin: 'Web' };
    const first = (await run('salesforce.createCase', input, 'wf-002:create-case')) as { caseId: string; created: boolean };
    const again = (await run('salesforce.createCase', input, 'wf-002:create-case')) as { caseId: string; created: boolean };
    expect(first.created).toBe(true);
    expect(again).toEqual({ caseId: first.caseId, created: false });
    const cases = records('Case').filter((c) => c.AccountId === account.Id);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ Subject: input.subject, Status: 'New', ContactId: contact.Id, WF_Key__c: 'wf-002:create-case' });
  });

  test('mentions the account manager (the account owner) in the case feed, and a retried step does not post twice', async () => {
    const { caseId } = (await run('salesforce.createCase', { accountId: account.Id, subject: 'Channel partner request' })) as { caseId: string };
    const input = { caseId, accountManagerOf: account.Id, text: 'please review this channel partner request' };
    await expect(run('salesforce.mentionOnCase', input)).resolves.toMatchObject({ mentionedUserId: manager.Id, posted: true });
    await expect(run('salesforce.mentionOnCase', input)).resolves.toMatchObject({ mentionedUserId: manager.Id, posted: false });
    const feed = fake.state().feeds[caseId];
    expect(feed).toHaveLength(1);
    expect(feed[0].body.text).toBe('@Mandy Manager please review this channel partner request');
    expect(fake.journal.filter((e) => e.method === 'POST' && e.path.endsWith('/chatter/feed-elements'))).toHaveLength(1);
  });

  test('relates the sent e-mail to the contact (Name) and the case (Related To) as a completed e-mail task', async () => {
    const { caseId } = (await run('salesforce.createCase', { accountId: account.Id, subject: 'Channel partner request' })) as { caseId: string };
    const { taskId } = (await run('salesforce.relateInteraction', { contactId: contact.Id, caseId, subject: 'New Channel Req 1', interactionRef: 'CXone contact 4711' }, 'wf-002:relate-1')) as { taskId: string };
    expect(records('Task').find((t) => t.Id === taskId)).toMatchObject({
      WhoId: contact.Id, WhatId: caseId, Status: 'Completed', TaskSubtype: 'Email', Subject: 'New Channel Req 1', Description: 'Interaction: CXone contact 4711',
    });
  });

  test('updates a case, and a value outside a restricted picklist is refused naming the field', async () => {
    const { caseId } = (await run('salesforce.createCase', { accountId: account.Id, subject: 'to update' })) as { caseId: string };
    await run('salesforce.updateCase', { caseId, status: 'Escalated', priority: 'High' });
    expect(records('Case').find((c) => c.Id === caseId)).toMatchObject({ Status: 'Escalated', Priority: 'High' });
    const failure = await failureOf(run('salesforce.updateCase', { caseId, status: 'Done-ish' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe('salesforce.updateCase: PATCH /sobjects/Case/{id} answered 400 INVALID_OR_NULL_FOR_RESTRICTED_PICKLIST (field "Status"): Status: bad value for restricted picklist field: Done-ish');
  });

  test('a case for an account id that does not exist is refused as Salesforce would', async () => {
    const failure = await failureOf(run('salesforce.createCase', { accountId: '001000000000000AAA', subject: 'x' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toContain('answered 400 INVALID_CROSS_REFERENCE_KEY (field "AccountId")');
  });
});

describe('off-boarding (seed 003) and reseller creation (seed 004)', () => {
  test('suspends only the $0 reseller licence row; the other rows stay as they were', async () => {
    const licence = fake.seed('Asset', { Name: 'Intuit Reseller Premier Membership', AccountId: account.Id, Status: 'Active', Price: 0 });
    const paid = fake.seed('Asset', { Name: 'Intuit QuickBooks Accountant', AccountId: account.Id, Status: 'Active', Price: 499 });
    await expect(run('salesforce.suspendResellerLicence', { accountId: account.Id })).resolves.toEqual({
      assetId: licence.Id, name: 'Intuit Reseller Premier Membership', previousStatus: 'Active', changed: true,
    });
    await expect(run('salesforce.suspendResellerLicence', { accountId: account.Id })).resolves.toMatchObject({ changed: false });
    const assets = records('Asset');
    expect(assets.find((a) => a.Id === licence.Id)?.Status).toBe('Suspended');
    expect(assets.find((a) => a.Id === paid.Id)?.Status).toBe('Active');
    expect(fake.journal.filter((e) => e.method === 'PATCH' && e.path.includes('/sobjects/Asset/'))).toHaveLength(1);
  });

  test('an account without a $0 licence row fails without retry, listing its assets', async () => {
    fake.seed('Asset', { Name: 'Intuit QuickBooks Accountant', AccountId: account.Id, Status: 'Active', Price: 499 });
    const failure = await failureOf(run('salesforce.suspendResellerLicence', { accountId: account.Id }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`salesforce.suspendResellerLicence: account ${account.Id} has no $0 licence row. Its assets: "Intuit QuickBooks Accountant" (Active, 499)`);
  });

  test('opens the onboarding case named after the reseller, once', async () => {
    const first = (await run('salesforce.createOnboardingCase', { accountId: account.Id, contactId: contact.Id }, 'wf-004:onboarding')) as { caseId: string };
    await run('salesforce.createOnboardingCase', { accountId: account.Id, contactId: contact.Id }, 'wf-004:onboarding');
    const cases = records('Case').filter((c) => c.AccountId === account.Id);
    expect(cases).toHaveLength(1);
    expect(cases[0]).toMatchObject({ Id: first.caseId, Subject: `Reseller onboarding: ${account.Name}`, Origin: 'Web' });
  });

  test('creates a follow-up task with a due date', async () => {
    const { taskId } = (await run('salesforce.createTask', { subject: 'Call the reseller', whoId: contact.Id, whatId: account.Id, dueDate: '2026-12-04' })) as { taskId: string };
    expect(records('Task').find((t) => t.Id === taskId)).toMatchObject({ Status: 'Not Started', ActivityDate: '2026-12-04', Priority: 'Normal' });
  });
});

describe('deal registration (seed 004): the opportunity', () => {
  test('is created once per step, owned by the queue\'s user found by name, then rejected with a reason, sent back and Closed Won, each note added once', async () => {
    const queue = fake.seed('User', { Name: `Pending Deal Registration Queue ${account.Id}`, Email: 'queue@everbright.example' });
    const input = { name: 'Contoso Dental (registered by Northwind)', type: 'New Customer - Reseller', stage: 'Prospecting', closeDate: '2028-01-31', owner: queue.Name, amount: 1200 };
    const first = (await run('salesforce.createOpportunity', input, 'wf-004:create-opportunity')) as { opportunityId: string; created: boolean };
    const again = (await run('salesforce.createOpportunity', input, 'wf-004:create-opportunity')) as { opportunityId: string; created: boolean };
    expect([first.created, again.created, again.opportunityId]).toEqual([true, false, first.opportunityId]);
    expect(records('Opportunity').filter((r) => r.Id === first.opportunityId)).toEqual([expect.objectContaining({ OwnerId: queue.Id, StageName: 'Prospecting', Type: 'New Customer - Reseller' })]);

    const team = fake.seed('User', { Name: `Partnership Team ${account.Id}`, Email: 'partnerships@everbright.example' });
    const rejection = { opportunityId: first.opportunityId, stage: 'Rejected', owner: team.Name, rejectedReason: 'Pricing missing', notes: 'Rejected in round 1: Pricing missing' };
    await expect(run('salesforce.updateOpportunity', rejection)).resolves.toEqual({ opportunityId: first.opportunityId, stage: 'Rejected', ownerId: team.Id });
    await run('salesforce.updateOpportunity', rejection); // a retried step adds no second note
    await run('salesforce.updateOpportunity', { opportunityId: first.opportunityId, stage: 'Closed Won', accountId: account.Id, notes: 'Approved in round 2' });
    expect(records('Opportunity').find((r) => r.Id === first.opportunityId)).toMatchObject({
      StageName: 'Closed Won', AccountId: account.Id, OwnerId: team.Id, Reseller_Rejected_Reason__c: 'Pricing missing', Description: 'Rejected in round 1: Pricing missing\nApproved in round 2',
    });
  });

  test('an owner nobody is named, or a stage the org does not have, fails for good naming the field', async () => {
    const noOwner = await failureOf(run('salesforce.createOpportunity', { name: 'X', stage: 'Prospecting', closeDate: '2028-01-31', owner: 'No Such Queue' }, 'wf-004:no-owner'));
    expect(noOwner.nonRetryable).toBe(true);
    expect(noOwner.message).toBe('salesforce.createOpportunity: no Salesforce user named "No Such Queue"; give a user\'s exact name or id');
    const badStage = await failureOf(run('salesforce.createOpportunity', { name: 'X', stage: 'Pending Review', closeDate: '2028-01-31' }, 'wf-004:bad-stage'));
    expect(badStage.nonRetryable).toBe(true);
    expect(badStage.message).toContain('StageName');
    expect(fake.breaches()).toEqual([]);
  });
});

describe('sessions, limits and faults', () => {
  test('an expired session is renewed with the client-credentials grant and the call goes through', async () => {
    await run('salesforce.findAccount', { name: account.Name });
    const before = fake.state().tokensIssued;
    fake.expireTokens();
    await expect(run('salesforce.findAccount', { name: account.Name })).resolves.toMatchObject({ found: true });
    expect(fake.state().tokensIssued).toBe(before + 1);
  });

  test('a 503 with Retry-After is retryable after the delay Salesforce asked for, and jsforce does not retry on its own', async () => {
    await run('salesforce.findAccount', { name: account.Name });
    const before = fake.journal.length;
    fake.injectFault({ kind: 'status', status: 503, retryAfterSeconds: 7 });
    const failure = await failureOf(run('salesforce.findAccount', { name: account.Name }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(7000);
    expect(failure.message).toContain('answered 503 SERVER_UNAVAILABLE');
    expect(fake.journal.length - before).toBe(1);
  });

  test('an UNABLE_TO_LOCK_ROW answer is retryable', async () => {
    await run('salesforce.findAccount', { name: account.Name });
    fake.injectFault({ kind: 'status', status: 400, body: [{ message: 'unable to obtain exclusive access to this record', errorCode: 'UNABLE_TO_LOCK_ROW' }] });
    const failure = await failureOf(run('salesforce.updateCase', { caseId: '500000000000000AAA', status: 'Working' }));
    expect(failure.nonRetryable).toBe(false);
  });

  test('the org\'s 24-hour API limit used up (403 REQUEST_LIMIT_EXCEEDED) fails without spinning, quoting Sforce-Limit-Info', async () => {
    await run('salesforce.findAccount', { name: account.Name });
    const { used } = fake.state().apiUsage;
    fake.setApiLimit(used + 1);
    await run('salesforce.findAccount', { name: account.Name });
    const failure = await failureOf(run('salesforce.findAccount', { name: account.Name }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`salesforce.findAccount: GET /query answered 403 REQUEST_LIMIT_EXCEEDED: TotalRequests Limit exceeded.. The org's rolling 24-hour API request limit is used up (api-usage ${used + 1}/${used + 1}); retry once usage falls, or raise the limit`);
    fake.setApiLimit(100_000);
  });

  test('an answer slower than the configured timeout is given up on and retryable', async () => {
    const impatient = salesforceConnector.createClient({ ...config, timeoutMs: 150 });
    await runAction(salesforceConnector, impatient, 'salesforce.findAccount', { name: account.Name });
    fake.injectFault({ kind: 'delay', delayMs: 600 });
    const failure = await failureOf(runAction(salesforceConnector, impatient, 'salesforce.findAccount', { name: account.Name }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.message).toBe('salesforce.findAccount: GET /query failed: no answer within 150 ms');
    await new Promise((resolve) => setTimeout(resolve, 600));
  });

  test('a wrong client secret fails sign-in without retry and never shows the secret', async () => {
    const wrong = salesforceConnector.createClient({ ...config, clientSecret: 'not-the-secret-0123456789' });
    const failure = await failureOf(runAction(salesforceConnector, wrong, 'salesforce.findAccount', { name: 'x' }));
    expect(failure.nonRetryable).toBe(true);
    expect(failure.message).toBe(`salesforce.findAccount: sign-in (client credentials) at ${fake.url} failed: invalid_client: invalid client credentials`);
  });

  test('a sign-in answered 429 is retried after the Retry-After Salesforce asked for, and the next attempt signs in', async () => {
    const fresh = salesforceConnector.createClient(config);
    // The kit's fault answers in the REST error shape, a JSON body without OAuth's `error`: jsforce's error then has no name.
    fake.injectFault({ kind: 'status', status: 429, retryAfterSeconds: 3 });
    const failure = await failureOf(runAction(salesforceConnector, fresh, 'salesforce.findAccount', { name: account.Name }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBe(3000);
    expect(failure.message).toBe(`salesforce.findAccount: sign-in (client credentials) at ${fake.url} answered 429 (Salesforce is busy or unavailable; retried)`);
    await expect(runAction(salesforceConnector, fresh, 'salesforce.findAccount', { name: account.Name })).resolves.toMatchObject({ found: true });
  });

  test('a sign-in or token renewal answered 503 is retryable, whatever OAuth error it names', async () => {
    const fresh = salesforceConnector.createClient(config);
    fake.failOperation('oauth.token', { status: 503, errorCode: 'temporarily_unavailable' });
    const failure = await failureOf(runAction(salesforceConnector, fresh, 'salesforce.findAccount', { name: account.Name }));
    expect(failure.nonRetryable).toBe(false);
    expect(failure.nextRetryDelay).toBeUndefined();
    expect(failure.message).toBe(`salesforce.findAccount: sign-in (client credentials) at ${fake.url} answered 503 temporarily_unavailable: injected temporarily_unavailable (Salesforce is busy or unavailable; retried)`);
    await runAction(salesforceConnector, fresh, 'salesforce.findAccount', { name: account.Name });
    // The session expires and its renewal meets a 503 with Retry-After: retried too, after the delay asked for.
    fake.expireTokens();
    fake.failOperation('oauth.token', { status: 503, errorCode: 'temporarily_unavailable', retryAfterSeconds: 2 });
    const renewal = await failureOf(runAction(salesforceConnector, fresh, 'salesforce.findAccount', { name: account.Name }));
    expect(renewal.nonRetryable).toBe(false);
    expect(renewal.nextRetryDelay).toBe(2000);
  });

  test('every REST answer carries Sforce-Limit-Info, which the client reads', async () => {
    await run('salesforce.findAccount', { name: account.Name });
    expect(client.limitInfo).toEqual(fake.state().apiUsage);
  });
});

describe('the fake keeps Salesforce\'s contract', () => {
  test('a field Salesforce does not have is refused in its error shape, naming the field', async () => {
    await run('salesforce.findAccount', { name: account.Name });
    const response = await fetch(`${fake.url}/services/data/v62.0/sobjects/Case`, {
      method: 'POST',
      headers: { authorization: `Bearer ${client.connection.accessToken}`, 'content-type': 'application/json' },
      body: JSON.stringify({ Subject: 'x', Partner_Stuff: 'y' }),
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('sforce-limit-info')).toMatch(/^api-usage=\d+\/\d+$/);
    await expect(response.json()).resolves.toEqual([{ message: 'No such column \'Partner_Stuff\' on sobject of type Case', errorCode: 'INVALID_FIELD', fields: ['Partner_Stuff'] }]);
  });

  test('no answer of the fake broke the contract', () => {
    expect(fake.breaches()).toEqual([]);
  });
});
