/**
 * The CXone action a process definition can call:
 *   cxone.sendQuickReplyEmail   e-mail the customer a named quick reply ("New Channel Req 1"). Without a
 *                               case, the message opens one on a new thread (as CXone opens cases); with
 *                               `caseId` it replies in that case ("New Channel Req 2").
 * Only documented Digital Engagement endpoints are used (fakes/cxone/contract.ts). The organisation, the
 * case-feed mention and "relate the interaction" of the channel-partner request are Salesforce objects and
 * belong to the Salesforce connector.
 *
 * Sent at most once per step, even when an answer is lost: a new thread's id is derived from the step's
 * idempotency key, so a retry first looks for the case on that thread; and the case's messages are read
 * back for an outbound message with the same text before anything is sent.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineAction } from '../shared/action';
import type { CxoneCase, CxoneClient } from './client';

/** Stable per step: the same key always gives the same thread id. */
export function stepMarker(idempotencyKey: string): string {
  return `wf-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;
}

export const sendQuickReplyEmail = defineAction({
  name: 'cxone.sendQuickReplyEmail',
  description: 'E-mail a customer from CXone with a quick reply named by title; the first e-mail opens a case, later ones reply in it (caseId). Sent once per step.',
  input: z.object({
    /** Title of the quick reply, e.g. "New Channel Req 1". */
    quickReply: z.string().min(1),
    to: z.object({ email: z.email(), name: z.string().min(1).optional() }),
    /** The e-mail subject (the thread name) of a new case, e.g. "A New Channel Partner Request for HW Solar". */
    subject: z.string().min(1).max(250).optional(),
    /** The case to reply in (from an earlier send's `caseId`); without it a new case is opened. */
    caseId: z.string().min(1).optional(),
    /** Values for the quick reply's placeholders. */
    variables: z.record(z.string(), z.string()).default({}),
  }),
  mutates: true,
  async run(client: CxoneClient, input, context) {
    const action = 'cxone.sendQuickReplyEmail';
    const quickReply = await client.quickResponse(action, input.quickReply, context.signal);
    const thread = stepMarker(context.idempotencyKey);
    // The case this send goes into: the one given, or the one an earlier attempt of this step opened.
    const found: CxoneCase | undefined = input.caseId ? await client.caseDetail(action, input.caseId, context.signal) : await client.findCaseByThread(action, thread, context.signal);
    const text = await client.renderQuickResponse(action, quickReply.id, found?.id, input.variables, context.signal);
    if (found) {
      const previous = (await client.caseMessages(action, found.id, context.signal)).find((m) => m.direction === 'outbound' && m.messageContent.payload.text === text);
      if (previous) return { caseId: found.id, messageId: previous.id, quickReplyId: quickReply.id, text, alreadySent: true };
    }
    const sent = await client.sendOutbound(action, {
      channelId: found?.channelId ?? (await client.emailChannelId(action, context.signal)),
      caseId: found?.id,
      threadIdOnExternalPlatform: found?.threadIdOnExternalPlatform ?? thread,
      subject: found ? undefined : input.subject,
      text,
      to: input.to,
    }, context.signal);
    return { caseId: sent.caseId, messageId: sent.message.id, quickReplyId: quickReply.id, text, alreadySent: false };
  },
});

export const cxoneActions = [sendQuickReplyEmail] as const;
