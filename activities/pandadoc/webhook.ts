/**
 * PandaDoc webhook checks for the ingress (the API's webhook route calls these). PandaDoc signs a delivery
 * with the subscription's shared key and passes the signature in the URL: `?signature=<hex
 * HMAC-SHA256(sharedKey, rawBody)>` (PandaDoc, "How to Verify Webhook Authenticity"). A delivery is a JSON
 * array of notifications `{event, data: {id, status, metadata, ...}}` ("Webhook payload On Document State
 * Change"). There is no timestamp, so no replay window: the ingress dedupes on document id + status.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { constantTimeEqual, type WebhookVerdict } from '../shared/webhook';

/** Checks `?signature=` against the raw body, in constant time. */
export function verifyPandaDocSignature(rawBody: string | Buffer, signature: string | undefined, sharedKey: string): WebhookVerdict {
  if (!signature) return { ok: false, reason: 'missing-signature' };
  const expected = createHmac('sha256', sharedKey).update(rawBody).digest('hex');
  return constantTimeEqual(signature.toLowerCase(), expected) ? { ok: true } : { ok: false, reason: 'signature-mismatch' };
}

const Notification = z.looseObject({
  event: z.string(),
  data: z.looseObject({ id: z.string(), status: z.string().optional(), name: z.string().optional(), metadata: z.record(z.string(), z.unknown()).nullish() }),
});

export interface PandaDocEvent {
  event: string;
  documentId: string;
  /** e.g. `document.completed`. */
  status: string | null;
  /** The step key the engine stored at creation (`metadata.wf_key`): it finds the instance. */
  workflowKey: string | null;
}

/** Reads a verified delivery; throws a ZodError naming the bad path when it is not PandaDoc's shape. */
export function readPandaDocEvents(rawBody: string): PandaDocEvent[] {
  return z.array(Notification).parse(JSON.parse(rawBody)).map((n) => ({
    event: n.event,
    documentId: n.data.id,
    status: n.data.status ?? null,
    workflowKey: typeof n.data.metadata?.wf_key === 'string' ? n.data.metadata.wf_key : null,
  }));
}
