/**
 * Building blocks for verifying inbound webhooks, shared by the vendor-specific verifiers
 * (`activities/<system>/webhook.ts`): a constant-time string comparison, a replay window check and the
 * verdict type every verifier returns. A verdict carries a specific reason so the ingress can log why a
 * delivery was refused without logging the secret or the expected signature.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export type WebhookRefusal =
  | 'missing-signature'
  | 'missing-timestamp'
  | 'malformed-timestamp'
  | 'stale-timestamp'
  | 'signature-mismatch'
  | 'secret-mismatch';

export type WebhookVerdict = { ok: true } | { ok: false; reason: WebhookRefusal };

/**
 * Compares two strings in constant time. Both sides are hashed first so the comparison takes the same time
 * whatever their lengths (timingSafeEqual itself throws on different lengths, which would leak the length).
 */
export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}

/** Accepts a timestamp (epoch ms) only within `windowMs` of now, in either direction (clock skew). */
export function checkFreshness(timestamp: string | undefined, windowMs: number, now = Date.now()): WebhookVerdict {
  if (timestamp === undefined || timestamp === '') return { ok: false, reason: 'missing-timestamp' };
  const ms = Number(timestamp);
  if (!Number.isFinite(ms)) return { ok: false, reason: 'malformed-timestamp' };
  return Math.abs(now - ms) > windowMs ? { ok: false, reason: 'stale-timestamp' } : { ok: true };
}

/** Reads one header from Node's or fetch's header shapes, case-insensitively. */
export function headerValue(headers: Headers | Record<string, string | string[] | undefined>, name: string): string | undefined {
  if (typeof (headers as Headers).get === 'function') return (headers as Headers).get(name) ?? undefined;
  const record = headers as Record<string, string | string[] | undefined>;
  const key = Object.keys(record).find((k) => k.toLowerCase() === name.toLowerCase());
  const value = key === undefined ? undefined : record[key];
  return Array.isArray(value) ? value[0] : value;
}
