/**
 * Jira admin-webhook signatures (vendors.md §4): a webhook registered with a secret is delivered with
 * `X-Hub-Signature: sha256=<hex HMAC-SHA256(secret, rawBody)>` (WebSub style; the header has no "-256"),
 * and `X-Atlassian-Webhook-Identifier` identifies the delivery for de-duplication. Jira sends no timestamp,
 * so there is no replay window: replays are caught by the identifier. The fake signs with `signJiraWebhook`.
 */
import { createHmac } from 'node:crypto';
import { z } from 'zod';
import { constantTimeEqual, headerValue, type WebhookRefusal } from '../shared/webhook';

export const SIGNATURE_HEADER = 'x-hub-signature';
export const IDENTIFIER_HEADER = 'x-atlassian-webhook-identifier';

export function signJiraWebhook(secret: string, rawBody: string): string {
  return `sha256=${createHmac('sha256', secret).update(rawBody, 'utf8').digest('hex')}`;
}

export type JiraWebhookVerdict = { ok: true; deliveryId: string | undefined } | { ok: false; reason: WebhookRefusal | 'unsupported-algorithm' };

export interface JiraDelivery {
  /** The body exactly as received, before any JSON parsing. */
  rawBody: string;
  headers: Headers | Record<string, string | string[] | undefined>;
}

export function verifyJiraWebhook(secret: string, delivery: JiraDelivery): JiraWebhookVerdict {
  const signature = headerValue(delivery.headers, SIGNATURE_HEADER)?.trim();
  if (!signature) return { ok: false, reason: 'missing-signature' };
  if (!signature.toLowerCase().startsWith('sha256=')) return { ok: false, reason: 'unsupported-algorithm' };
  const expected = signJiraWebhook(secret, delivery.rawBody);
  if (!constantTimeEqual(signature.toLowerCase(), expected)) return { ok: false, reason: 'signature-mismatch' };
  return { ok: true, deliveryId: headerValue(delivery.headers, IDENTIFIER_HEADER) };
}

/** The parts of a `jira:issue_*` event the engine reads; everything else passes through unchecked. */
export const JiraIssueEventSchema = z.looseObject({
  webhookEvent: z.string(),
  timestamp: z.number().optional(),
  issue: z.looseObject({
    id: z.string(),
    key: z.string(),
    fields: z.looseObject({
      status: z.looseObject({ name: z.string(), statusCategory: z.looseObject({ key: z.string() }).optional() }).optional(),
      labels: z.array(z.string()).optional(),
    }).optional(),
  }),
  changelog: z.looseObject({
    items: z.array(z.looseObject({ field: z.string(), fromString: z.string().nullable().optional(), toString: z.string().nullable().optional() })),
  }).optional(),
});
export type JiraIssueEvent = z.infer<typeof JiraIssueEventSchema>;

/** True when the event moved the issue into a status of category "done" (e.g. closed as Done). */
export function isMovedToDone(event: JiraIssueEvent): boolean {
  const statusChanged = event.changelog?.items.some((item) => item.field === 'status') ?? false;
  return statusChanged && event.issue.fields?.status?.statusCategory?.key === 'done';
}
