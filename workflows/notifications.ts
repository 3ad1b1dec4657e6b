/**
 * E-mails about tasks: when a task, checklist or review opens, is reminded or is escalated, the holders of
 * its role are told through the `notify` activity (which looks them up in the people directory and sends
 * through the e-mail connector). Sent alongside the task, never holding it up: the task is open whether or
 * not the e-mail goes out, and the audit trail says who was e-mailed, or that sending failed.
 */
import { patched, proxyActivities } from '@temporalio/workflow';
import type { NotifyInput, NotifyResult } from '../activities/notify';
import type { BusinessRun } from '../activities/shared/bind';
import { businessRun, EMAIL_TIMEOUT, HEARTBEAT_TIMEOUT } from './actions';
import { now } from './clock';
import type { AuditEntry, OpenTask } from './messages';

/** Instances started before notifications existed schedule no e-mail activities, as they did then. */
const TASK_NOTIFICATIONS = 'task-notifications';

export type Notifier = { notify(input: NotifyInput): Promise<NotifyResult> };

/** The `notify` activity under a fixed activity id, so each notification has its own stable Message-ID. */
export function notifier(activityId: string): Notifier {
  // Bounded overall: an e-mail that cannot go out within the hour is recorded as failed, never waited on for ever.
  const activities = proxyActivities<{ notify(input: NotifyInput, run: BusinessRun): Promise<NotifyResult> }>({
    activityId,
    startToCloseTimeout: EMAIL_TIMEOUT,
    heartbeatTimeout: HEARTBEAT_TIMEOUT,
    scheduleToCloseTimeout: '1 hour',
    retry: { maximumAttempts: 5, initialInterval: '5 seconds' },
  });
  return { notify: (input) => activities.notify(input, businessRun()) };
}

/** Where notifications are recorded: the audit trail, and the sends still under way (awaited before the instance ends). */
export interface NotificationLog {
  readonly audit: AuditEntry[];
  readonly notifying: Promise<unknown>[];
}

export function notifyTask(log: NotificationLog, kind: 'opened' | 'reminder' | 'escalated', task: OpenTask, roles: string[], activityId: string): void {
  if (!patched(TASK_NOTIFICATIONS)) return;
  const { audit } = log;
  const input: NotifyInput = { roles, task: { kind, taskId: task.id, title: task.title, instructions: task.instructions, dueAt: task.dueAt } };
  const sending = notifier(activityId)
    .notify(input)
    .then(
      (result) => audit.push({ at: now(), event: 'notified', stepId: task.stepId, taskId: task.id, detail: notifiedDetail(kind, roles, result) }),
      (err: Error) => audit.push({ at: now(), event: 'notified', stepId: task.stepId, taskId: task.id, detail: `${kind}: e-mail to ${roles.join(', ')} failed: ${err.cause instanceof Error ? err.cause.message : err.message}` }),
    );
  log.notifying.push(sending);
}

/** Waits for every e-mail still being sent, so an instance never ends (or continues as new) with one under way. */
export async function notificationsSent(log: NotificationLog): Promise<void> {
  while (log.notifying.length) await Promise.all(log.notifying.splice(0));
}

export function notifiedDetail(kind: string, roles: string[], { to, possibleDuplicate, messageId }: NotifyResult): string {
  if (!to.length) return `${kind}: nobody in the people directory holds ${roles.join(', ')}`;
  return `${kind}: e-mailed ${to.join(', ')}${possibleDuplicate ? ` (${possibleDuplicateNote(messageId)})` : ''}`;
}

/** What the audit says when SMTP cannot tell whether an e-mail went out before its attempt was lost. */
export const POSSIBLE_DUPLICATE = 'may have been sent twice: an earlier attempt was lost while sending, and SMTP cannot tell whether it went out';

/**
 * The flag with the e-mail's Message-ID (a hash of the step's idempotency key, no personal data), so a
 * duplicate the recipient or the mail server holds can be matched to the instance that flagged it.
 */
export function possibleDuplicateNote(messageId: string | undefined): string {
  return messageId ? `${POSSIBLE_DUPLICATE} (Message-ID ${messageId})` : POSSIBLE_DUPLICATE;
}
