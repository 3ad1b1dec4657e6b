/**
 * The webhook ingress, `/webhooks/<vendor>`: one route per vendor, each verifying the delivery the way the
 * vendor documents (with the connectors' helpers) before anything reaches an instance. Answers:
 *   200 with what each event did (started, delivered), 202 "ignored" for a genuine delivery nothing
 *   waits for, 400 for a malformed body, 401 for a forged, stale (replayed) or unsigned one, 503 when the
 *   vendor's secret is not configured here, or 503 `vendor-unavailable` with Retry-After when the read-back
 *   of the delivery's record was answered 429 or 5xx (or not at all), so the vendor delivers again.
 *   A refusal is logged with its reason, never with the secret.
 * Unsigned vendors (JotForm, PartnerStack) are trusted through a secret URL token and by reading the record
 * back through their API: the route works on the vendor's answer, never on the posted body.
 * The same delivery twice reaches the instance once: events carry the vendor's delivery id as the signal's
 * request id (Temporal drops the repeat), and starts find the instance by its business key.
 */
import multipart from '@fastify/multipart';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { verifyV3 } from '../../activities/hubspot/webhook';
import { IDENTIFIER_HEADER, JiraIssueEventSchema, verifyJiraWebhook } from '../../activities/jira/webhook';
import { JotFormClient } from '../../activities/jotform/client';
import { JotFormConfigSchema } from '../../activities/jotform/config';
import { confirmJotFormSubmission, verifyJotFormToken } from '../../activities/jotform/webhook';
import { readPandaDocEvents, verifyPandaDocSignature } from '../../activities/pandadoc/webhook';
import { readDocuSignEvent, verifyDocuSignConnect } from '../../activities/docusign/webhook';
import { PartnerStackClient } from '../../activities/partnerstack/client';
import { configFromEnv as partnerstackConfigFromEnv } from '../../activities/partnerstack/config';
import { confirmEvent as confirmPartnerStackEvent, verifyPathToken } from '../../activities/partnerstack/webhook';
import type { ApiContext } from '../context';
import { instanceFields } from '../../telemetry/logger';
import { reasonLabel } from '../../telemetry/metrics';
import { ConnectorError } from '../../activities/shared/errors';
import { ApiProblem, problemResponses } from '../problems';
import { deliverTo, follow, workflowIdOfKey, type Outcome } from './deliver';
import { loadWebhookRoutes, type WebhookRoutes } from './routes-file';

export interface WebhookSettings {
  routes: WebhookRoutes;
  /** The address vendors call, e.g. `https://ops.example.com` (HubSpot signs the full URL): OPS_PUBLIC_URL. */
  publicUrl?: string;
  hubspotSecret?: string;
  jiraSecret?: string;
  /** The URL token, and the client that reads each delivery's record back (PartnerStack signs nothing). */
  partnerstack?: { token: string; client: PartnerStackClient };
  pandadocKey?: string;
  docusignKeys?: string[];
  jotform?: { token: string; formIds: string[]; client: JotFormClient };
}

export function webhookSettingsFromEnv(env: NodeJS.ProcessEnv, routes: WebhookRoutes = loadWebhookRoutes(env.WEBHOOKS_FILE || undefined)): WebhookSettings {
  const jotformConfig = env.JOTFORM_API_KEY && env.JOTFORM_WEBHOOK_TOKEN
    ? JotFormConfigSchema.parse({
      apiKey: env.JOTFORM_API_KEY, region: env.JOTFORM_REGION || undefined, baseUrl: env.JOTFORM_BASE_URL || undefined,
      formIds: (env.JOTFORM_FORM_IDS ?? '').split(',').map((s) => s.trim()).filter(Boolean), webhookToken: env.JOTFORM_WEBHOOK_TOKEN,
    })
    : undefined;
  const partnerstackConfig = env.PARTNERSTACK_WEBHOOK_TOKEN ? partnerstackConfigFromEnv(env) : undefined;
  return {
    routes,
    publicUrl: env.OPS_PUBLIC_URL || undefined,
    hubspotSecret: env.HUBSPOT_WEBHOOK_SECRET || undefined,
    jiraSecret: env.JIRA_WEBHOOK_SECRET || undefined,
    partnerstack: partnerstackConfig?.webhookToken ? { token: partnerstackConfig.webhookToken, client: new PartnerStackClient(partnerstackConfig) } : undefined,
    pandadocKey: env.PANDADOC_WEBHOOK_KEY || undefined,
    docusignKeys: (env.DOCUSIGN_CONNECT_KEYS ?? '').split(',').map((k) => k.trim()).filter(Boolean),
    jotform: jotformConfig ? { token: jotformConfig.webhookToken!, formIds: jotformConfig.formIds, client: new JotFormClient(jotformConfig) } : undefined,
  };
}

const OutcomeSchema = z.union([
  z.object({ result: z.literal('started'), workflowId: z.string(), created: z.boolean() }),
  z.object({ result: z.literal('delivered'), workflowId: z.string(), event: z.string() }),
  z.object({ result: z.literal('ignored'), reason: z.string() }),
]);
const Handled = z.object({ results: z.array(OutcomeSchema) }).meta({ id: 'WebhookResults' });
const Ignored = z.object({ status: z.literal('ignored'), reason: z.string() }).meta({ id: 'WebhookIgnored' });
const responses = { 200: Handled, 202: Ignored, ...problemResponses(400, 401, 503) };

/** `pandadoc` + `document.completed` -> `pandadoc-document-completed`: event names allow letters, digits and dashes. */
function eventName(vendor: string, what: string): string {
  return `${vendor}-${what.toLowerCase().replace(/[^a-z0-9-]+/g, '-')}`;
}

function notConfigured(vendor: string, variable: string): ApiProblem {
  return new ApiProblem('not-configured', `${vendor} webhooks are not configured on this server: set ${variable}`);
}

function refuse(request: FastifyRequest, vendor: string, reason: string, code: 'unauthenticated' | 'invalid-request' = 'unauthenticated'): never {
  request.log.warn({ vendor, reason }, 'webhook refused');
  request.server.metrics.webhookDeliveries.inc({ vendor, result: 'refused', reason: code === 'invalid-request' ? 'malformed' : reasonLabel(reason) });
  throw new ApiProblem(code, code === 'unauthenticated' ? `the delivery is not authentic (${reason})` : `the delivery is malformed (${reason})`, code === 'invalid-request' ? [{ field: 'body', message: reason }] : undefined);
}

/** 200 with the outcomes, or 202 when every event was ignored; each ignored event is logged. */
function answer(request: FastifyRequest, reply: FastifyReply, vendor: string, results: Outcome[]) {
  for (const r of results) {
    if (r.result === 'ignored') request.log.info({ vendor, reason: r.reason }, 'webhook event ignored');
    else request.log.info({ vendor, ...instanceFields(r.workflowId), result: r.result }, `webhook event ${r.result}`);
    request.server.metrics.webhookDeliveries.inc({ vendor, result: r.result === 'ignored' ? 'ignored' : 'accepted', reason: r.result === 'ignored' ? reasonLabel(r.reason) : r.result });
    if (r.result === 'started' && r.created) request.server.metrics.instancesStarted.inc({ process: instanceFields(r.workflowId).process ?? 'unknown', via: 'webhook' });
  }
  if (results.length > 0 && results.every((r) => r.result === 'ignored')) {
    return reply.code(202).send({ status: 'ignored' as const, reason: results.map((r) => (r as { reason: string }).reason).join('; ') });
  }
  return reply.code(200).send({ results });
}

/** How long a vendor is asked to wait before delivering again when its API gave no Retry-After of its own. */
const REDELIVER_AFTER_SECONDS = 5;

/**
 * Runs the read-back of a delivery's record. When the vendor's API is rate limited or down (a retryable
 * ConnectorError: 429, 5xx, no answer), nothing has been started yet, so the delivery is answered 503 with
 * Retry-After (the vendor's own, else a few seconds) and the vendor redelivers it; other errors pass.
 */
async function readBack<T>(request: FastifyRequest, vendor: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof ConnectorError) || !error.details.retryable) throw error;
    const seconds = Math.max(1, Math.ceil((error.details.retryAfterMs ?? REDELIVER_AFTER_SECONDS * 1000) / 1000));
    const answered = error.details.status ? `answered ${error.details.status}` : 'did not answer';
    request.log.warn({ vendor, system: error.system, status: error.details.status, retryAfterSeconds: seconds }, 'webhook read-back failed; the vendor is asked to deliver again');
    request.server.metrics.webhookDeliveries.inc({ vendor, result: 'deferred', reason: 'vendor-unavailable' });
    throw new ApiProblem(
      'vendor-unavailable',
      `${error.system}'s API ${answered} when the delivery's record was read back; nothing was started: deliver again after ${seconds} s`,
      undefined,
      { 'retry-after': String(seconds) },
      { system: error.system },
    );
  }
}

function parseJson(request: FastifyRequest, vendor: string, raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return refuse(request, vendor, 'not JSON', 'invalid-request');
  }
}

export function webhookRoutes(context: ApiContext, settings: WebhookSettings): FastifyPluginAsync {
  return async (plain) => {
    // Signatures are over the exact bytes received, so JSON bodies reach the handlers unparsed.
    plain.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, body));
    await plain.register(multipart, { limits: { fileSize: 0, files: 0, fields: 200 } });
    const app = plain.withTypeProvider<ZodTypeProvider>();
    const rawBody = (request: FastifyRequest) => (typeof request.body === 'string' ? request.body : '');
    const common = { tags: ['webhooks'], security: [] };

    app.post('/hubspot', { config: { public: true }, schema: { ...common, operationId: 'hubspotWebhook', summary: 'HubSpot webhooks (v3 signature); deal creation starts, ticket and company changes are events', response: responses } }, async (request, reply) => {
      if (!settings.hubspotSecret) throw notConfigured('HubSpot', 'HUBSPOT_WEBHOOK_SECRET');
      const url = `${settings.publicUrl?.replace(/\/$/, '') ?? `${request.protocol}://${request.headers.host}`}${request.url}`;
      const verdict = verifyV3(settings.hubspotSecret, { method: request.method, url, rawBody: rawBody(request), headers: request.headers });
      if (!verdict.ok) refuse(request, 'hubspot', verdict.reason);
      const events = parseJson(request, 'hubspot', rawBody(request));
      const parsed = z.array(z.looseObject({ eventId: z.number(), subscriptionType: z.string(), objectId: z.number() })).min(1).safeParse(events);
      if (!parsed.success) refuse(request, 'hubspot', `expected a JSON array of events: ${parsed.error.issues[0]?.message}`, 'invalid-request');
      const results: Outcome[] = [];
      for (const event of parsed.data) {
        results.push(await follow(context, settings.routes.hubspot[event.subscriptionType], event, `hubspot:${event.eventId}`, event.subscriptionType));
      }
      return answer(request, reply, 'hubspot', results);
    });

    app.post('/jira', { config: { public: true }, schema: { ...common, operationId: 'jiraWebhook', summary: 'Jira admin webhooks (X-Hub-Signature); issue updates are events', response: responses } }, async (request, reply) => {
      if (!settings.jiraSecret) throw notConfigured('Jira', 'JIRA_WEBHOOK_SECRET');
      const verdict = verifyJiraWebhook(settings.jiraSecret, { rawBody: rawBody(request), headers: request.headers });
      if (!verdict.ok) refuse(request, 'jira', verdict.reason);
      const parsed = JiraIssueEventSchema.safeParse(parseJson(request, 'jira', rawBody(request)));
      if (!parsed.success) refuse(request, 'jira', `not a Jira issue event: ${parsed.error.issues[0]?.path.join('.')} ${parsed.error.issues[0]?.message}`, 'invalid-request');
      const deliveryId = verdict.deliveryId ?? `${parsed.data.issue.id}:${parsed.data.timestamp ?? ''}:${parsed.data.webhookEvent}`;
      if (!verdict.deliveryId) request.log.warn({ vendor: 'jira', header: IDENTIFIER_HEADER }, 'delivery without identifier; de-duplicating on issue and timestamp');
      return answer(request, reply, 'jira', [await follow(context, settings.routes.jira[parsed.data.webhookEvent], parsed.data, `jira:${deliveryId}`, parsed.data.webhookEvent)]);
    });

    app.post('/partnerstack/:token', {
      config: { public: true },
      schema: { ...common, operationId: 'partnerstackWebhook', summary: 'PartnerStack webhooks (secret token in the URL; the record re-read through PartnerStack\'s API); a new deal starts deal provisioning', params: z.object({ token: z.string() }), response: responses },
    }, async (request, reply) => {
      const partnerstack = settings.partnerstack;
      if (!partnerstack) throw notConfigured('PartnerStack', 'PARTNERSTACK_API_KEY, PARTNERSTACK_API_SECRET and PARTNERSTACK_WEBHOOK_TOKEN');
      const verdict = verifyPathToken(partnerstack.token, request.params.token);
      if (!verdict.ok) refuse(request, 'partnerstack', verdict.reason);
      // A delivery is the record itself with a top-level `event` (older deliveries wrap it in `data`).
      const body = parseJson(request, 'partnerstack', rawBody(request));
      const parsed = z.looseObject({ event: z.string(), key: z.string().optional(), data: z.looseObject({ key: z.string().optional() }).optional() }).safeParse(body);
      if (!parsed.success) refuse(request, 'partnerstack', `expected a record with an 'event': ${parsed.error.issues[0]?.message}`, 'invalid-request');
      const { event } = parsed.data;
      const delivered = { ...(parsed.data.data ?? {}), ...parsed.data };
      const key = delivered.key ?? parsed.data.data?.key;
      if (!key) refuse(request, 'partnerstack', "the record has no 'key'", 'invalid-request');
      const route = settings.routes.partnerstack[event];
      if (!route) return answer(request, reply, 'partnerstack', [{ result: 'ignored', reason: `no route for ${event}` }]);
      // The delivery is only a hint: the record is read back with our credentials, and the route works on
      // PartnerStack's answer. A record PartnerStack does not know is a forgery, refused like a wrong token.
      const confirmed = await readBack(request, 'partnerstack', () => confirmPartnerStackEvent(partnerstack.client, { ...delivered, key }));
      if (confirmed.kind === 'unconfirmed') refuse(request, 'partnerstack', confirmed.reason);
      if (confirmed.kind === 'unsupported') return answer(request, reply, 'partnerstack', [{ result: 'ignored', reason: confirmed.reason }]);
      // The delivery's own identity (event, key, time) de-duplicates; the record read back may have moved on since.
      const updated = (delivered as { updated_at?: unknown }).updated_at ?? '';
      return answer(request, reply, 'partnerstack', [await follow(context, route, confirmed.record, `partnerstack:${event}:${key}:${updated}`, event)]);
    });

    app.post('/jotform/:token', {
      config: { public: true },
      schema: { ...common, operationId: 'jotformWebhook', summary: 'JotForm submissions (secret token in the URL; re-read through JotForm\'s API); start the channel-partner request', consumes: ['multipart/form-data'], params: z.object({ token: z.string() }), response: responses },
    }, async (request, reply) => {
      const jotform = settings.jotform;
      if (!jotform) throw notConfigured('JotForm', 'JOTFORM_API_KEY and JOTFORM_WEBHOOK_TOKEN');
      if (!verifyJotFormToken(request.params.token, jotform.token)) refuse(request, 'jotform', 'secret-mismatch');
      if (!request.isMultipart()) refuse(request, 'jotform', 'expected multipart/form-data', 'invalid-request');
      const fields: Record<string, string> = {};
      for await (const part of request.parts()) if (part.type === 'field') fields[part.fieldname] = String(part.value);
      const confirmed = await readBack(request, 'jotform', () => confirmJotFormSubmission(jotform.client, fields, jotform.formIds));
      if (!confirmed.ok) {
        if (confirmed.reason === 'malformed') refuse(request, 'jotform', 'formID and submissionID must be numeric', 'invalid-request');
        if (confirmed.reason === 'unknown-form') return answer(request, reply, 'jotform', [{ result: 'ignored', reason: `form ${fields.formID} is not on the allow-list` }]);
        refuse(request, 'jotform', confirmed.reason);
      }
      const submission = confirmed.submission;
      return answer(request, reply, 'jotform', [await follow(context, settings.routes.jotform.submission, submission, `jotform:${submission.submissionId}`, 'submission')]);
    });

    app.post('/pandadoc', {
      config: { public: true },
      schema: { ...common, operationId: 'pandadocWebhook', summary: 'PandaDoc document state changes (?signature= HMAC); delivered to the instance that created the document', querystring: z.object({ signature: z.string().optional() }), response: responses },
    }, async (request, reply) => {
      if (!settings.pandadocKey) throw notConfigured('PandaDoc', 'PANDADOC_WEBHOOK_KEY');
      const verdict = verifyPandaDocSignature(rawBody(request), request.query.signature, settings.pandadocKey);
      if (!verdict.ok) refuse(request, 'pandadoc', verdict.reason);
      let events;
      try {
        events = readPandaDocEvents(rawBody(request));
      } catch (error) {
        return refuse(request, 'pandadoc', `not PandaDoc's notification array: ${(error as Error).message.slice(0, 200)}`, 'invalid-request');
      }
      const results: Outcome[] = [];
      for (const event of events) {
        const workflowId = workflowIdOfKey(event.workflowKey);
        if (!workflowId) results.push({ result: 'ignored', reason: `document ${event.documentId} was not created by an instance` });
        else results.push(await deliverTo(context.client, workflowId, eventName('pandadoc', event.status ?? event.event), event, `pandadoc:${event.documentId}:${event.status ?? event.event}`));
      }
      return answer(request, reply, 'pandadoc', results);
    });

    app.post('/docusign', {
      config: { public: true },
      schema: { ...common, operationId: 'docusignWebhook', summary: 'DocuSign Connect (X-DocuSign-Signature-N HMAC); delivered to the instance that created the envelope', response: responses },
    }, async (request, reply) => {
      if (!settings.docusignKeys?.length) throw notConfigured('DocuSign', 'DOCUSIGN_CONNECT_KEYS');
      const verdict = verifyDocuSignConnect(rawBody(request), request.headers, settings.docusignKeys);
      if (!verdict.ok) refuse(request, 'docusign', verdict.reason);
      let event;
      try {
        event = readDocuSignEvent(rawBody(request));
      } catch (error) {
        return refuse(request, 'docusign', `not a Connect JSON payload: ${(error as Error).message.slice(0, 200)}`, 'invalid-request');
      }
      const workflowId = workflowIdOfKey(event.workflowKey);
      if (!workflowId) return answer(request, reply, 'docusign', [{ result: 'ignored', reason: `envelope ${event.envelopeId} was not created by an instance` }]);
      return answer(request, reply, 'docusign', [await deliverTo(context.client, workflowId, eventName('docusign', event.event), event, `docusign:${event.envelopeId}:${event.event}`)]);
    });
  };
}

