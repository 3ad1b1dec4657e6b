/**
 * The reseller off-boarding procedure (seed 003) walked branch by branch on the time-skipping server, with
 * the shipped definition and the PartnerStack and SMTP fakes. Every decision is taken by a named person of
 * config/people.yaml with only the roles the directory gives them. Each scenario checks what the fakes
 * received, in order, who was asked to decide each step, the audit, the final status and the stage.
 * The server's clock only moves forward, so the scenarios run in date order.
 */
import { WorkflowUpdateFailedError, type WorkflowHandle } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EmailFake } from '../fakes/email/fake';
import type { PartnerStackFake } from '../fakes/partnerstack/fake';
import type { SalesforceFake } from '../fakes/salesforce/fake';
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import { loadDirectory } from '../directory/load';
import { subtractBusinessDays } from '../dsl/calendar';
import type { CompiledDefinition } from '../dsl/compile';
import { decideUpdate, searchAttributes, stateQuery } from '../workflows/messages';
import { notified, openTask, person } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let env: TestWorkflowEnvironment;
let definition: CompiledDefinition;
let partnerstack: PartnerStackFake;
let smtp: EmailFake;
let salesforce: SalesforceFake;

beforeAll(async () => {
  [running, definition] = await Promise.all([startTimeSkippingWorker(), loadRegistry().then((r) => r.get('reseller-offboarding')!)]);
  env = running.env;
  partnerstack = running.fake<PartnerStackFake>('partnerstack');
  smtp = running.fake<EmailFake>('email');
  salesforce = running.fake<SalesforceFake>('salesforce');
}, 180_000);

afterAll(() => running?.stop());

const directory = loadDirectory();
/** What the process itself e-mailed, leaving out the task e-mails to the people of the directory. */
const sent = () => smtp.messages.filter((m) => !m.envelope.to.every((address) => directory.personByEmail(address)));

beforeEach(() => {
  smtp.messages.length = 0;
});

/** Moves the server's clock forward to an instant. */
async function skipTo(iso: string) {
  const ms = Date.parse(iso) - (await env.currentTimeMs());
  if (ms <= 0) throw new Error(`the test server's clock is already past ${iso}: it is ${new Date(await env.currentTimeMs()).toISOString()}`);
  await env.sleep(ms);
}

/** The state as of the server's clock (a query alone does not move the workflow clock). */
async function state(handle: WorkflowHandle) {
  return handle.query(stateQuery, { at: new Date(await env.currentTimeMs()).toISOString() });
}

/** Waits for the step's task and decides it as the named person; returns the task as it was offered. */
async function decide(handle: WorkflowHandle, stepId: string, outcome: string, who: string, extra: { comment?: string; form?: Record<string, unknown> } = {}) {
  const task = await openTask(handle, (t) => t.stepId === stepId);
  await notified(handle, task.id);
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: task.id, outcome, actor: person(who), ...extra }] });
  return task;
}

/** Sends a decision that must be refused; returns the reason the instance gave. */
async function refused(handle: WorkflowHandle, taskId: string, outcome: string, who: string, form?: Record<string, unknown>): Promise<string | undefined> {
  const error = await handle.executeUpdate(decideUpdate, { args: [{ taskId, outcome, actor: person(who), form }] }).catch((e: unknown) => e);
  expect(error).toBeInstanceOf(WorkflowUpdateFailedError);
  return (error as WorkflowUpdateFailedError).cause?.message;
}

/** Who was asked to decide, in order: each opened task's step and the roles it was assigned to. */
async function asked(handle: WorkflowHandle): Promise<string[]> {
  return (await state(handle)).audit.filter((e) => e.event === 'task-opened').map((e) => `${e.stepId}: ${e.detail}`);
}

async function decisions(handle: WorkflowHandle): Promise<string[]> {
  return (await state(handle)).audit.filter((e) => e.event === 'decision').map((e) => `${e.actor}:${e.outcome}`);
}

function input(partner: { key: string; email: string }, extra: Record<string, unknown> = {}) {
  return {
    partnerKey: partner.key,
    partnerName: 'Acme Resell',
    partnerEmail: partner.email,
    cam: 'carla.mendes',
    requestedBy: 'company',
    reason: 'Revenue below the program minimum',
    salesOpsEmail: 'sales-ops@company.example',
    ...extra,
  };
}

/** The partner's Salesforce account: its reseller membership (the $0 row) and a paid product, both active. */
function seedSalesforceAccount(name: string) {
  const account = salesforce.seed('Account', { Name: name });
  const membership = salesforce.seed('Asset', { Name: 'Reseller Premier Membership', AccountId: account.Id, Status: 'Active', Price: 0 });
  const product = salesforce.seed('Asset', { Name: 'QuickBooks Online Accountant', AccountId: account.Id, Status: 'Active', Price: 499 });
  const status = (id: string) => salesforce.state().records.find((r) => r.Id === id)?.Status;
  return () => ({ membership: status(membership.Id), product: status(product.Id) });
}
const SUSPENDED = { membership: 'Suspended', product: 'Active' };

const archived = (key: string) => partnerstack.state().archived.includes(key);
const DONE = { ok: true };
const QUICKBASE_DONE = { status: DONE, 'opted-out': DONE, 'distribution-group': DONE, 'landing-pages': DONE };

it('asked to leave with legal action: the documents are filed first, the window runs from the filing, nothing owed and off the beta portal ends there', async () => {
  await skipTo('2027-12-01T15:00:00Z'); // Wednesday 1 Dec 2027, 10:00 EST
  const partner = partnerstack.seedPartner({ email: 'legal@breach-resell.example' });
  const licences = seedSalesforceAccount('Breach Resell');
  const handle = await startProcess(running.client, definition, input(partner, { partnerName: 'Breach Resell', requestedOn: '2027-12-01', reason: 'Breach of the reseller agreement', betaPortal: false }));

  await decide(handle, 'legal-review', 'legal-action', 'carla.mendes');
  const documents = await openTask(handle, (t) => t.stepId === 'legal-documents');
  expect(documents).toMatchObject({ roles: ['cam'], dueAt: '2027-12-02T22:00:00.000Z' });
  // The supporting documents are asked for before the process goes on.
  expect(await refused(handle, documents.id, 'filed', 'carla.mendes', { filedOn: '2027-11-29' })).toBe('form does not match: /documents is required');
  await decide(handle, 'legal-documents', 'filed', 'carla.mendes', { form: { filedOn: '2027-11-29', documents: 'Legal share: case 2027-114' } });

  // 2A goes straight to QuickBase: no notice to the partner, no e-mail to Sales Ops.
  const checklist = await decide(handle, 'update-quickbase', 'confirm', 'omar.haddad', { form: QUICKBASE_DONE });
  expect(checklist.title).toBe(`Update QuickBase for Breach Resell (${partner.key}): reason for removal "Breach of the reseller agreement", off-board date 2027-12-29`);
  expect(sent()).toEqual([]);
  expect((await state(handle)).deadlines.find((d) => d.name === 'settle-by')?.at).toBe('2027-12-29T05:00:00.000Z');

  await decide(handle, 'open-orders', 'no-open-orders', 'priya.nair');

  expect(await handle.result()).toMatchObject({ status: 'completed', reason: 'Breach Resell off-boarded; it is not on the beta partner portal' });
  expect(licences()).toEqual(SUSPENDED);
  const final = await state(handle);
  expect(final.stage).toBe('partner-portal');
  expect(archived(partner.key)).toBe(false);
  expect(await asked(handle)).toEqual([
    'legal-review: assigned to cam',
    'legal-documents: assigned to cam',
    'update-quickbase: assigned to sales-ops',
    'open-orders: assigned to car',
  ]);
});

it('a voluntary resignation is recorded with its e-mail, refused below 30 days of notice, overseen by the programme lead; open orders alone are money on the table', async () => {
  await skipTo('2028-01-10T14:00:00Z'); // Monday 10 Jan 2028, 09:00 EST
  const partner = partnerstack.seedPartner({ email: 'hello@leaving-resell.example' });
  const licences = seedSalesforceAccount('Leaving Resell');
  const handle = await startProcess(running.client, definition, input(partner, { partnerName: 'Leaving Resell', requestedBy: 'partner', requestedOn: '2028-01-10', reason: 'Resigned: moving to another program' }));

  const record = await openTask(handle, (t) => t.stepId === 'record-resignation');
  expect(record).toMatchObject({ roles: ['cam'], dueAt: '2028-01-11T22:00:00.000Z' });
  // Announced by e-mail: the e-mail must come with it.
  expect(await refused(handle, record.id, 'recorded', 'carla.mendes', { announcedVia: 'email', announcedOn: '2028-01-07', leavingOn: '2028-02-28' })).toBe('form does not match: /email is required');
  // Only 20 days' notice: the CAM agrees a later date with the partner and records it again.
  await decide(handle, 'record-resignation', 'recorded', 'carla.mendes', { form: { announcedVia: 'email', announcedOn: '2028-01-07', leavingOn: '2028-01-27', email: 'Message-ID <bye@leaving-resell.example>' } });
  const tooShort = await decide(handle, 'notice-too-short', 'agreed-later-date', 'carla.mendes');
  expect(tooShort.title).toBe("Leaving Resell's leaving date 2028-01-27 is less than 30 days after its announcement on 2028-01-07");
  await decide(handle, 'record-resignation', 'recorded', 'carla.mendes', { form: { announcedVia: 'email', announcedOn: '2028-01-07', leavingOn: '2028-02-15', email: 'Message-ID <bye@leaving-resell.example>' } });

  // The programme lead oversees the step; the CAM cannot accept it for them.
  const oversee = await openTask(handle, (t) => t.stepId === 'oversee-resignation');
  expect(oversee).toMatchObject({ roles: ['programme-lead'], title: "Accept Leaving Resell's resignation: announced by email on 2028-01-07, leaving on 2028-02-15" });
  expect(await refused(handle, oversee.id, 'accepted', 'carla.mendes')).toBe(`role 'cam' may not decide task '${oversee.id}'; it is assigned to programme-lead`);
  await decide(handle, 'oversee-resignation', 'accepted', 'thomas.young');

  await openTask(handle, (t) => t.stepId === 'update-quickbase');
  // No notice goes to a partner who resigned; Sales Ops hear of it, with the leaving date.
  expect(sent().map((m) => [m.to, m.subject])).toEqual([['sales-ops@company.example', 'Reseller off-boarding: Leaving Resell']]);
  expect(sent()[0].text).toContain('leaves the reseller program on Tuesday 15 February 2028');
  // The 30 days run from the announcement.
  expect((await state(handle)).deadlines.find((d) => d.name === 'settle-by')?.at).toBe('2028-02-06T05:00:00.000Z');

  await decide(handle, 'update-quickbase', 'confirm', 'omar.haddad', { form: QUICKBASE_DONE });
  await decide(handle, 'open-orders', 'open-orders', 'priya.nair', { comment: 'Order 5531 (12 seats) not invoiced' });
  const payOut = await decide(handle, 'pay-out', 'paid', 'priya.nair');
  expect(payOut).toMatchObject({ title: 'Pay and close every open and pending payout of Leaving Resell (0 in PartnerStack, and its open orders)', instructions: 'Open orders: Order 5531 (12 seats) not invoiced' });
  await decide(handle, 'hand-off-to-portal', 'handed-over', 'priya.nair');
  await decide(handle, 'deactivate-links', 'deactivated', 'tom.becker');
  await decide(handle, 'confirm-delete', 'confirm-delete', 'tom.becker');

  expect(await handle.result()).toMatchObject({ status: 'completed', reason: 'Leaving Resell off-boarded' });
  expect(licences()).toEqual(SUSPENDED);
  expect(archived(partner.key)).toBe(true);
  expect(await asked(handle)).toEqual([
    'record-resignation: assigned to cam',
    'notice-too-short: assigned to cam',
    'record-resignation: assigned to cam',
    'oversee-resignation: assigned to programme-lead',
    'update-quickbase: assigned to sales-ops',
    'open-orders: assigned to car',
    'pay-out: assigned to car',
    'hand-off-to-portal: assigned to car',
    'deactivate-links: assigned to portal-admin',
    'confirm-delete: assigned to portal-admin',
  ]);
});

it('nothing owed on the beta portal: CAR hands over at once, and a delete the administrator does not confirm archives nothing', async () => {
  await skipTo('2028-03-01T15:00:00Z'); // Wednesday 1 Mar 2028
  const partner = partnerstack.seedPartner({ email: 'quiet@small-resell.example' });
  const handle = await startProcess(running.client, definition, input(partner, { partnerName: 'Small Resell', requestedOn: '2028-03-01' }));

  await decide(handle, 'legal-review', 'send-notice', 'carla.mendes');
  await decide(handle, 'update-quickbase', 'confirm', 'omar.haddad', { form: QUICKBASE_DONE });
  // Salesforce has no account under the partner's name yet: the CAM (the incident role) has it put right, and retries.
  const incident = await openTask(handle, (t) => t.kind === 'incident');
  expect(incident).toMatchObject({ stepId: 'find-salesforce-account', roles: ['cam'] });
  expect(incident.title).toContain('result.found');
  const licences = seedSalesforceAccount('Small Resell');
  await decide(handle, 'find-salesforce-account', 'retry', 'carla.mendes');
  const orders = await decide(handle, 'open-orders', 'no-open-orders', 'priya.nair');
  expect(orders.instructions).toContain('PartnerStack holds 0 open or pending commissions');
  // Nothing owed: no payout task, straight to the portal.
  await decide(handle, 'hand-off-to-portal', 'handed-over', 'priya.nair');
  await decide(handle, 'deactivate-links', 'deactivated', 'tom.becker');
  await decide(handle, 'confirm-delete', 'keep-partner', 'tom.becker', { comment: 'Selected the wrong row; starting again for the right partner' });

  expect(await handle.result()).toMatchObject({ status: 'cancelled', reason: 'the portal administrator kept Small Resell in the partner portal' });
  expect(archived(partner.key)).toBe(false);
  expect(licences()).toEqual(SUSPENDED);
  expect((await asked(handle)).map((line) => line.split(':')[0])).toEqual([
    'legal-review', 'update-quickbase', 'find-salesforce-account', 'open-orders', 'hand-off-to-portal', 'deactivate-links', 'confirm-delete',
  ]);
  expect(sent().map((m) => m.to)).toEqual(['quiet@small-resell.example', 'sales-ops@company.example']);
});

it('asked to leave with a 30-day notice: the window opens when the notice goes out, which names the last day; a payout still open goes back to CAR; only that partner is archived', async () => {
  // Friday 13 Oct 2028, 16:00 EDT. The 30 days end on Sunday 12 Nov, a week after DST ends (5 Nov).
  await skipTo('2028-10-13T20:00:00Z');
  const partner = partnerstack.seedPartner({ email: 'owner@acme-resell.example', firstName: 'Ada' });
  const bystander = partnerstack.seedPartner({ email: 'owner@other-resell.example', firstName: 'Bo' });
  const licences = seedSalesforceAccount('Acme Resell');
  partnerstack.seedReward({ partnerKey: partner.key, amount: 125_000, status: 'pending' });
  partnerstack.seedReward({ partnerKey: partner.key, amount: 40_000, status: 'pending' });
  partnerstack.seedReward({ partnerKey: bystander.key, amount: 9_900, status: 'pending' });

  const handle = await startProcess(running.client, definition, input(partner, { requestedOn: '2028-10-13' }));
  expect(handle.workflowId).toBe(`reseller-offboarding/${partner.key}`);

  // Step 2 is due by the first business day after the request: the end of Monday, across the weekend.
  const legal = await openTask(handle, (t) => t.stepId === 'legal-review');
  expect(legal).toMatchObject({ roles: ['cam'], title: 'Is legal action required against Acme Resell?', dueAt: '2028-10-16T21:00:00.000Z', breached: false });
  // Sales Ops may not answer the CAM's question.
  expect(await refused(handle, legal.id, 'send-notice', 'omar.haddad')).toBe(`role 'sales-ops' may not decide task '${legal.id}'; it is assigned to cam`);
  expect((await state(handle)).openTasks.map((t) => t.id)).toEqual([legal.id]);
  // The CAM was e-mailed about it: the directory's holders of the role, nobody else.
  expect(await notified(handle, legal.id)).toBe('opened: e-mailed carla.mendes');
  await decide(handle, 'legal-review', 'send-notice', 'carla.mendes');

  await openTask(handle, (t) => t.stepId === 'update-quickbase');
  expect(sent().map((m) => [m.to, m.subject])).toEqual([
    ['owner@acme-resell.example', '30-day end-of-date notice: your reseller participation ends on Sunday 12 November 2028'],
    ['sales-ops@company.example', 'Reseller off-boarding: Acme Resell'],
  ]);
  expect(sent()[1].text).toContain('leaves the reseller program on Sunday 12 November 2028. Reason for removal: Revenue below the program minimum.');
  // 30 calendar days from the day the notice went out, at midnight New York time (EST by then).
  const settleBy = (await state(handle)).deadlines.find((d) => d.name === 'settle-by')!;
  expect(settleBy.at).toBe('2028-11-12T05:00:00.000Z');

  const checklist = await decide(handle, 'update-quickbase', 'confirm', 'omar.haddad', { form: QUICKBASE_DONE });
  expect(checklist).toMatchObject({ roles: ['sales-ops'], title: `Update QuickBase for Acme Resell (${partner.key}): reason for removal "Revenue below the program minimum", off-board date 2028-11-12` });
  const orders = await decide(handle, 'open-orders', 'no-open-orders', 'priya.nair');
  expect(orders.instructions).toContain('PartnerStack holds 2 open or pending commissions (1650 in total)');

  const payOut = await openTask(handle, (t) => t.stepId === 'pay-out');
  expect(payOut).toMatchObject({ roles: ['car'], dueAt: settleBy.at, title: 'Pay and close every open and pending payout of Acme Resell (2 in PartnerStack)' });
  const searchable = (await handle.describe()).typedSearchAttributes;
  expect(searchable.get(searchAttributes.stage)).toBe('settlement');
  expect(searchable.get(searchAttributes.openTaskRoles)).toEqual(['car']);
  expect(searchable.get(searchAttributes.businessKey)).toBe(partner.key);

  // Nobody pays until three business days before the deadline: reminders, then the CAM is brought in.
  const escalation = subtractBusinessDays(definition.calendars.us, new Date(settleBy.at), 3).getTime();
  await env.sleep(escalation - (await env.currentTimeMs()) + 60_000);
  const escalated = await openTask(handle, (t) => t.id === payOut.id && t.escalatedTo !== undefined);
  expect(escalated).toMatchObject({ roles: ['car', 'cam'], escalatedTo: 'cam', breached: false });
  expect(escalated.reminders).toBeGreaterThanOrEqual(3);
  expect((await state(handle)).openTasks.map((t) => t.id)).toEqual([payOut.id]);

  // CAR says "paid" with one payout still pending in PartnerStack: verification sends it back to CAR.
  partnerstack.state().rewards.filter((r) => r.partnership.key === partner.key)[0].reward_status = 'paid';
  await decide(handle, 'pay-out', 'paid', 'priya.nair');
  const again = await openTask(handle, (t) => t.stepId === 'pay-out' && t.id !== payOut.id);
  // A CAR task again, not an incident; within three business days of the deadline the CAM is in at once.
  expect(again).toMatchObject({ kind: 'task', roles: ['car', 'cam'], escalatedTo: 'cam', title: 'Pay and close every open and pending payout of Acme Resell (1 in PartnerStack)' });
  expect((await state(handle)).openTasks.filter((t) => t.kind === 'incident')).toEqual([]);
  partnerstack.state().rewards.filter((r) => r.partnership.key === partner.key).forEach((r) => (r.reward_status = 'paid'));
  await decide(handle, 'pay-out', 'paid', 'priya.nair');

  await decide(handle, 'hand-off-to-portal', 'handed-over', 'priya.nair');
  expect((await state(handle)).stage).toBe('partner-portal');
  const links = await decide(handle, 'deactivate-links', 'deactivated', 'tom.becker');
  expect(links.instructions).toContain('Partners → Partners tab → tick Acme Resell (owner@acme-resell.example) → Actions → Deactivate Partner Links');
  expect(archived(partner.key)).toBe(false); // nothing is archived before the delete is confirmed
  const confirm = await decide(handle, 'confirm-delete', 'confirm-delete', 'tom.becker');
  expect(confirm.title).toBe(`Confirm deleting Acme Resell (${partner.key}, owner@acme-resell.example) from the partner portal`);

  expect(await handle.result()).toMatchObject({ status: 'completed', reason: 'Acme Resell off-boarded' });
  expect(licences()).toEqual(SUSPENDED);
  expect(archived(partner.key)).toBe(true);
  expect(archived(bystander.key)).toBe(false);
  expect(partnerstack.state().rewards.find((r) => r.partnership.key === bystander.key)?.reward_status).toBe('pending');
  expect(await asked(handle)).toEqual([
    'legal-review: assigned to cam',
    'update-quickbase: assigned to sales-ops',
    'open-orders: assigned to car',
    'pay-out: assigned to car',
    'pay-out: assigned to car',
    'hand-off-to-portal: assigned to car',
    'deactivate-links: assigned to portal-admin',
    'confirm-delete: assigned to portal-admin',
  ]);
  expect(await decisions(handle)).toEqual([
    'carla.mendes:send-notice', 'omar.haddad:confirm', 'priya.nair:no-open-orders',
    'priya.nair:paid', 'priya.nair:paid', 'priya.nair:handed-over', 'tom.becker:deactivated', 'tom.becker:confirm-delete',
  ]);
});

it('refuses an unknown partner key at start, before anyone is asked or anything is sent', async () => {
  const known = partnerstack.seedPartner({ email: 'owner@known.example' });
  const today = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);

  const unknown = await startProcess(running.client, definition, input({ key: 'part_doesnotexist', email: 'owner@known.example' }, { requestedOn: today }));
  expect(await unknown.result()).toMatchObject({
    status: 'rejected',
    reason: 'part_doesnotexist is not an active PartnerStack partner with the e-mail owner@known.example; check the key and the e-mail, then start again',
  });
  const trail = await state(unknown);
  expect(trail.stage).toBe('request');
  expect(await asked(unknown)).toEqual([]);
  expect(sent()).toEqual([]);
  expect(archived(known.key)).toBe(false);

  // A partner already archived (removed from the program) is not in the program either.
  const gone = partnerstack.seedPartner({ email: 'owner@gone.example' });
  partnerstack.archivePartner(gone.key);
  const again = await startProcess(running.client, definition, input(gone, { requestedOn: today }));
  expect(await again.result()).toMatchObject({ status: 'rejected' });
  expect(await asked(again)).toEqual([]);
});

it('refuses at start a CAM who is not in the people directory, or who does not hold the CAM role, naming the field', async () => {
  const partner = partnerstack.seedPartner({ email: 'owner@cam-check.example' });
  const today = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);
  const refusal = (cam: string) => startProcess(running.client, definition, input(partner, { requestedOn: today, cam })).catch((e: unknown) => e);

  expect(await refusal('carl.nobody')).toMatchObject({
    name: 'InvalidInputError',
    problems: [{ field: 'cam', message: "'carl.nobody' is nobody in the people directory; use a person id such as carla.mendes" }],
  });
  expect(await refusal('omar.haddad')).toMatchObject({
    problems: [{ field: 'cam', message: "omar.haddad does not hold the role 'cam' in the people directory (their roles: sales-ops)" }],
  });
  // Nothing started: no instance holds the partner's key.
  await expect(running.client.workflow.getHandle(`reseller-offboarding/${partner.key}`).describe()).rejects.toThrow();
});
