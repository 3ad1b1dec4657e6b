/**
 * How HubSpot signs webhook deliveries, written from HubSpot's "Validating requests" page (signature v3),
 * independently of the connector's verifier so that a mistake in one is caught by the other:
 * `base64(HMAC-SHA256(clientSecret, method + uri + rawBody + timestamp))`, where `uri` is the full URL with
 * `%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B` decoded, timestamp in milliseconds.
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-HubSpot-Signature-v3';
export const TIMESTAMP_HEADER = 'X-HubSpot-Request-Timestamp';

const DECODED = new Set(['3A', '2F', '3F', '40', '21', '24', '27', '28', '29', '2A', '2C', '3B']);

export function signDelivery(secret: string, method: string, url: string, rawBody: string, timestamp: string): string {
  const uri = url.replace(/%([0-9A-Fa-f]{2})/g, (match, hex: string) => (DECODED.has(hex.toUpperCase()) ? String.fromCharCode(parseInt(hex, 16)) : match));
  return createHmac('sha256', secret).update(method.toUpperCase() + uri + rawBody + timestamp, 'utf8').digest('base64');
}
