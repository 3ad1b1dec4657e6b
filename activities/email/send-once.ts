/**
 * One e-mail per step, as far as SMTP lets us know. SMTP cannot be asked whether a message arrived, so the
 * activity records its progress on the Temporal server (a checkpoint, i.e. heartbeat details) just before
 * it connects and again once the server has answered, each record naming the attempt that wrote it:
 * - a retry that finds "sent" returns that answer and sends nothing (its predecessor's worker died after
 *   the e-mail went out, before Temporal heard of it);
 * - a retry that finds "not-sent" written by the attempt just before it (the server refused with a 4xx, or
 *   could not be reached) sends as if first;
 * - any other retry cannot tell whether an earlier attempt delivered the e-mail: it found "sending" (lost
 *   mid-send), a record older than the attempt before (that attempt's record never reached Temporal) or no
 *   record at all (the worker died before its first checkpoint arrived). It sends again under the same
 *   Message-ID and says so (`possibleDuplicate`), and the instance's audit trail records it. That doubt is
 *   carried in every later record, so a 4xx after a lost attempt, or a "sent" found by the next retry,
 *   still reports it.
 */
import type { SendMailOptions } from 'nodemailer';
import type { ActionContext } from '../shared/action';
import { ConnectorError } from '../shared/errors';
import type { EmailClient, SentEmail } from './client';

type Checkpoint = (
  | { email: 'sending'; messageId: string }
  | { email: 'sent'; sent: SentEmail }
  | { email: 'not-sent'; messageId: string }
) & {
  /** The attempt that wrote it (absent in records written before attempts were recorded). */
  attempt?: number;
  /** This attempt or an earlier one may have delivered the e-mail without Temporal hearing of it. */
  mayHaveGone?: true;
};

export interface SentOnce extends SentEmail {
  /** The e-mail went out in an earlier attempt whose answer was lost; nothing was sent again. */
  alreadySent?: true;
  /** An earlier attempt was lost while sending: the recipient may have this e-mail twice (same Message-ID). */
  possibleDuplicate?: true;
}

export async function sendOnce(client: EmailClient, action: string, message: SendMailOptions & { messageId: string }, context: ActionContext): Promise<SentOnce> {
  const previous = asCheckpoint(context.previous);
  const doubt = earlierMayHaveGone(previous, context.attempt) ? { mayHaveGone: true as const } : {};
  const flagged = doubt.mayHaveGone ? { possibleDuplicate: true as const } : {};
  if (previous?.email === 'sent' && previous.sent.messageId === message.messageId) return { ...previous.sent, alreadySent: true, ...flagged };
  const record = (checkpoint: Checkpoint) => context.checkpoint?.({ ...checkpoint, attempt: context.attempt, ...doubt } satisfies Checkpoint);
  record({ email: 'sending', messageId: message.messageId });
  let sent: SentEmail;
  try {
    sent = await client.send(action, message);
  } catch (err) {
    // A retryable refusal (a 4xx reply, no connection) delivered nothing: the next attempt is a first send
    // again, unless an earlier one may have delivered it (carried in `doubt`).
    const deliveredTo = (err instanceof ConnectorError ? (err.details.cause as { deliveredTo?: string[] } | undefined)?.deliveredTo : undefined) ?? [];
    if (err instanceof ConnectorError && err.details.retryable && deliveredTo.length === 0) record({ email: 'not-sent', messageId: message.messageId });
    throw err;
  }
  record({ email: 'sent', sent });
  return { ...sent, ...flagged };
}

/**
 * Whether an attempt before this one may have delivered the e-mail. Only a "not-sent" written by the
 * attempt just before, with no doubt carried, rules it out; a first attempt has no predecessor.
 */
function earlierMayHaveGone(previous: Checkpoint | undefined, attempt: number): boolean {
  if (attempt <= 1 && previous === undefined) return false;
  if (previous === undefined || previous.mayHaveGone) return true;
  if (previous.email === 'not-sent') return previous.attempt !== attempt - 1;
  // "sending": lost mid-send. "sent" is known and returned as already sent (only its carried doubt counts).
  return previous.email === 'sending';
}

function asCheckpoint(value: unknown): Checkpoint | undefined {
  const candidate = value as Partial<Checkpoint> | undefined;
  return candidate && typeof candidate === 'object' && ['sending', 'sent', 'not-sent'].includes(candidate.email ?? '') ? (candidate as Checkpoint) : undefined;
}
