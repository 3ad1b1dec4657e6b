/**
 * DocuSign Connect checks for the ingress (the API's webhook route calls these). With HMAC enabled on the
 * Connect configuration, each delivery carries `X-DocuSign-Signature-1` (… `-N`, one per active key, up to
 * 100) = base64(HMAC-SHA256(connectKey, rawBody)); a delivery is genuine when any header matches any key
 * (DocuSign Connect guide, "HMAC security"). The JSON (SIM) payload is `{event: "envelope-completed", ...,
 * data: {accountId, envelopeId, envelopeSummary?}}` ("Connect JSON payload").
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { constantTimeEqual, headerValue, type WebhookVerdict } from '../shared/webhook';

const MAX_SIGNATURES = 100;

export function verifyDocuSignConnect(
  rawBody: string | Buffer,
  headers: Headers | Record<string, string | string[] | undefined>,
  connectKeys: readonly string[],
): WebhookVerdict {
  const signatures: string[] = [];
  for (let n = 1; n <= MAX_SIGNATURES; n++) {
    const value = headerValue(headers, `x-docusign-signature-${n}`);
    if (value === undefined) break;
    signatures.push(value);
  }
  if (signatures.length === 0) return { ok: false, reason: 'missing-signature' };
  const expected = connectKeys.map((key) => createHmac('sha256', key).update(rawBody).digest('base64'));
  // Every pair is compared, so the time taken says nothing about which one matched.
  let match = false;
  for (const signature of signatures) for (const candidate of expected) match = constantTimeEqual(signature, candidate) || match;
  return match ? { ok: true } : { ok: false, reason: 'signature-mismatch' };
}

const ConnectPayload = z.looseObject({
  event: z.string(),
  data: z.looseObject({
    envelopeId: z.string(),
    envelopeSummary: z
      .looseObject({ status: z.string().optional(), customFields: z.looseObject({ textCustomFields: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional() }).optional() })
      .optional(),
  }),
});

export interface DocuSignEvent {
  /** e.g. `envelope-completed`. */
  event: string;
  envelopeId: string;
  status: string | null;
  /** The step key stored at creation (custom field `wf_key`), when the configuration includes custom fields. */
  workflowKey: string | null;
}

/** Reads a verified delivery; throws a ZodError naming the bad path when it is not Connect's JSON shape. */
export function readDocuSignEvent(rawBody: string): DocuSignEvent {
  const payload = ConnectPayload.parse(JSON.parse(rawBody));
  const key = payload.data.envelopeSummary?.customFields?.textCustomFields?.find((f) => f.name === 'wf_key')?.value;
  return { event: payload.event, envelopeId: payload.data.envelopeId, status: payload.data.envelopeSummary?.status ?? null, workflowKey: key ?? null };
}
