/**
 * The short version of `npm run chaos` (scripts/chaos.ts): a few instances driven with decisions and
 * events while workers are killed with SIGKILL, the dev server restarted once and a fifth of vendor calls
 * answered 429 or 503. Nothing is lost, no vendor record is made twice, and an e-mail that went twice is
 * one the audit says may have.
 */
import { formatReport, runChaos } from '../scripts/chaos';

it('loses no instance and duplicates no record through worker kills, a server restart and vendor faults', async () => {
  const report = await runChaos({ instances: 4, kills: 2, faultRate: 0.2, timeoutMs: 120_000 });
  console.log(formatReport(report));
  expect(report).toMatchObject({ started: 4, completed: 4, lost: [], duplicateRecords: { hubspot: 0 } });
  expect(report.duplicateEmails).toBeLessThanOrEqual(report.flaggedEmails);
  expect(report.recoveries).toHaveLength(2);
  for (const recovery of report.recoveries) expect(recovery.backPollingMs).toBeLessThan(60_000);
}, 420_000);
