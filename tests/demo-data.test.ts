/**
 * The demo data set `npm start` loads into its fakes on the first start (fakes/demo.ts) is enough to walk
 * each shipped process: the off-boarding finds the demo partner active in PartnerStack, and the service
 * amendment's automatic KYC checks pass on the demo customer in HubSpot, so only people's items are asked.
 */
import { loadRegistry } from '../client/definitions';
import { startProcess } from '../client/processes';
import { describeDemo, loadDemoData, type DemoData } from '../fakes/demo';
import { decideUpdate } from '../workflows/messages';
import { openTask, person, state, terminateWhenIdle } from './support/processes';
import { startTimeSkippingWorker, type RunningWorker } from './support/worker';

let running: RunningWorker;
let demo: Partial<DemoData>;

beforeAll(async () => {
  running = await startTimeSkippingWorker();
  demo = await loadDemoData(running.sandbox);
}, 120_000);

afterAll(async () => {
  await running?.stop();
});

it('prints the ids a user starts each process with', () => {
  const lines = describeDemo(demo);
  expect(lines).toHaveLength(3);
  expect(lines[0]).toMatch(/^demo partner Acme Resellers: partnerKey part_\w+, partnerEmail ops@acme-resellers.example, owed 1250.00 USD \(rwrd_\w+\)$/);
  expect(lines[1]).toMatch(/^demo partner Bright Partners: partnerKey part_\w+, partnerEmail hello@bright-partners.example, nothing owed$/);
  expect(lines[2]).toMatch(/^demo service amendment: ticketId \d+, companyId \d+, dealId \d+ \(contact ada@acme.example\)$/);
});

it('walks the off-boarding of the demo partner past the PartnerStack check to its first task', async () => {
  const definition = (await loadRegistry()).get('reseller-offboarding')!;
  const acme = demo.partners![0];
  const handle = await startProcess(running.client, definition, {
    partnerKey: acme.key, partnerName: acme.name, partnerEmail: acme.email, cam: 'carla.mendes',
    requestedOn: '2026-12-01', requestedBy: 'partner', reason: 'Leaving the programme', salesOpsEmail: 'salesops@example.com',
  });
  const task = await openTask(handle);
  const { audit, status } = await state(handle);
  expect(status).toBe('running');
  expect(audit.filter((e) => e.event === 'failed' || e.event === 'ended')).toEqual([]);
  expect(task.stepId).not.toBe('check-partner');
  await terminateWhenIdle(handle);
});

it('walks the service amendment of the demo customer through its automatic KYC checks without a failed item', async () => {
  const definition = (await loadRegistry()).get('service-amendment')!;
  const { ticketId, companyId, dealId } = demo.serviceAmendment!;
  const handle = await startProcess(running.client, definition, { ticketId, companyId, dealId });
  const prepare = await openTask(handle, (t) => t.stepId === 'prepare');
  await handle.executeUpdate(decideUpdate, { args: [{ taskId: prepare.id, outcome: 'submitted', actor: person('sam.lee') }] });
  const checklist = await openTask(handle, (t) => t.stepId === 'kyc-checklist');
  expect(checklist.form).toMatchObject({ required: ['identity-match', 'csr106', 'signed-sof', 'deposit'] });
  expect((await state(handle)).audit.filter((e) => e.event === 'failed' || e.event === 'item-failed')).toEqual([]);
  await terminateWhenIdle(handle);
});
