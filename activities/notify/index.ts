/**
 * The `notify` activity: tells people about their work by e-mail. It takes a role (or roles) or an
 * address, resolves the role's holders in the people directory (workflows cannot read files, so the
 * lookup happens here), and sends one e-mail through the e-mail connector's client.
 *
 * Task notifications (a task, checklist or review opened, reminded or escalated) carry the task's title,
 * its due time and a link to it in the inbox: `INBOX_URL` (default http://127.0.0.1:4100) +
 * `/tasks/<workflowId>/<taskId>`. The Message-ID is fixed per step of the business run, so a retried send is
 * the same e-mail, and a retry after a lost attempt sends nothing once it is known to have gone (send-once.ts). Returns who was e-mailed, for the audit trail (ids only, never addresses).
 */
import { Context } from '@temporalio/activity';
import { z } from 'zod';
import type { Directory } from '../../directory/model';
import type { EmailClient } from '../email/client';
import { bindActions, type ActivityFunction } from '../shared/bind';
import { defineAction } from '../shared/action';
import { sendOnce } from '../email/send-once';

export const DEFAULT_INBOX_URL = 'http://127.0.0.1:4100';

const TaskNotice = z.object({
  kind: z.enum(['opened', 'reminder', 'escalated']),
  taskId: z.string().min(1),
  title: z.string().min(1),
  instructions: z.string().optional(),
  dueAt: z.string().optional(),
});

export const NotifyInput = z
  .object({
    roles: z.array(z.string().min(1)).optional(),
    address: z.email().optional(),
    /** A task notification: subject and text are written from the task. */
    task: TaskNotice.optional(),
    /** A definition's own message (`notify:` step), already rendered by the workflow. */
    subject: z.string().min(1).optional(),
    text: z.string().optional(),
  })
  .refine((n) => (n.roles === undefined) !== (n.address === undefined), { message: 'give either roles or an address', path: ['roles'] })
  .refine((n) => n.task !== undefined || n.subject !== undefined, { message: 'a message needs a subject', path: ['subject'] });
export type NotifyInput = z.infer<typeof NotifyInput>;

export interface NotifyResult {
  /** Directory ids of the people e-mailed (or the address, for a message to an address). */
  to: string[];
  /** An earlier attempt was lost while sending: they may have the e-mail twice (send-once.ts). */
  possibleDuplicate?: true;
  /** The e-mail's Message-ID, given with `possibleDuplicate` so the audit names the e-mail that may repeat. */
  messageId?: string;
}

export interface NotifyDependencies {
  email: EmailClient;
  directory: Directory;
  inboxUrl?: string;
}

const SUBJECT: Record<z.infer<typeof TaskNotice>['kind'], string> = {
  opened: 'New task',
  reminder: 'Reminder',
  escalated: 'Escalated to you',
};

export const notify = defineAction({
  name: 'notify',
  description: 'E-mail the holders of a role (from the people directory) or an address about a task or with a message',
  input: NotifyInput,
  mutates: true,
  async run({ email, directory, inboxUrl }: NotifyDependencies, input, context): Promise<NotifyResult> {
    const people = input.roles ? [...new Map(input.roles.flatMap((role) => directory.holders(role)).map((p) => [p.id, p])).values()] : [];
    const to = input.address ? [input.address] : people.map((p) => p.email);
    if (to.length === 0) return { to: [] };
    const { subject, text } = input.task ? taskMessage(input.task, inboxUrl ?? DEFAULT_INBOX_URL) : { subject: input.subject!, text: input.text ?? '' };
    const sent = await sendOnce(email, 'notify', { to, subject, text, messageId: email.messageIdFor(context.idempotencyKey) }, context);
    return { to: input.address ? [input.address] : people.map((p) => p.id), ...(sent.possibleDuplicate ? { possibleDuplicate: true as const, messageId: sent.messageId } : {}) };
  },
});

function taskMessage(task: z.infer<typeof TaskNotice>, inboxUrl: string): { subject: string; text: string } {
  const workflowId = Context.current().info.workflowExecution?.workflowId ?? 'standalone';
  const link = `${inboxUrl.replace(/\/+$/, '')}/tasks/${encodeURIComponent(workflowId)}/${encodeURIComponent(task.taskId)}`;
  const lines = [
    task.title,
    '',
    `Due: ${task.dueAt ? `${task.dueAt.replace('T', ' ').replace(/\.\d+Z$/, ' UTC')}` : 'no due date'}`,
    `Open the task: ${link}`,
    ...(task.instructions ? ['', task.instructions] : []),
  ];
  return { subject: `${SUBJECT[task.kind]}: ${task.title}`, text: lines.join('\n') };
}

/** The `notify` activity, bound to the e-mail client and the directory the worker loaded. */
export function notifyActivities(dependencies: NotifyDependencies): Record<string, ActivityFunction> {
  return bindActions([notify], dependencies);
}
