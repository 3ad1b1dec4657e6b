/**
 * Inbound PartnerStack webhooks. PartnerStack documents no signature scheme (vendors.md §2), so a delivery
 * proves nothing by itself. Two measures instead:
 *   1. the webhook is registered with an unguessable token in its URL path (`/webhooks/partnerstack/<token>`),
 *      compared in constant time: this keeps out casual forgeries;
 *   2. read-back verification: the event is only a hint; `confirmEvent` fetches the deal, partnership or
 *      customer it names through the API (with our credentials) and the workflow acts on that answer only.
 */
import { z } from 'zod';
import { constantTimeEqual, type WebhookVerdict } from '../shared/webhook';
import { Customer, Deal, Partnership, type PartnerStackClient } from './client';

export function verifyPathToken(expectedToken: string, presentedToken: string | undefined): WebhookVerdict {
  if (!presentedToken) return { ok: false, reason: 'missing-signature' };
  return constantTimeEqual(presentedToken, expectedToken) ? { ok: true } : { ok: false, reason: 'secret-mismatch' };
}

/**
 * The delivery body: the record itself with a top-level `event` (e.g. `deal.updated`), the partner's
 * `partner_key`, and booleans such as `archived` sent as strings; no `{event, data}` envelope and no
 * signature (PartnerStack webhook reference, as summarised in issue 8). Only `event` and the keys are read:
 * the record is then read back through the API.
 */
export const PartnerStackWebhook = z.looseObject({
  event: z.string(),
  key: z.string().optional(),
  customer_key: z.string().optional(),
  partner_key: z.string().optional(),
});
export type PartnerStackWebhook = z.infer<typeof PartnerStackWebhook>;

export type ConfirmedEvent =
  | { kind: 'deal'; record: Deal }
  | { kind: 'partnership'; record: Partnership }
  | { kind: 'customer'; record: Customer }
  /** The API does not know the record the event names: the event is not to be trusted. */
  | { kind: 'unconfirmed'; reason: string }
  /** Nothing to read back (not a webhook body, or an event family this reads nothing for): not a forgery as such. */
  | { kind: 'unsupported'; reason: string };

/** Reads back the record an event names; a record the API does not know means the event is not trusted. */
export async function confirmEvent(client: PartnerStackClient, body: unknown, signal?: AbortSignal): Promise<ConfirmedEvent> {
  const parsed = PartnerStackWebhook.safeParse(body);
  if (!parsed.success) return { kind: 'unsupported', reason: 'not a PartnerStack webhook body' };
  const { event, key, customer_key: customerKey, partner_key: partnerKey } = parsed.data;
  const action = 'partnerstack.webhook';
  const family = event.split(/[._]/)[0];
  if (family === 'deal' && key) {
    const record = await client.dataOrNull(action, `/v2/deals/${encodeURIComponent(key)}`, Deal, signal);
    return record ? { kind: 'deal', record } : { kind: 'unconfirmed', reason: `deal ${key} does not exist` };
  }
  const partnershipKey = key ?? partnerKey;
  if (family === 'partnership' && partnershipKey) {
    const record = await client.dataOrNull(action, `/v2/partnerships/${encodeURIComponent(partnershipKey)}`, Partnership, signal);
    return record ? { kind: 'partnership', record } : { kind: 'unconfirmed', reason: `partnership ${partnershipKey} does not exist` };
  }
  if (family === 'customer' && customerKey) {
    const record = await client.dataOrNull(action, `/v2/customers/${encodeURIComponent(customerKey)}`, Customer, signal);
    return record ? { kind: 'customer', record } : { kind: 'unconfirmed', reason: `customer ${customerKey} does not exist` };
  }
  return { kind: 'unsupported', reason: `event ${event} names no deal, partnership or customer to read back` };
}
