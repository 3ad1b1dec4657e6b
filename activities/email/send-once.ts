/**
 * One e-mail per step, as far as SMTP lets us know. SMTP cannot be asked whether a message arrived, so the
 * activity records its progress on the Temporal server (a checkpoint, i.e. heartbeat details) just before
 * it connects and again once the server has answered 250:
 * - a retry that finds "sent" returns that answer and sends nothing (its predecessor's worker died after
 *   the e-mail went out, before Temporal heard of it);
 * - a retry that finds "sending" cannot tell whether the e-mail went out: it sends again under the same
 *   Message-ID and says so (`possibleDuplicate`), and the instance's audit trail records it;
 * - a retry that finds "not-sent" (the server refused with a 4xx, or could not be reached) sends as if first.
 */
import type { SendMailOptions } from 'nodemailer';
import type { ActionContext } from '../shared/action';
import { ConnectorError } from '../shared/errors';
import type { EmailClient, SentEmail } from './client';

type Checkpoint = { email: 'sending'; messageId: string } | { email: 'sent'; sent: SentEmail } | { email: 'not-sent'; messageId: string };

export interface SentOnce extends SentEmail {
  /** The e-mail went out in an earlier attempt whose answer was lost; nothing was sent again. */
  alreadySent?: true;
  /** An earlier attempt was lost while sending: the recipient may have this e-mail twice (same Message-ID). */
  possibleDuplicate?: true;
}

export async function sendOnce(client: EmailClient, action: string, message: SendMailOptions & { messageId: string }, context: ActionContext): Promise<SentOnce> {
  const previous = asCheckpoint(context.previous);
  if (previous?.email === 'sent' && previous.sent.messageId === message.messageId) return { ...previous.sent, alreadySent: true };
  context.checkpoint?.({ email: 'sending', messageId: message.messageId } satisfies Checkpoint);
  let sent: SentEmail;
  try {
    sent = await client.send(action, message);
  } catch (err) {
    // A retryable refusal (a 4xx reply, no connection) delivered nothing: the retry is a first send again.
    const deliveredTo = (err instanceof ConnectorError ? (err.details.cause as { deliveredTo?: string[] } | undefined)?.deliveredTo : undefined) ?? [];
    if (err instanceof ConnectorError && err.details.retryable && deliveredTo.length === 0) context.checkpoint?.({ email: 'not-sent', messageId: message.messageId } satisfies Checkpoint);
    throw err;
  }
  context.checkpoint?.({ email: 'sent', sent } satisfies Checkpoint);
  return previous?.email === 'sending' ? { ...sent, possibleDuplicate: true } : sent;
}

function asCheckpoint(value: unknown): Checkpoint | undefined {
  const candidate = value as Partial<Checkpoint> | undefined;
  return candidate && typeof candidate === 'object' && ['sending', 'sent', 'not-sent'].includes(candidate.email ?? '') ? (candidate as Checkpoint) : undefined;
}
