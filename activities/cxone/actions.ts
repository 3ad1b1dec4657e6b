/**
 * The CXone actions a process definition can call:
 *   cxone.createCase            open a case (DFO contact) under an organisation for the contact who asked
 *   cxone.sendQuickReplyEmail   e-mail the customer a named quick reply ("New Channel Req 1"), in the case
 * Both are idempotent under retry. A case is opened on a thread whose id is derived from the idempotency
 * key and searched for before creating; an e-mail carries a marker derived from the key and the case's
 * messages are searched for it before sending.
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { defineAction } from '../shared/action';
import type { CxoneClient } from './client';

/** Stable per step: the same key always gives the same marker. */
export function stepMarker(idempotencyKey: string): string {
  return `wf-${createHash('sha256').update(idempotencyKey).digest('hex').slice(0, 32)}`;
}

export const createCase = defineAction({
  name: 'cxone.createCase',
  description: 'Open a CXone case under an organisation (by name) for the contact who made the request',
  input: z.object({
    /** The organisation as named on the form ("Company Name"). */
    organisation: z.string().min(1),
    contact: z.object({ name: z.string().min(1), email: z.email() }),
    /** e.g. "A New Channel Partner Request for HW Solar". */
    subject: z.string().min(1),
  }),
  mutates: true,
  async run(client: CxoneClient, input, context) {
    const action = 'cxone.createCase';
    const thread = stepMarker(context.idempotencyKey);
    const organisation = await client.organisation(action, input.organisation, context.signal);
    const existing = await client.findCaseByThread(action, thread, context.signal);
    const found = existing ?? (await client.createCase(action, {
      channelId: await client.emailChannelId(action, context.signal),
      organizationId: organisation.id,
      threadIdOnExternalPlatform: thread,
      subject: input.subject,
      customer: input.contact,
    }, context.signal));
    return { caseId: found.id, organisationId: organisation.id, customerId: found.customer.id, status: found.status, created: !existing };
  },
});

export const sendQuickReplyEmail = defineAction({
  name: 'cxone.sendQuickReplyEmail',
  description: 'E-mail a customer from CXone using a quick reply named by title, related to their case',
  input: z.object({
    /** Title of the quick reply, e.g. "New Channel Req 1". */
    quickReply: z.string().min(1),
    caseId: z.string().min(1),
    to: z.object({ email: z.email(), name: z.string().min(1).optional() }),
    subject: z.string().min(1).optional(),
    /** Extra values for the quick reply's placeholders. */
    variables: z.record(z.string(), z.string()).default({}),
  }),
  mutates: true,
  async run(client: CxoneClient, input, context) {
    const action = 'cxone.sendQuickReplyEmail';
    const marker = stepMarker(context.idempotencyKey);
    const quickReply = await client.quickResponse(action, input.quickReply, context.signal);
    const found = await client.caseDetail(action, input.caseId, context.signal);
    // An earlier attempt may have sent it and lost the answer: look for our marker first.
    const previous = (await client.caseMessages(action, found.id, context.signal)).find((m) => m.idOnExternalPlatform === marker);
    if (previous) {
      return { caseId: found.id, messageId: previous.id, quickReplyId: quickReply.id, text: previous.messageContent.payload.text, alreadySent: true };
    }
    const text = await client.renderQuickResponse(action, quickReply.id, found.id, input.variables, context.signal);
    const sent = await client.sendOutbound(action, {
      channelId: found.channelId,
      caseId: found.id,
      threadIdOnExternalPlatform: found.threadIdOnExternalPlatform,
      subject: input.subject,
      text,
      to: input.to,
      idOnExternalPlatform: marker,
    }, context.signal);
    return { caseId: sent.caseId, messageId: sent.message.id, quickReplyId: quickReply.id, text, alreadySent: false };
  },
});

export const cxoneActions = [createCase, sendQuickReplyEmail] as const;
