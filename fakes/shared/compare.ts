/** Constant-time comparison of credentials presented to a fake (a fake must not leak its secrets by timing either). */
import { createHash, timingSafeEqual } from 'node:crypto';

export function constantTimeEqual(a: string, b: string): boolean {
  const digest = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(digest(a), digest(b));
}
