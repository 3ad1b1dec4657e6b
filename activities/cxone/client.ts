/**
 * The CXone client the actions receive: a thin typed client for the Digital (DFO 3.0) API built on the
 * shared JSON HTTP client, authenticated through `CxoneSession` (token cached, refreshed once on 401) and
 * pointed at the API host discovered for the tenant. There is no server-side CXone SDK (vendors.md §3).
 *
 * Endpoints: `GET /channels`, `GET /quick-responses`, `POST /quick-responses/{id}/replace-variables`,
 * `POST /channels/{id}/outbound`, `GET /contacts/{id}/detail` and `/messages` follow NICE's agent-SDK paths
 * (vendors.md §3). Payload shapes, and `GET /organizations`, `POST /contacts` (open a case) and
 * `GET /contacts?threadIdOnExternalPlatform=` are [unverified]: confirm them against NICE's
 * `digital-message-api-docs` before production use; the fake implements exactly these shapes.
 */
import { z } from 'zod';
import { ConnectorError } from '../shared/errors';
import { createHttpClient, type HttpMethod, type RequestOptions } from '../shared/http';
import { resolveLabel } from '../shared/labels';
import { CxoneSession, SYSTEM } from './auth';
import type { CxoneConfig } from './config';

const list = <T extends z.ZodType>(item: T) => z.looseObject({ data: z.array(item) });

export const ChannelSchema = z.looseObject({ id: z.string(), name: z.string(), integrationBoxIdent: z.string() });
export const QuickResponseSchema = z.looseObject({ id: z.string(), title: z.string(), content: z.string() });
/** Every case status CXone lists (Digital Engagement API, contacts filtered by status). */
export const CASE_STATUSES = ['new', 'open', 'pending', 'escalated', 'resolved', 'closed'];
export const CaseSchema = z.looseObject({
  id: z.string(),
  status: z.string(),
  channelId: z.string(),
  threadIdOnExternalPlatform: z.string(),
  customer: z.looseObject({ id: z.string(), fullName: z.string().optional(), idOnExternalPlatform: z.string().optional() }),
});
export const MessageSchema = z.looseObject({
  id: z.string(),
  idOnExternalPlatform: z.string().nullable().optional(),
  direction: z.string(),
  messageContent: z.looseObject({ type: z.string(), payload: z.looseObject({ text: z.string() }) }),
});
export type CxoneCase = z.infer<typeof CaseSchema>;
export type CxoneMessage = z.infer<typeof MessageSchema>;

export interface OutboundEmail {
  channelId: string;
  /** The case to reply in; without it, the message opens a new case on its thread. */
  caseId?: string;
  threadIdOnExternalPlatform: string;
  subject?: string;
  text: string;
  to: { email: string; name?: string };
}

export class CxoneClient {
  private readonly session: CxoneSession;
  private quickResponses?: Promise<Array<z.infer<typeof QuickResponseSchema>>>;
  private emailChannel?: Promise<string>;

  constructor(private readonly config: CxoneConfig) {
    this.session = new CxoneSession(config);
  }

  /** One DFO API call: token, discovered host, one token refresh on 401, classified errors. */
  async request<T>(action: string, method: HttpMethod, path: string, options: RequestOptions<T> = {}): Promise<T> {
    await this.session.accessToken(action); // a failing grant is reported as such, before any API call
    const http = createHttpClient({
      system: SYSTEM,
      baseUrl: `${await this.session.apiBaseUrl(action)}/dfo/3.0`,
      timeoutMs: this.config.timeoutMs,
      headers: async () => ({ authorization: `Bearer ${await this.session.accessToken(action)}` }),
      onUnauthorized: () => this.session.refresh(action),
    });
    return http.request(action, method, path, options);
  }

  /** The email channel to send from: configured, or the only email channel of the tenant. */
  emailChannelId(action: string, signal?: AbortSignal): Promise<string> {
    if (this.config.emailChannelId) return Promise.resolve(this.config.emailChannelId);
    this.emailChannel ??= this.request(action, 'GET', '/channels', { schema: list(ChannelSchema), signal }).then(
      ({ data }) => {
        const email = data.filter((c) => c.integrationBoxIdent === 'email');
        if (email.length === 1) return email[0].id;
        this.emailChannel = undefined;
        const which = email.length ? `${email.length} email channels (${email.map((c) => `"${c.name}" ${c.id}`).join(', ')})` : 'no email channel';
        throw new ConnectorError(SYSTEM, action, `the tenant has ${which}; set CXONE_EMAIL_CHANNEL_ID`, { retryable: false });
      },
      (err: unknown) => {
        this.emailChannel = undefined;
        throw err;
      },
    );
    return this.emailChannel;
  }

  /** A quick response by its title ("New Channel Req 1"); the list is cached for the client's lifetime. */
  async quickResponse(action: string, title: string, signal?: AbortSignal) {
    this.quickResponses ??= this.request(action, 'GET', '/quick-responses', { schema: list(QuickResponseSchema), signal }).then(
      ({ data }) => data,
      (err: unknown) => {
        this.quickResponses = undefined;
        throw err;
      },
    );
    const all = await this.quickResponses;
    return resolveLabel({ system: SYSTEM, action, kind: 'quick reply', field: 'quickReply' }, title, all.map((q) => ({ ...q, label: q.title })));
  }

  /**
   * The case opened on one of our threads, if any. CXone lists cases filtered by status (not by thread), so
   * every status is asked for and the thread id matched here; the thread id is ours, chosen per step.
   */
  async findCaseByThread(action: string, threadIdOnExternalPlatform: string, signal?: AbortSignal): Promise<CxoneCase | undefined> {
    let scrollToken: string | undefined;
    do {
      const page = await this.request(action, 'GET', '/contacts', {
        query: { status: CASE_STATUSES, scrollToken },
        schema: list(CaseSchema).extend({ scrollToken: z.string().optional() }),
        signal,
      });
      const found = page.data.find((c) => c.threadIdOnExternalPlatform === threadIdOnExternalPlatform);
      if (found) return found;
      scrollToken = page.data.length > 0 ? page.scrollToken : undefined;
    } while (scrollToken);
    return undefined;
  }

  caseDetail(action: string, caseId: string, signal?: AbortSignal): Promise<CxoneCase> {
    return this.request(action, 'GET', `/contacts/${encodeURIComponent(caseId)}/detail`, { schema: CaseSchema, signal });
  }

  async caseMessages(action: string, caseId: string, signal?: AbortSignal): Promise<CxoneMessage[]> {
    return (await this.request(action, 'GET', `/contacts/${encodeURIComponent(caseId)}/messages`, { schema: list(MessageSchema), signal })).data;
  }

  /** Fills a quick response's placeholders for a case (customer name, ...) and the given variables. */
  async renderQuickResponse(action: string, quickResponseId: string, caseId: string | undefined, variables: Record<string, string>, signal?: AbortSignal): Promise<string> {
    const rendered = await this.request(action, 'POST', `/quick-responses/${encodeURIComponent(quickResponseId)}/replace-variables`, {
      body: { ...(caseId ? { contactId: caseId } : {}), variables },
      schema: z.looseObject({ content: z.string() }),
      signal,
    });
    return rendered.content;
  }

  async sendOutbound(action: string, email: OutboundEmail, signal?: AbortSignal): Promise<{ caseId: string; message: CxoneMessage }> {
    const sent = await this.request(action, 'POST', `/channels/${encodeURIComponent(email.channelId)}/outbound`, {
      body: {
        thread: { idOnExternalPlatform: email.threadIdOnExternalPlatform, ...(email.subject ? { threadName: email.subject } : {}) },
        ...(email.caseId ? { contact: { id: email.caseId } } : {}),
        messageContent: { type: 'TEXT', payload: { text: email.text } },
        recipients: [{ idOnExternalPlatform: email.to.email, name: email.to.name ?? email.to.email, isPrimary: true, isPrivate: false }],
      },
      schema: z.looseObject({ consumerContact: z.looseObject({ id: z.string() }), message: MessageSchema }),
      signal,
    });
    return { caseId: sent.consumerContact.id, message: sent.message };
  }
}
