/**
 * How Jira signs admin webhook deliveries that have a secret, written from Atlassian's "Webhooks" page
 * ("Secure admin webhooks"), independently of the connector's verifier: header `X-Hub-Signature:
 * sha256=<hex HMAC-SHA256(secret, rawBody)>`, and `X-Atlassian-Webhook-Identifier` naming the delivery.
 */
import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Hub-Signature';
export const IDENTIFIER_HEADER = 'X-Atlassian-Webhook-Identifier';

export function signDelivery(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}
