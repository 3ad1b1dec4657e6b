/**
 * The e-mail action a process definition can call:
 *   email.send   send an e-mail over SMTP, from a named template or from the given text/HTML
 * It is idempotent in the way SMTP allows: the Message-ID is derived from the step's idempotency key, so
 * every attempt of one step sends the same Message-ID and a retried send is recognisable as the same e-mail;
 * a retry after a lost attempt does not send again once the e-mail is known to have gone (send-once.ts).
 */
import { z } from 'zod';
import { defineAction } from '../shared/action';
import type { EmailClient } from './client';
import { sendOnce, type SentOnce } from './send-once';
import { renderTemplate, TEMPLATES, variablesOf } from './templates';

const Addresses = z.union([z.email(), z.array(z.email()).min(1)]);

const SendInput = z
  .object({
    to: Addresses,
    cc: Addresses.optional(),
    bcc: Addresses.optional(),
    /** Defaults to EMAIL_FROM, e.g. iod@cinnox.com. */
    from: z.email().optional(),
    replyTo: z.email().optional(),
    /** Required unless a template gives it. */
    subject: z.string().min(1).optional(),
    text: z.string().optional(),
    html: z.string().optional(),
    /** A named template ("Activation email to customer from IOD (Draft)") and its variables. */
    template: z.object({ name: z.string().min(1), variables: z.record(z.string(), z.union([z.string(), z.number()])).default({}) }).optional(),
    attachments: z.array(z.object({ filename: z.string().min(1), contentBase64: z.string(), contentType: z.string().optional() })).default([]),
  })
  .refine((m) => (m.template === undefined) !== (m.text === undefined && m.html === undefined), {
    message: 'give either a template or text/html, not both and not neither',
    path: ['template'],
  })
  .refine((m) => m.template !== undefined || m.subject !== undefined, { message: 'a subject is required without a template', path: ['subject'] });

export const send = defineAction({
  name: 'email.send',
  description: 'Send an e-mail over SMTP from a named template or given text/HTML, with a Message-ID fixed per step',
  input: SendInput,
  mutates: true,
  // The definition checker refuses an unknown template or a missing variable before anything runs.
  templates: TEMPLATES.map((template) => ({ id: template.id, label: template.label, variables: variablesOf(template) })),
  async run(client: EmailClient, input, context): Promise<SentOnce> {
    const rendered = input.template ? renderTemplate('email.send', input.template.name, input.template.variables) : undefined;
    return sendOnce(client, 'email.send', {
      from: input.from,
      to: input.to,
      cc: input.cc,
      bcc: input.bcc,
      replyTo: input.replyTo,
      // An explicit subject overrides the template's.
      subject: input.subject ?? rendered?.subject,
      text: rendered?.text ?? input.text,
      html: rendered?.html ?? input.html,
      attachments: input.attachments.map((a) => ({ filename: a.filename, content: Buffer.from(a.contentBase64, 'base64'), contentType: a.contentType })),
      messageId: client.messageIdFor(context.idempotencyKey),
    }, context);
  },
});

export const emailActions = [send] as const;
