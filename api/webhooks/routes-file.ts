/**
 * What each vendor's deliveries do, read from `config/webhooks.yaml` (or WEBHOOKS_FILE) and reported like
 * a definition (file:line:col with a hint). For each vendor event, either
 *   `start: <process>` with `input:` built from the delivery (values starting with `=` are JSONata over it), or
 *   `event: <name>` sent to the running instance of `process:` whose business key is `business-key:`.
 * PandaDoc and DocuSign need no entry: their deliveries carry the key the instance stored on the document.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { formatIssues, sortIssues } from '../../dsl/issues';
import { checkAgainst } from '../../dsl/shape';
import { readSource } from '../../dsl/source';

const StartRoute = z.strictObject({
  start: z.string().min(1).meta({ description: 'The process to start.' }),
  input: z.record(z.string(), z.unknown()).default({}),
});
const EventRoute = z.strictObject({
  event: z.string().min(1).meta({ description: 'The event name the instance waits for.' }),
  process: z.string().min(1),
  'business-key': z.string().min(1).meta({ description: 'JSONata over the delivery giving the business key, e.g. `=$string(objectId)`.' }),
});
export const WebhookRoute = z.union([StartRoute, EventRoute]);
export type WebhookRoute = z.infer<typeof WebhookRoute>;

/** Per vendor, keyed by its event type (HubSpot `subscriptionType`, Jira `webhookEvent`, PartnerStack `event`, JotForm `submission`). */
export const WebhookRoutesFile = z.strictObject({
  hubspot: z.record(z.string(), WebhookRoute).default({}),
  jira: z.record(z.string(), WebhookRoute).default({}),
  partnerstack: z.record(z.string(), WebhookRoute).default({}),
  jotform: z.record(z.string(), WebhookRoute).default({}),
});
export type WebhookRoutes = z.infer<typeof WebhookRoutesFile>;

export const DEFAULT_WEBHOOKS_FILE = path.join(__dirname, '..', '..', 'config', 'webhooks.yaml');

export function parseWebhookRoutes(file: string, text: string): WebhookRoutes {
  const source = readSource(file, text);
  const shape = source.data === undefined ? { issues: [] } : checkAgainst(WebhookRoutesFile, source.data ?? {});
  const issues = [...source.issues, ...shape.issues];
  if (issues.length || !shape.value) {
    throw new Error(`the webhook routes have problems:\n${formatIssues(file, sortIssues(issues.map((i) => (i.line === undefined ? source.position(i) : i))))}`);
  }
  return shape.value;
}

export function loadWebhookRoutes(file = process.env.WEBHOOKS_FILE ?? DEFAULT_WEBHOOKS_FILE): WebhookRoutes {
  return parseWebhookRoutes(path.relative(process.cwd(), file) || file, readFileSync(file, 'utf8'));
}

/** A route whose process is not among the deployed definitions: its deliveries are answered 202 ignored. */
export interface UndeployedRoute {
  vendor: keyof WebhookRoutes;
  eventType: string;
  process: string;
  does: 'starts' | 'feeds';
}

export function undeployedRoutes(routes: WebhookRoutes, deployed: ReadonlyMap<string, unknown>): UndeployedRoute[] {
  return (Object.keys(routes) as Array<keyof WebhookRoutes>).flatMap((vendor) =>
    Object.entries(routes[vendor]).flatMap(([eventType, route]): UndeployedRoute[] => {
      const process = 'start' in route ? route.start : route.process;
      return deployed.has(process) ? [] : [{ vendor, eventType, process, does: 'start' in route ? 'starts' : 'feeds' }];
    }),
  );
}

/** The start-up warning naming each route whose process is missing, and what to do about it. */
export function undeployedWarning(missing: UndeployedRoute[]): string | undefined {
  if (!missing.length) return undefined;
  const routes = missing.map((m) => `${m.vendor} ${m.eventType} ${m.does} ${m.process}`).join('; ');
  return `webhook routes whose process is not deployed (their deliveries are answered 202 "ignored: process not deployed"): ${routes}. `
    + 'Add the definitions to definitions/, or remove the routes from the webhook routes file.';
}
