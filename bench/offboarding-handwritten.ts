/**
 * The benchmark's baseline: the opening of definitions/reseller-offboarding.yaml, on the path the company
 * takes (requestedBy: company, outcome send-notice), written by hand as a Temporal workflow with the same
 * shape as the interpreter's run of it:
 *
 *   stage request → partnerstack.findPartner → stage notice, task legal-review (notify activity, a timer
 *   on its first-business-day deadline, OpenTaskRoles/NextDeadline upserted) → decision through a
 *   validated update → email.send (the notice) → email.send (Sales Ops) → stage internal-systems, the
 *   update-quickbase checklist (notify activity, a timer on its same-business-day due date).
 *
 * It parks there, as the interpreter's instance does; the benchmark terminates both. The calendar snapshot
 * comes in the input (a hand-written workflow must carry its holiday data somewhere too).
 */
import { condition, defineUpdate, proxyActivities, setHandler, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import { endOfBusinessDay, endOfNextBusinessDay, startOfLocalDay, type CalendarSnapshot } from '../dsl/calendar';
import { API_CALL_TIMEOUT, HEARTBEAT_TIMEOUT } from '../workflows/actions';
import { decideUpdate, searchAttributes, type Decision, type DecisionReceipt } from '../workflows/messages';

export interface HandwrittenInput {
  partnerKey: string;
  partnerName: string;
  partnerEmail: string;
  requestedOn: string;
  requestedBy: 'partner' | 'company';
  reason: string;
  salesOpsEmail: string;
  calendar: CalendarSnapshot;
}

type Call = (input: unknown) => Promise<any>; // eslint-disable-line @typescript-eslint/no-explicit-any
// The interpreter's timeouts (workflows/actions.ts): an attempt lost on a loaded server is retried within seconds, not a minute.
const act = proxyActivities<Record<'partnerstack.findPartner' | 'email.send' | 'notify', Call>>({ startToCloseTimeout: API_CALL_TIMEOUT, heartbeatTimeout: HEARTBEAT_TIMEOUT });

export const decide = defineUpdate<DecisionReceipt, [Decision]>(decideUpdate.name);

export async function handwrittenOffboarding(input: HandwrittenInput): Promise<string> {
  let open: { id: string; role: string; outcomes: string[] } | undefined;
  let decided: Decision | undefined;
  setHandler(decide, (d) => ((decided = d), { taskId: d.taskId, outcome: d.outcome, at: new Date().toISOString() }), {
    validator: (d) => {
      if (!open || decided || d.taskId !== open.id) throw new Error(`task '${d.taskId}' is not open`);
      if (!d.actor.roles.includes(open.role)) throw new Error(`only a ${open.role} may decide`);
      if (!open.outcomes.includes(d.outcome)) throw new Error(`unknown outcome '${d.outcome}'`);
    },
  });

  upsertSearchAttributes([{ key: searchAttributes.stage, value: 'request' }]);
  const found = await act['partnerstack.findPartner']({ email: input.partnerEmail });
  if (!(found.found && found.partner.key === input.partnerKey && !found.partner.archived)) return 'rejected';
  if (input.requestedBy !== 'company') throw new Error('the baseline follows the company path only');

  // legal-review: a task with a deadline timer, its assignees e-mailed alongside.
  const dueAt = endOfNextBusinessDay(input.calendar, startOfLocalDay(input.calendar, input.requestedOn));
  open = { id: 'legal-review#1', role: 'cam', outcomes: ['legal-action', 'send-notice'] };
  void act.notify({ roles: ['cam'], task: { kind: 'opened', taskId: open.id, title: `Is legal action required against ${input.partnerName}?`, dueAt: dueAt.toISOString() } });
  upsertSearchAttributes([
    { key: searchAttributes.stage, value: 'notice' },
    { key: searchAttributes.openTaskRoles, value: ['cam'] },
    { key: searchAttributes.nextDeadline, value: dueAt },
  ]);
  const breach = sleep(Math.max(0, dueAt.getTime() - Date.now()));
  void breach.catch(() => undefined);
  await condition(() => decided !== undefined);
  open = undefined;
  if (decided!.outcome !== 'send-notice') throw new Error('the baseline follows the send-notice path only');

  const offboardDate = new Date(Date.now() + 30 * 86_400_000).toISOString().slice(0, 10);
  upsertSearchAttributes([{ key: searchAttributes.openTaskRoles, value: null }, { key: searchAttributes.nextDeadline, value: null }]);
  await act['email.send']({ to: input.partnerEmail, subject: `30-day end-of-date notice: your reseller participation ends on ${offboardDate}`, text: `Dear ${input.partnerName}, ...` });
  await act['email.send']({ to: input.salesOpsEmail, subject: `Reseller off-boarding: ${input.partnerName}`, text: `${input.partnerName} (${input.partnerKey}) leaves on ${offboardDate}. Reason: ${input.reason}.` });

  // update-quickbase: a checklist due the same business day, where the instance parks.
  const checklistDue = endOfBusinessDay(input.calendar, new Date());
  void act.notify({ roles: ['sales-ops'], task: { kind: 'opened', taskId: 'update-quickbase#1', title: `Update QuickBase for ${input.partnerName}`, dueAt: checklistDue.toISOString() } });
  upsertSearchAttributes([
    { key: searchAttributes.stage, value: 'internal-systems' },
    { key: searchAttributes.openTaskRoles, value: ['sales-ops'] },
    { key: searchAttributes.nextDeadline, value: checklistDue },
  ]);
  await sleep(Math.max(0, checklistDue.getTime() - Date.now()));
  await condition(() => false);
  return 'completed';
}
