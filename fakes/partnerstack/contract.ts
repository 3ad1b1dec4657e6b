/**
 * PartnerStack's vendor API (v2), as far as the connector uses it. Sources:
 *   [api]   PartnerStack developer docs, "Partner API" overview (docs.partnerstack.com/docs/partner-api):
 *           the `{data, message, status}` envelope, `{message, status}` errors, cursor pagination
 *           (`limit` 1–250, `starting_after`, `ending_before`, `has_more`), epoch-millisecond timestamps.
 *   [ref]   PartnerStack API reference (docs.partnerstack.com/reference), per operation as named below;
 *           mirrored as OpenAPI in github.com/api-evangelist/partnerstack `openapi/partnerstack-*-api-openapi.yml`.
 *   [keys]  PartnerStack help, "API keys": the vendor API authenticates with HTTP Basic, public key as user
 *           name and secret key as password (team reference vendors.md §2).
 *   [rew]   PartnerStack help, "Reviewing partner rewards": reward statuses hold, pending (shown "New"),
 *           approved, declined, paid.
 *
 * Not documented, so not relied on: an `email` filter on partnerships and an `archived` field on a
 * partnership or deal (partnerships are listed without archived ones unless `include_archived=true` [ref]),
 * a `partner_key` filter or field on rewards (a reward names its partner in `partnership.key`), rate limits.
 */
import { z } from 'zod';
import { defineContract } from '../shared/contract';

const paging = {
  limit: z.coerce.number().int().min(1).max(250).optional(),
  starting_after: z.string().optional(),
  ending_before: z.string().optional(),
};
const epochMs = z.coerce.number().int().optional();
const bool = z.enum(['true', 'false']).optional();

const envelope = <T extends z.ZodType>(data: T) => z.looseObject({ data, message: z.string(), status: z.union([z.number(), z.string()]) });
const page = <T extends z.ZodType>(item: T) => envelope(z.looseObject({ items: z.array(item), has_more: z.boolean() }));

export const Partnership = z.looseObject({
  key: z.string(),
  email: z.string(),
  first_name: z.string().nullish(),
  last_name: z.string().nullish(),
  group: z.looseObject({ key: z.string(), name: z.string().nullish() }).nullish(),
  created_at: z.number(),
});

export const Deal = z.looseObject({
  key: z.string(),
  account_name: z.string().nullish(),
  amount: z.number().nullish(),
  close_date: z.string().nullish(),
  stage: z.string().nullish(),
  external_key: z.string().nullish(),
  partner_key: z.string().nullish(),
  created_at: z.number(),
});

export const Customer = z.looseObject({
  key: z.string(),
  customer_key: z.string(),
  email: z.string().nullish(),
  name: z.string().nullish(),
  partner_key: z.string().nullish(),
  created_at: z.number(),
});

export const REWARD_STATUSES = ['hold', 'pending', 'approved', 'declined', 'paid'] as const;

export const Reward = z.looseObject({
  key: z.string(),
  amount: z.number(),
  currency: z.string().nullish(),
  description: z.string().nullish(),
  reward_status: z.enum(REWARD_STATUSES),
  partnership: z.looseObject({ key: z.string() }),
  created_at: z.number(),
});

export const partnerstackContract = defineContract({
  system: 'partnerstack',
  basePath: '/api',
  auth: { scheme: 'basic', source: '[keys]' },
  error: (status, message) => ({ message, status }),
  errorShape: z.looseObject({ message: z.string(), status: z.union([z.number(), z.string()]) }),
  errorSource: '[api] "Responses": errors are {message, status}',
  operations: [
    {
      id: 'partnerships.list',
      method: 'GET',
      path: '/v2/partnerships',
      query: z.object({ ...paging, order_by: z.string().optional(), has_sub_id: bool, include_offers: bool, include_archived: bool }),
      response: page(Partnership),
      source: '[ref] "List all partnerships" (GET /v2/partnerships); no email filter is documented',
    },
    { id: 'partnerships.get', method: 'GET', path: '/v2/partnerships/{partnership_key}', response: envelope(Partnership), source: '[ref] "Retrieve a partnership"' },
    {
      id: 'partnerships.archive',
      method: 'DELETE',
      path: '/v2/partnerships/{partnership_key}',
      response: envelope(z.unknown()),
      source: '[ref] "Archive a partnership" (the portal\'s "Delete partner" archives)',
    },
    {
      id: 'deals.list',
      method: 'GET',
      path: '/v2/deals',
      query: z.object({
        ...paging, min_created: epochMs, max_created: epochMs, min_updated: epochMs, max_updated: epochMs,
        group: z.string().optional(), partner_key: z.string().optional(), customer_key: z.string().optional(),
      }),
      response: page(Deal),
      source: '[ref] "List all deals" (GET /v2/deals)',
    },
    {
      id: 'deals.create',
      method: 'POST',
      path: '/v2/deals',
      body: z
        .looseObject({
          partner_key: z.string().min(1).optional(),
          group_key: z.string().min(1).optional(),
          account_name: z.string().min(1),
          amount: z.number().int().nonnegative().optional(),
          close_date: z.string().optional(),
          stage: z.string().min(1).optional(),
          external_key: z.string().min(1).optional(),
        })
        .refine((b) => b.partner_key !== undefined || b.group_key !== undefined, { message: 'one of partner_key or group_key is required', path: ['partner_key'] }),
      response: envelope(Deal),
      source: '[ref] "Create a deal": partner_key (source partner) or group_key, account_name, amount in cents, close_date, stage, external_key',
    },
    {
      id: 'deals.get',
      method: 'GET',
      path: '/v2/deals/{deal_key}',
      response: envelope(Deal),
      source: '[ref] "Retrieve a deal": the path takes the deal key or the deal\'s external_key',
    },
    {
      id: 'deals.update',
      method: 'PATCH',
      path: '/v2/deals/{deal_key}',
      body: z.looseObject({ stage: z.string().min(1).optional(), external_key: z.string().optional(), lost_reason: z.string().optional() }),
      response: envelope(Deal),
      source: '[ref] "Update a deal": stage must be one of the group\'s deal stages',
    },
    {
      id: 'customers.create',
      method: 'POST',
      path: '/v2/customers',
      body: z.looseObject({
        customer_key: z.string().min(1).nullish(),
        email: z.email().max(255),
        partner_key: z.string().min(1),
        name: z.string().max(100).optional(),
        meta: z.record(z.string(), z.unknown()).optional(),
      }),
      response: envelope(Customer),
      source: '[ref] "Create a customer": email and partner_key required; customer_key chosen by the caller and unique',
    },
    { id: 'customers.get', method: 'GET', path: '/v2/customers/{customer_key}', response: envelope(Customer), source: '[ref] "Retrieve a customer"' },
    {
      id: 'rewards.list',
      method: 'GET',
      path: '/v2/rewards',
      query: z.object({
        ...paging, min_created: epochMs, max_created: epochMs,
        company_key: z.string().optional(), group_key: z.string().optional(), customer_key: z.string().optional(), invoice_key: z.string().optional(),
        payment_status: z.enum(['available', 'in_transit', 'withdrawn', 'paid_and_refunded', 'paid_externally', 'expired', 'failed', 'merging']).optional(),
        order_by: z.enum(['-created_at', 'created_at', '-amount', 'amount', '-ready_at', 'ready_at']).optional(),
        status: z.string().optional(),
        keywords: z.string().optional(),
        exclude_drip_rewards: bool, hide_archived_rewards: bool,
      }),
      response: page(Reward),
      source: '[ref] "List rewards" (GET /v2/rewards): no partner filter; `keywords` searches reward key, customer name, partner name, email and key; [rew] for reward_status',
    },
  ],
});
