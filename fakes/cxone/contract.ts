/**
 * NICE CXone: the issuer (OpenID discovery, token endpoint, CXone's API discovery) and the Digital Engagement
 * (DFO 3.0) endpoints the connector uses, and only those. Sources:
 *   [oidc]  OpenID Connect Discovery 1.0 §4 (`{issuer}/.well-known/openid-configuration`, `token_endpoint`),
 *           as CXone's issuer publishes it; the team reference vendors.md §3 for the password grant with the
 *           access key and Basic client credentials.
 *   [disc]  NICE CXone developer portal, "Getting started / API discovery": `{issuer}/.well-known/
 *           cxone-configuration?tenantId=` gives `api_endpoint`.
 *   [dfo]   NICE CXone developer portal, Digital Engagement API (DFO 3.0) reference: channels, "Send outbound
 *           message" on a channel (a first outbound on a new thread opens a case, answered as
 *           `consumerContact`), contacts (cases) listed and filtered by status, contact detail, contact
 *           messages, quick responses and per-contact variable replacement; paths as NICE's agent SDK
 *           constants `ApiUriConstants` name them (vendors.md §3).
 * Not used because not documented for this purpose: organisations, case-feed mentions and "relate the
 * interaction" (Salesforce objects, issue 8), and creating a case directly. The error body shape is not
 * documented [unverified]; the fake answers `{message, errors: [{field, message}]}`.
 */
import { z } from 'zod';
import { defineContract, type Contract } from '../shared/contract';

const list = <T extends z.ZodType>(item: T) => z.looseObject({ data: z.array(item) });
export const CASE_STATUSES = ['new', 'open', 'pending', 'escalated', 'resolved', 'closed'] as const;

const Case = z.looseObject({ id: z.string(), status: z.enum(CASE_STATUSES), channelId: z.string(), threadIdOnExternalPlatform: z.string() });
const Message = z.looseObject({ id: z.string(), direction: z.enum(['inbound', 'outbound']), messageContent: z.looseObject({ type: z.string(), payload: z.looseObject({ text: z.string() }) }) });

/** The contract with the token endpoint where the issuer's OpenID configuration puts it. */
export function cxoneContract(tokenPath = '/auth/token'): Contract {
  return defineContract({
    system: 'cxone',
    auth: { scheme: 'bearer', source: '[dfo] access token from the token endpoint' },
    error: (_status, message, field) => ({ message, errors: field ? [{ field, message }] : [] }),
    errorShape: z.looseObject({ message: z.string() }).or(z.looseObject({ error: z.string() })),
    errorSource: 'not documented [unverified]; OAuth errors {error, error_description} (RFC 6749 §5.2) on the token endpoint',
    operations: [
      {
        id: 'oidc.configuration', method: 'GET', path: '/.well-known/openid-configuration', auth: 'none',
        response: z.looseObject({ issuer: z.string(), token_endpoint: z.string() }),
        source: '[oidc]',
      },
      {
        id: 'oidc.token', method: 'POST', path: tokenPath, auth: 'basic', bodyType: 'form',
        body: z.looseObject({ grant_type: z.literal('password'), username: z.string().min(1), password: z.string().min(1) }),
        response: z.looseObject({ access_token: z.string(), token_type: z.string(), expires_in: z.number(), id_token: z.string() }),
        source: '[oidc] token_endpoint; vendors.md §3 password grant with the access key',
      },
      {
        id: 'cxone.configuration', method: 'GET', path: '/.well-known/cxone-configuration', auth: 'none',
        query: z.object({ tenantId: z.string() }),
        response: z.looseObject({ api_endpoint: z.string() }),
        source: '[disc]',
      },
      { id: 'channels.list', method: 'GET', path: '/dfo/3.0/channels', response: list(z.looseObject({ id: z.string(), integrationBoxIdent: z.string() })), source: '[dfo] Channels: get channels' },
      {
        id: 'channels.outbound', method: 'POST', path: '/dfo/3.0/channels/{channelId}/outbound',
        body: z.looseObject({
          thread: z.looseObject({ idOnExternalPlatform: z.string().min(1), threadName: z.string().max(250).optional() }),
          messageContent: z.looseObject({ type: z.literal('TEXT'), payload: z.looseObject({ text: z.string().min(1) }) }),
          recipients: z.array(z.looseObject({ idOnExternalPlatform: z.string(), name: z.string().optional(), isPrimary: z.boolean(), isPrivate: z.boolean() })).min(1),
          contact: z.looseObject({ id: z.string() }).optional(),
          attachments: z.array(z.unknown()).optional(),
        }),
        response: z.looseObject({ consumerContact: Case, message: Message }),
        source: '[dfo] "Send outbound message": a new thread opens a case (consumerContact)',
      },
      {
        id: 'contacts.list', method: 'GET', path: '/dfo/3.0/contacts',
        query: z.object({ status: z.union([z.enum(CASE_STATUSES), z.array(z.enum(CASE_STATUSES))]).optional(), scrollToken: z.string().optional() }),
        response: list(Case).extend({ scrollToken: z.string().optional() }),
        source: '[dfo] Contacts: get contacts, filtered by status',
        note: 'Paging by `scrollToken` as seen in NICE\'s agent SDK [unverified].',
      },
      { id: 'contacts.detail', method: 'GET', path: '/dfo/3.0/contacts/{contactId}/detail', response: Case, source: '[dfo] Contacts: contact detail' },
      { id: 'contacts.messages', method: 'GET', path: '/dfo/3.0/contacts/{contactId}/messages', response: list(Message), source: '[dfo] Contacts: contact messages (history)' },
      { id: 'quickResponses.list', method: 'GET', path: '/dfo/3.0/quick-responses', response: list(z.looseObject({ id: z.string(), title: z.string(), content: z.string() })), source: '[dfo] Quick responses' },
      {
        id: 'quickResponses.replace', method: 'POST', path: '/dfo/3.0/quick-responses/{quickResponseId}/replace-variables',
        body: z.looseObject({ contactId: z.string().optional(), variables: z.record(z.string(), z.string()).optional() }),
        response: z.looseObject({ content: z.string() }),
        source: '[dfo] Quick responses: replace variables for a contact',
      },
    ],
  });
}
