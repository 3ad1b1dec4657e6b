/**
 * The reseller off-boarding procedure (seed 003) walked end to end on the time-skipping server, with the
 * shipped definition and the PartnerStack and SMTP fakes: notice e-mail, Sales Ops checklist, payouts held
 * to "within 30 calendar days of notice" with reminders and an escalation that leaves the task open,
 * verification, and removal from the partner portal.
 */
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { EmailFake } from '../fakes/email/fake';
import type { PartnerStackFake } from '../fakes/partnerstack/fake';
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import { subtractBusinessDays } from '../dsl/calendar';
import type { CompiledDefinition } from '../dsl/compile';
import { decideUpdate, searchAttributes } from '../workflows/messages';
import { openTask, person, state, waitFor } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let env: TestWorkflowEnvironment;
let definition: CompiledDefinition;

beforeAll(async () => {
  [running, definition] = await Promise.all([startTimeSkippingWorker(), loadRegistry().then((r) => r.get('reseller-offboarding')!)]);
  env = running.env;
}, 180_000);

afterAll(() => running?.stop());

it('off-boards a partner asked to leave: notice, internal systems, payouts within 30 days of notice, portal removal', async () => {
  const partnerstack = running.fake<PartnerStackFake>('partnerstack');
  const smtp = running.fake<EmailFake>('email');
  const partner = partnerstack.seedPartner({ email: 'owner@acme-resell.example', firstName: 'Ada' });
  partnerstack.seedReward({ partnerKey: partner.key, amount: 1250, status: 'pending' });
  const noticeDate = new Date(await env.currentTimeMs()).toISOString().slice(0, 10);

  const handle = await startProcess(running.client, definition, {
    partnerKey: partner.key,
    partnerName: 'Acme Resell',
    partnerEmail: 'owner@acme-resell.example',
    requestedBy: 'company',
    noticeDate,
    salesOpsEmail: 'sales-ops@company.example',
  });
  expect(handle.workflowId).toBe(`reseller-offboarding/${partner.key}`);

  const legal = await openTask(handle, (t) => t.stepId === 'legal-review');
  expect(legal).toMatchObject({ roles: ['cam'], title: 'Is legal action required against Acme Resell?' });
  // Only a CAM decides: Sales Ops (Omar) is refused and nothing is recorded.
  const refused = await handle
    .executeUpdate(decideUpdate, { args: [{ taskId: legal.id, outcome: 'send-notice', actor: person('omar.haddad') }] })
    .catch((e: Error) => (e.cause as Error | undefined)?.message);
  expect(refused).toBe(`role 'sales-ops' may not decide task '${legal.id}'; it is assigned to cam`);
  expect((await state(handle)).audit.filter((e) => e.event === 'decision')).toEqual([]);
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: legal.id, outcome: 'send-notice', actor: person('carla.mendes') }] });

  const checklist = await openTask(handle, (t) => t.stepId === 'update-quickbase');
  await waitFor(() => smtp.messages.length === 4);
  // The process's own e-mails, in order, between the task notifications sent to the people of each role.
  expect(smtp.messages.map((m) => [m.to, m.subject])).toEqual([
    ['carla.mendes@example.com', 'New task: Is legal action required against Acme Resell?'],
    ['owner@acme-resell.example', '30-day end-of-date notice'],
    ['sales-ops@company.example', 'Reseller off-boarding: Acme Resell'],
    ['omar.haddad@example.com', 'New task: Update QuickBase for Acme Resell'],
  ]);
  const done = { ok: true };
  await handle.executeUpdate(decideUpdate, {
    args: [{ taskId: checklist.id, outcome: 'confirm', actor: person('omar.haddad'), form: { status: done, 'opted-out': done, 'distribution-group': done, 'landing-pages': done } }],
  });
  const license = await openTask(handle, (t) => t.stepId === 'suspend-license');
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: license.id, outcome: 'suspended', actor: person('omar.haddad') }] });

  const payOut = await openTask(handle, (t) => t.stepId === 'pay-out');
  const settleBy = (await state(handle)).deadlines.find((d) => d.name === 'settle-by')!;
  expect(payOut).toMatchObject({ roles: ['car'], dueAt: settleBy.at, title: 'Pay and close every open and pending payout of Acme Resell (1)' });
  expect(Date.parse(settleBy.at) - Date.parse(`${noticeDate}T00:00:00-05:00`)).toBeLessThanOrEqual(30 * 86_400_000 + 3_600_000);
  const searchable = (await handle.describe()).typedSearchAttributes;
  expect(searchable.get(searchAttributes.stage)).toBe('settlement');
  expect(searchable.get(searchAttributes.openTaskRoles)).toEqual(['car']);
  expect(searchable.get(searchAttributes.nextDeadline)?.toISOString()).toBe(settleBy.at);
  expect(searchable.get(searchAttributes.businessKey)).toBe(partner.key);

  // Nobody pays until three business days before the deadline: reminders, then the CAM is brought in.
  const escalation = subtractBusinessDays(definition.calendars.us, new Date(settleBy.at), 3).getTime();
  await env.sleep(escalation - (await env.currentTimeMs()) + 60_000);
  const waiting = await state(handle);
  expect(waiting.stage).toBe('settlement');
  expect(waiting.openTasks).toEqual([expect.objectContaining({ id: payOut.id, roles: ['car', 'cam'], escalatedTo: 'cam', breached: false })]);
  expect(waiting.openTasks[0].reminders).toBeGreaterThanOrEqual(3);

  partnerstack.state().rewards.forEach((reward) => (reward.reward_status = 'paid'));
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: payOut.id, outcome: 'paid', actor: person('priya.nair') }] });

  const links = await openTask(handle, (t) => t.stepId === 'deactivate-links');
  expect((await state(handle)).stage).toBe('partner-portal');
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: links.id, outcome: 'deactivated', actor: person('tom.becker') }] });

  expect(await handle.result()).toMatchObject({ status: 'completed', reason: 'Acme Resell off-boarded' });
  expect(partnerstack.state().archived).toContain(partner.key);
  const trail = (await state(handle)).audit;
  expect(trail.filter((e) => e.event === 'decision').map((e) => `${e.actor}:${e.outcome}`)).toEqual([
    'carla.mendes:send-notice', 'omar.haddad:confirm', 'omar.haddad:suspended', 'priya.nair:paid', 'tom.becker:deactivated',
  ]);
});
