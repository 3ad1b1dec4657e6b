/**
 * HubSpot webhook signatures, v3 (vendors.md §1): base64(HMAC-SHA256(clientSecret, method + uri + rawBody +
 * timestamp)), sent in X-HubSpot-Signature-v3 with the timestamp (epoch ms) in X-HubSpot-Request-Timestamp.
 * Deliveries older than five minutes are refused, and the comparison is constant-time. The fake signs its
 * webhooks with `signV3`, so the verifier is tested against the same construction the vendor documents.
 */
import { createHmac } from 'node:crypto';
import { checkFreshness, constantTimeEqual, headerValue, type WebhookVerdict } from '../shared/webhook';

export const SIGNATURE_HEADER = 'x-hubspot-signature-v3';
export const TIMESTAMP_HEADER = 'x-hubspot-request-timestamp';
export const MAX_AGE_MS = 5 * 60 * 1000;

/** HubSpot decodes these %xx sequences in the URI before signing. */
const DECODED: Record<string, string> = {
  '%3A': ':', '%2F': '/', '%3F': '?', '%40': '@', '%21': '!', '%24': '$', '%27': "'", '%28': '(', '%29': ')', '%2A': '*', '%2C': ',', '%3B': ';',
};

export function normalizeUri(uri: string): string {
  return uri.replace(/%(3A|2F|3F|40|21|24|27|28|29|2A|2C|3B)/gi, (match) => DECODED[match.toUpperCase()]);
}

export function signV3(secret: string, method: string, uri: string, rawBody: string, timestamp: string): string {
  return createHmac('sha256', secret).update(`${method.toUpperCase()}${normalizeUri(uri)}${rawBody}${timestamp}`, 'utf8').digest('base64');
}

export interface SignedDelivery {
  method: string;
  /** The full URL HubSpot called, e.g. `https://engine.example.com/webhooks/hubspot?x=1`. */
  url: string;
  /** The body exactly as received, before any JSON parsing. */
  rawBody: string;
  headers: Headers | Record<string, string | string[] | undefined>;
}

export function verifyV3(secret: string, delivery: SignedDelivery, now = Date.now()): WebhookVerdict {
  const signature = headerValue(delivery.headers, SIGNATURE_HEADER);
  if (!signature) return { ok: false, reason: 'missing-signature' };
  const timestamp = headerValue(delivery.headers, TIMESTAMP_HEADER);
  const fresh = checkFreshness(timestamp, MAX_AGE_MS, now);
  if (!fresh.ok) return fresh;
  const expected = signV3(secret, delivery.method, delivery.url, delivery.rawBody, timestamp as string);
  return constantTimeEqual(signature, expected) ? { ok: true } : { ok: false, reason: 'signature-mismatch' };
}

/** One event of HubSpot's batched webhook body (a JSON array of these). Dedupe on `eventId`. */
export interface HubSpotWebhookEvent {
  eventId: number;
  subscriptionId: number;
  portalId: number;
  appId: number;
  occurredAt: number;
  subscriptionType: string;
  attemptNumber: number;
  objectId: number;
  propertyName?: string;
  propertyValue?: string;
  changeSource?: string;
}
