/**
 * The Salesforce part of the channel-partner request (seed 002) run as a process on the time-skipping
 * server, through the worker's activities and jsforce against the Salesforce fake: the organisation and
 * contact looked up, a case opened under it, the account manager mentioned in the case feed, the e-mail
 * related to contact and case. Salesforce answers the case creation with a 503 first: Temporal retries it
 * after the Retry-After delay, and the org still ends up with one case.
 */
import type { SalesforceFake } from '../../fakes/salesforce/fake';
import type { SfRecord } from '../../fakes/salesforce/store';
import { startProcess } from '../../client/processes';
import { compile } from '../support/processes';
import { startTimeSkippingWorker, type RunningWorker } from '../support/worker';

let running: RunningWorker;

beforeAll(async () => {
  running = await startTimeSkippingWorker();
}, 180_000);

afterAll(() => running?.stop());

const definition = `
process: channel-partner-salesforce
version: 1
title: Channel partner request, the Salesforce steps
roles: { cs: Customer success }
input:
  type: object
  required: [company, email]
  properties: { company: { type: string }, email: { type: string } }
steps:
  - id: find-organisation
    call: salesforce.findAccount
    with: { name: =input.company }
    result: org
  - id: find-contact
    call: salesforce.findContact
    with: { email: =input.email, accountId: =org.account.id }
    result: person
  - id: open-case
    call: salesforce.createCase
    with:
      accountId: =org.account.id
      contactId: =person.contact.id
      subject: "A New Channel Partner Request for {{ input.company }}"
      origin: Web
    retry: { initial-interval: 100 milliseconds }
    result: opened
  - id: tag-account-manager
    call: salesforce.mentionOnCase
    with: { caseId: =opened.caseId, accountManagerOf: =org.account.id, text: "a new channel partner request needs you" }
  - id: relate-email
    call: salesforce.relateInteraction
    with: { contactId: =person.contact.id, caseId: =opened.caseId, subject: New Channel Req 1 }
`;

it('opens one case under the organisation, mentions its account manager and relates the e-mail, through a 503 with Retry-After', async () => {
  const salesforce = running.fake<SalesforceFake>('salesforce');
  const manager = salesforce.seed('User', { Name: 'Mandy Manager', Email: 'mandy@everbright.example' });
  const account = salesforce.seed('Account', { Name: 'EverBright Partner Co', OwnerId: manager.Id });
  const contact = salesforce.seed('Contact', { FirstName: 'Ada', LastName: 'Admin', Email: 'ada@partner.example', AccountId: account.Id });

  // Salesforce is briefly unavailable when the case is created: a 503 asking for 2 s.
  salesforce.failOperation('sobjects.upsert', { status: 503, errorCode: 'SERVER_UNAVAILABLE', retryAfterSeconds: 2 });
  const compiled = await compile(definition);
  const startedAt = await running.env.currentTimeMs();
  const handle = await startProcess(running.client, compiled, { company: 'EverBright Partner Co', email: 'ada@partner.example' });
  const result = await handle.result();
  expect(result.status).toBe('completed');

  const records = salesforce.state().records as Array<SfRecord & { attributes: { type: string } }>;
  const cases = records.filter((r) => r.attributes.type === 'Case' && r.AccountId === account.Id);
  expect(cases).toHaveLength(1);
  expect(cases[0]).toMatchObject({ Subject: 'A New Channel Partner Request for EverBright Partner Co', ContactId: contact.Id, Origin: 'Web' });
  expect(salesforce.state().feeds[cases[0].Id].map((f) => f.body.text)).toEqual(['@Mandy Manager a new channel partner request needs you']);
  expect(records.filter((r) => r.attributes.type === 'Task' && r.WhatId === cases[0].Id)).toEqual([
    expect.objectContaining({ WhoId: contact.Id, Subject: 'New Channel Req 1', TaskSubtype: 'Email', Status: 'Completed' }),
  ]);
  const upserts = salesforce.journal.filter((e) => e.operation === 'sobjects.upsert' && e.path.includes('/Case/'));
  expect(upserts.map((e) => e.status)).toEqual([503, 201]);
  // The step's own retry policy would try again after 100 ms; Temporal waited the 2 s Salesforce asked for
  // (in server time: the time-skipping server skips the wait rather than sleep through it).
  expect((await running.env.currentTimeMs()) - startedAt).toBeGreaterThanOrEqual(2000);
  expect(salesforce.breaches()).toEqual([]);
});
