/**
 * PartnerStack actions: partners (find, read by key, archive = the portal's "Delete partner"), open commissions before
 * off-boarding, deals (create, read, find by external key, move stage such as "Close won") and customers
 * (the partner's "Referral"). Creates are idempotent through caller-chosen keys: `external_key` on deals,
 * `customer_key` on customers, both defaulting to the step's idempotency key.
 */
import { z } from 'zod';
import { defineAction } from '../shared/action';
import { ConnectorError } from '../shared/errors';
import { Customer, Deal, Partnership, Reward, SYSTEM, type PartnerStackClient } from './client';

const Key = z.string().min(1);

function summarizePartner(p: Partnership, archived: boolean) {
  return { key: p.key, email: p.email, name: [p.first_name, p.last_name].filter(Boolean).join(' '), group: p.group?.name ?? null, archived };
}

function summarizeDeal(d: Deal) {
  return { key: d.key, accountName: d.account_name ?? null, stage: d.stage ?? null, amount: d.amount ?? null, externalKey: d.external_key ?? null, partnerKey: d.partner_key ?? null };
}

/**
 * PartnerStack documents no `email` filter on partnerships and no `archived` field on one, so a partner is
 * found by email by reading the list (archived ones included, `include_archived=true`), and it is archived
 * when the default list (which leaves archived partnerships out) does not hold it.
 */
async function findPartnership(client: PartnerStackClient, action: string, email: string, signal: AbortSignal) {
  const all = await client.list(action, '/v2/partnerships', { include_archived: 'true' }, Partnership, signal);
  return all.find((p) => p.email.toLowerCase() === email.toLowerCase()) ?? null;
}

async function isArchived(client: PartnerStackClient, action: string, partnerKey: string, signal: AbortSignal): Promise<boolean> {
  const active = await client.list(action, '/v2/partnerships', {}, Partnership, signal);
  return !active.some((p) => p.key === partnerKey);
}

/** Reads a partnership by key; a key PartnerStack does not know fails without retry (never "nothing to do"). */
async function knownPartnership(client: PartnerStackClient, action: string, partnerKey: string, signal: AbortSignal): Promise<Partnership> {
  const partner = await client.dataOrNull(action, `/v2/partnerships/${encodeURIComponent(partnerKey)}`, Partnership, signal);
  if (!partner) throw new ConnectorError(SYSTEM, action, `PartnerStack knows no partner ${partnerKey}`, { status: 404, field: 'partnerKey', retryable: false });
  return partner;
}

// ---- partners -------------------------------------------------------------------------------------------

export const findPartner = defineAction({
  name: 'partnerstack.findPartner',
  description: 'Finds a partner (partnership) by email; returns {found, partner}.',
  input: z.object({ email: z.email() }),
  mutates: false,
  async run(client: PartnerStackClient, input, { signal }) {
    const action = 'partnerstack.findPartner';
    const partner = await findPartnership(client, action, input.email, signal);
    if (!partner) return { found: false, partner: null };
    return { found: true, partner: summarizePartner(partner, await isArchived(client, action, partner.key, signal)) };
  },
});

export const getPartner = defineAction({
  name: 'partnerstack.getPartner',
  description: 'Reads a partner (partnership) by key: email, name and group (e.g. "Reseller Partners"), which tells a reseller from an individual virtual sales partner. An unknown key fails.',
  input: z.object({ partnerKey: Key }),
  mutates: false,
  async run(client: PartnerStackClient, input, { signal }) {
    const action = 'partnerstack.getPartner';
    const partner = await knownPartnership(client, action, input.partnerKey, signal);
    return summarizePartner(partner, await isArchived(client, action, partner.key, signal));
  },
});

export const archivePartner = defineAction({
  name: 'partnerstack.archivePartner',
  description: 'Removes a partner from the program (the portal\'s "Delete partner", which archives); no-op if already archived.',
  input: z
    .object({ partnerKey: Key.optional(), email: z.email().optional() })
    .refine((i) => i.partnerKey !== undefined || i.email !== undefined, { message: 'give partnerKey or email', path: ['partnerKey'] }),
  mutates: true,
  async run(client: PartnerStackClient, input, { signal }) {
    const action = 'partnerstack.archivePartner';
    const partner = input.partnerKey ? await knownPartnership(client, action, input.partnerKey, signal) : await findPartnership(client, action, input.email as string, signal);
    if (!partner) throw new ConnectorError(SYSTEM, action, `PartnerStack knows no partner ${input.email}`, { status: 404, field: 'email', retryable: false });
    // Reading first makes a retried step (or a partner archived by hand in the portal) a success, not an error.
    if (await isArchived(client, action, partner.key, signal)) return { partnerKey: partner.key, archived: true, alreadyArchived: true };
    await client.data(action, 'DELETE', `/v2/partnerships/${encodeURIComponent(partner.key)}`, z.unknown(), { signal });
    return { partnerKey: partner.key, archived: true, alreadyArchived: false };
  },
});

/** Rewards in these states are still owed: hold, pending ("New" in the portal) and approved; declined and paid are settled. */
const OWED = new Set(['hold', 'pending', 'approved']);

export const openCommissions = defineAction({
  name: 'partnerstack.openCommissions',
  description: 'Lists the commissions (rewards) not yet paid out to a partner; returns {count, totalAmount, items}. An unknown partner key fails.',
  input: z.object({ partnerKey: Key }),
  mutates: false,
  async run(client: PartnerStackClient, input, { signal }) {
    const action = 'partnerstack.openCommissions';
    await knownPartnership(client, action, input.partnerKey, signal);
    // No partner filter is documented on rewards: `keywords` (which also searches the partner key) narrows
    // the list, and the reward's own `partnership.key` decides.
    const rewards = await client.list(action, '/v2/rewards', { keywords: input.partnerKey }, Reward, signal);
    const open = rewards.filter((r) => r.partnership.key === input.partnerKey && OWED.has(r.reward_status.toLowerCase()));
    return {
      count: open.length,
      /** In cents, as PartnerStack reports amounts. */
      totalAmount: open.reduce((sum, r) => sum + r.amount, 0),
      items: open.map((r) => ({ key: r.key, amount: r.amount, currency: r.currency ?? null, status: r.reward_status, description: r.description ?? null })),
    };
  },
});

// ---- deals ----------------------------------------------------------------------------------------------

/** The deal path takes the external key as well as the deal key (PartnerStack API reference, "Retrieve a deal"). */
async function findDealByExternalKey(client: PartnerStackClient, action: string, externalKey: string, partnerKey: string | undefined, signal: AbortSignal) {
  const deal = await client.dataOrNull(action, `/v2/deals/${encodeURIComponent(externalKey)}`, Deal, signal);
  if (!deal || deal.external_key !== externalKey) return null;
  return partnerKey === undefined || deal.partner_key === partnerKey ? deal : null;
}

export const createDeal = defineAction({
  name: 'partnerstack.createDeal',
  description: 'Registers a deal for a partner; the external key (default: the step\'s idempotency key) makes a retry find it instead of duplicating.',
  input: z.object({
    partnerKey: Key,
    accountName: z.string().min(1),
    stage: z.string().min(1).describe('A stage of the partner group\'s deal-stage list'),
    amount: z.number().int().nonnegative().optional().describe('In cents'),
    closeDate: z.iso.date().optional(),
    externalKey: z.string().min(1).optional().describe('e.g. the HubSpot deal id'),
  }),
  mutates: true,
  async run(client: PartnerStackClient, input, { signal, idempotencyKey }) {
    const action = 'partnerstack.createDeal';
    const externalKey = input.externalKey ?? idempotencyKey;
    // PartnerStack has no idempotency on the wire: look for our key before creating.
    const existing = await findDealByExternalKey(client, action, externalKey, undefined, signal);
    if (existing) return { key: existing.key, created: false };
    const deal = await client.data(action, 'POST', '/v2/deals', Deal, {
      signal,
      body: { partner_key: input.partnerKey, account_name: input.accountName, stage: input.stage, amount: input.amount, close_date: input.closeDate, external_key: externalKey },
    });
    return { key: deal.key, created: true };
  },
});

export const getDeal = defineAction({
  name: 'partnerstack.getDeal',
  description: 'Reads a deal: account, stage, amount, external key, partner.',
  input: z.object({ dealKey: Key }),
  mutates: false,
  async run(client: PartnerStackClient, input, { signal }) {
    return summarizeDeal(await client.data('partnerstack.getDeal', 'GET', `/v2/deals/${encodeURIComponent(input.dealKey)}`, Deal, { signal }));
  },
});

export const findDeal = defineAction({
  name: 'partnerstack.findDeal',
  description: 'Finds a deal by its external key (e.g. the HubSpot deal id), optionally only if it is one partner\'s deal.',
  input: z.object({ externalKey: z.string().min(1), partnerKey: Key.optional() }),
  mutates: false,
  async run(client: PartnerStackClient, input, { signal }) {
    const deal = await findDealByExternalKey(client, 'partnerstack.findDeal', input.externalKey, input.partnerKey, signal);
    return deal ? { found: true, deal: summarizeDeal(deal) } : { found: false, deal: null };
  },
});

export const moveDeal = defineAction({
  name: 'partnerstack.moveDeal',
  description: 'Sets a deal\'s stage, e.g. "Close won"; succeeds without writing when the deal is already there.',
  input: z.object({ dealKey: Key, stage: z.string().min(1) }),
  mutates: true,
  async run(client: PartnerStackClient, input, { signal }) {
    const action = 'partnerstack.moveDeal';
    const path = `/v2/deals/${encodeURIComponent(input.dealKey)}`;
    // Read first: the HubSpot↔PartnerStack sync may already have moved it, and we should not fight it.
    const current = await client.data(action, 'GET', path, Deal, { signal });
    if (current.stage === input.stage) return { key: current.key, stage: input.stage, changed: false };
    try {
      const updated = await client.data(action, 'PATCH', path, Deal, { signal, body: { stage: input.stage } });
      return { key: updated.key, stage: updated.stage ?? input.stage, changed: true };
    } catch (err) {
      // PartnerStack's error body is {message, status} and names no field; the stage is the one thing sent.
      if (err instanceof ConnectorError && err.details.status === 400) throw new ConnectorError(SYSTEM, action, err.message.replace(`${action}: `, ''), { ...err.details, field: 'stage' });
      throw err;
    }
  },
});

// ---- customers ------------------------------------------------------------------------------------------

export const createCustomer = defineAction({
  name: 'partnerstack.createCustomer',
  description: 'Records a customer referred by a partner; the customer key (default: the step\'s idempotency key) makes it happen once.',
  input: z.object({
    partnerKey: Key,
    email: z.email(),
    name: z.string().optional(),
    customerKey: z.string().min(1).optional().describe('e.g. the HubSpot company id or ODB company ID'),
  }),
  mutates: true,
  async run(client: PartnerStackClient, input, { signal, idempotencyKey }) {
    const action = 'partnerstack.createCustomer';
    const customerKey = input.customerKey ?? idempotencyKey;
    const path = `/v2/customers/${encodeURIComponent(customerKey)}`;
    const existing = await client.dataOrNull(action, path, Customer, signal);
    if (existing) return { key: existing.key, customerKey, created: false };
    try {
      const customer = await client.data(action, 'POST', '/v2/customers', Customer, {
        signal,
        body: { customer_key: customerKey, partner_key: input.partnerKey, email: input.email, name: input.name },
      });
      return { key: customer.key, customerKey, created: true };
    } catch (err) {
      // A create that landed while its answer was lost: the key is taken by our own earlier attempt.
      if (!(err instanceof ConnectorError) || err.details.status !== 409) throw err;
      const created = await client.data(action, 'GET', path, Customer, { signal });
      return { key: created.key, customerKey, created: false };
    }
  },
});

export const findCustomer = defineAction({
  name: 'partnerstack.findCustomer',
  description: 'Checks that a customer (the partner\'s "Referral") exists, by customer key; returns {found, customer}.',
  input: z.object({ customerKey: z.string().min(1) }),
  mutates: false,
  async run(client: PartnerStackClient, input, { signal }) {
    const customer = await client.dataOrNull('partnerstack.findCustomer', `/v2/customers/${encodeURIComponent(input.customerKey)}`, Customer, signal);
    return customer
      ? { found: true, customer: { key: customer.key, customerKey: customer.customer_key, email: customer.email ?? null, partnerKey: customer.partner_key ?? null } }
      : { found: false, customer: null };
  },
});

export const partnerstackActions = [
  findPartner, getPartner, archivePartner, openCommissions,
  createDeal, getDeal, findDeal, moveDeal,
  createCustomer, findCustomer,
] as const;
