/**
 * The DocuSign operations the connector uses, from DocuSign's published API (each fact with its source):
 * - [openapi]  eSignature REST API v2.1 OpenAPI document (github.com/docusign/OpenAPI-Specifications,
 *              esignature.rest.swagger-v2.1.json), which docusign-esign 10.0.0 is generated from: paths and
 *              query names (the SDK's src/api/EnvelopesApi.js and TemplatesApi.js list the same names).
 * - [jwt]      "JSON Web Token (JWT) Grant": POST /oauth/token, grant_type
 *              urn:ietf:params:oauth:grant-type:jwt-bearer, an RS256 assertion with iss (integration key),
 *              sub (user id), aud (the OAuth host, no scheme), iat, exp, scope; answer {access_token,
 *              token_type: "Bearer", expires_in}; errors {error, error_description} such as invalid_grant,
 *              consent_required.
 * - [userinfo] "Get user info": GET /oauth/userinfo → {sub, name, email, accounts: [{account_id,
 *              is_default, account_name, base_uri}]}.
 * - [errors]   "Error codes": REST errors are {errorCode, message}, e.g. ENVELOPE_DOES_NOT_EXIST,
 *              TEMPLATE_ID_INVALID, INVALID_REQUEST_PARAMETER, USER_AUTHENTICATION_FAILED.
 * - [limits]   "API rules and limits": 3,000 calls per hour per account by default; every answer carries
 *              X-RateLimit-Limit, X-RateLimit-Remaining, X-RateLimit-Reset (epoch seconds); over the limit
 *              429 HOURLY_APIINVOCATION_LIMIT_EXCEEDED.
 * - [list]     Envelopes: listStatusChanges: one of from_date, envelope_ids, transaction_ids or folder_ids is
 *              required; `custom_field=<name>=<value>` filters by an envelope custom field.
 * - [connect]  Connect guide, "JSON payload" and "HMAC security": {event: "envelope-completed", data:
 *              {accountId, envelopeId, envelopeSummary}}, header X-DocuSign-Signature-1 =
 *              base64(HMAC-SHA256(key, body)).
 */
import { z } from 'zod';
import { defineContract } from '../shared/contract';

export const HOURLY_LIMIT = 3_000;

const ERROR_CODE: Record<number, string> = {
  400: 'INVALID_REQUEST_PARAMETER',
  401: 'USER_AUTHENTICATION_FAILED',
  404: 'RESOURCE_NOT_FOUND',
  405: 'INVALID_REQUEST_METHOD',
  429: 'HOURLY_APIINVOCATION_LIMIT_EXCEEDED',
};

const opt = (...names: string[]) => Object.fromEntries(names.map((n) => [n, z.string().optional()]));
const account = z.object({ accountId: z.string().uuid() });
const envelope = account.extend({ envelopeId: z.string().uuid() });
const EnvelopeAnswer = z.looseObject({ envelopeId: z.string().uuid(), status: z.enum(['created', 'sent', 'delivered', 'completed', 'declined', 'voided']), statusChangedDateTime: z.string() });

export const docusignContract = defineContract({
  system: 'docusign',
  auth: { scheme: 'bearer', source: '[jwt] Authorization: Bearer <access_token> on every REST call' },
  error: (status, message) => ({ errorCode: ERROR_CODE[status] ?? 'UNSPECIFIED_ERROR', message }),
  errorShape: z.union([z.object({ errorCode: z.string(), message: z.string() }), z.object({ error: z.string(), error_description: z.string().optional() })]),
  errorSource: '[errors] for REST; [jwt] for the OAuth endpoints',
  rateLimit: { headers: ['x-ratelimit-limit', 'x-ratelimit-remaining', 'x-ratelimit-reset'], on: 'every-answer', source: '[limits]' },
  operations: [
    {
      id: 'oauth.token',
      method: 'POST',
      path: '/oauth/token',
      auth: 'none',
      bodyType: 'form',
      body: z.object({ grant_type: z.string(), assertion: z.string() }),
      response: z.object({ access_token: z.string(), token_type: z.literal('Bearer'), expires_in: z.number().int() }),
      source: '[jwt]',
      // The OAuth service (account-d.docusign.com) is not the eSignature REST API and its limits.
      rateLimitHeaders: false,
    },
    {
      id: 'oauth.userinfo',
      method: 'GET',
      path: '/oauth/userinfo',
      response: z.object({ sub: z.string(), name: z.string(), email: z.string(), accounts: z.array(z.object({ account_id: z.string(), is_default: z.boolean(), account_name: z.string(), base_uri: z.string().url() })) }),
      source: '[userinfo]',
      rateLimitHeaders: false,
    },
    {
      id: 'templates.list',
      method: 'GET',
      path: '/restapi/v2.1/accounts/{accountId}/templates',
      params: account,
      query: z.object(opt('count', 'created_from_date', 'created_to_date', 'folder_ids', 'folder_types', 'from_date', 'include', 'is_deleted_template_only', 'is_download', 'link_configuration_id', 'modified_from_date', 'modified_to_date', 'order', 'order_by', 'search_fields', 'search_text', 'shared_by_me', 'start_position', 'template_ids', 'to_date', 'used_from_date', 'used_to_date', 'user_filter', 'user_id')),
      response: z.looseObject({ envelopeTemplates: z.array(z.looseObject({ templateId: z.string(), name: z.string() })).optional(), resultSetSize: z.string() }),
      source: '[openapi] Templates: list (GET /v2.1/accounts/{accountId}/templates)',
    },
    {
      id: 'envelopes.create',
      method: 'POST',
      path: '/restapi/v2.1/accounts/{accountId}/envelopes',
      params: account,
      query: z.object(opt('cdse_mode', 'change_routing_order', 'completed_documents_only', 'merge_roles_on_draft', 'tab_label_exact_matches')),
      body: z.looseObject({
        templateId: z.string(),
        templateRoles: z.array(z.looseObject({ roleName: z.string(), name: z.string(), email: z.email() })),
        emailSubject: z.string().max(100),
        status: z.enum(['created', 'sent']),
        customFields: z.looseObject({ textCustomFields: z.array(z.looseObject({ name: z.string(), value: z.string() })).optional() }).optional(),
      }),
      response: z.object({ envelopeId: z.string().uuid(), status: z.enum(['created', 'sent']), statusDateTime: z.string(), uri: z.string() }),
      status: 201,
      source: '[openapi] Envelopes: create (POST /v2.1/accounts/{accountId}/envelopes, EnvelopeDefinition)',
      note: 'the SDK sends the fields it was given; the fake requires templateId, templateRoles, emailSubject and status because the connector only creates from templates.',
    },
    {
      id: 'envelopes.listStatusChanges',
      method: 'GET',
      path: '/restapi/v2.1/accounts/{accountId}/envelopes',
      params: account,
      query: z.object(opt('ac_status', 'block', 'cdse_mode', 'continuation_token', 'count', 'custom_field', 'email', 'envelope_ids', 'exclude', 'folder_ids', 'folder_types', 'from_date', 'from_to_status', 'include', 'include_purge_information', 'intersecting_folder_ids', 'last_queried_date', 'order', 'order_by', 'powerformids', 'query_budget', 'requester_date_format', 'search_mode', 'search_text', 'start_position', 'status', 'to_date', 'transaction_ids', 'user_filter', 'user_id', 'user_name')),
      response: z.looseObject({ envelopes: z.array(EnvelopeAnswer).optional(), resultSetSize: z.string(), totalSetSize: z.string() }),
      source: '[openapi] Envelopes: listStatusChanges; [list]',
    },
    {
      id: 'envelopes.get',
      method: 'GET',
      path: '/restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}',
      params: envelope,
      query: z.object(opt('advanced_update', 'include', 'include_anchor_tab_locations', 'user_id')),
      response: EnvelopeAnswer,
      source: '[openapi] Envelopes: get',
    },
    {
      id: 'envelopes.update',
      method: 'PUT',
      path: '/restapi/v2.1/accounts/{accountId}/envelopes/{envelopeId}',
      params: envelope,
      query: z.object(opt('advanced_update', 'recycle_on_void', 'resend_envelope')),
      body: z.looseObject({ status: z.enum(['sent', 'voided']).optional(), voidedReason: z.string().optional() }),
      response: z.looseObject({ envelopeId: z.string().uuid() }),
      source: '[openapi] Envelopes: update (send a draft with {status: "sent"})',
    },
  ],
});
