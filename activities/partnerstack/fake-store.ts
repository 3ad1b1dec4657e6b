/**
 * The PartnerStack fake's in-memory program: groups with their deal-stage lists, partnerships, deals,
 * customers and rewards (commissions), with the rules our actions depend on: a deal's stage must be in its
 * group's list, `customer_key` is unique, deleting a partnership or deal archives it. Errors are thrown as
 * PartnerStackFakeError carrying the `{data, message, status}` envelope the routes send back.
 */
import { randomBytes } from 'node:crypto';

export class PartnerStackFakeError extends Error {
  constructor(readonly status: number, message: string, readonly field?: string) {
    super(message);
  }
}

/** The envelope every answer uses; errors name the field at fault under `errors` (shape [unverified]). */
export function envelope(status: number, message: string, data: unknown = null, field?: string) {
  return { data, message, status, ...(field ? { errors: { [field]: [message] } } : {}) };
}

export interface Group { key: string; name: string; deal_stages: string[] }
export interface FakePartnership { key: string; email: string; first_name: string; last_name: string; group: { key: string; name: string }; archived: boolean; created_at: number; updated_at: number }
export interface FakeDeal { key: string; partner_key: string | null; group_key: string; account_name: string; amount: number | null; close_date: string | null; stage: string; external_key: string | null; lost_reason: string | null; archived: boolean; created_at: number; updated_at: number }
export interface FakeCustomer { key: string; customer_key: string; email: string; name: string | null; partner_key: string; created_at: number; updated_at: number }
export interface FakeReward { key: string; partner_key: string; amount: number; currency: string; description: string; status: string; created_at: number }

/** Default deal stages; seed 000 moves the PartnerStack deal to "Close won". */
export const DEFAULT_DEAL_STAGES = ['Deal registered', 'Contract sent', 'Close won', 'Close lost'];

const newKey = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

export class PartnerStackFakeStore {
  readonly groups: Group[] = [{ key: 'grup_resellers', name: 'Reseller Partners', deal_stages: [...DEFAULT_DEAL_STAGES] }];
  readonly partnerships: FakePartnership[] = [];
  readonly deals: FakeDeal[] = [];
  readonly customers: FakeCustomer[] = [];
  readonly rewards: FakeReward[] = [];
  /** Strictly increasing timestamps keep "newest first" ordering stable within one millisecond. */
  private clock = Date.now();
  private now = () => Math.max(++this.clock, Date.now());

  addPartner(input: { email: string; firstName?: string; lastName?: string; groupKey?: string }): FakePartnership {
    const group = this.group(input.groupKey ?? this.groups[0].key);
    const at = this.now();
    const partner = { key: newKey('part'), email: input.email, first_name: input.firstName ?? '', last_name: input.lastName ?? '', group: { key: group.key, name: group.name }, archived: false, created_at: at, updated_at: at };
    this.partnerships.push(partner);
    return partner;
  }

  addReward(input: { partnerKey: string; amount: number; status?: string; description?: string; currency?: string }): FakeReward {
    this.partner(input.partnerKey);
    const reward = { key: newKey('rwrd'), partner_key: input.partnerKey, amount: input.amount, currency: input.currency ?? 'USD', description: input.description ?? 'Commission', status: input.status ?? 'pending', created_at: this.now() };
    this.rewards.push(reward);
    return reward;
  }

  group(key: string): Group {
    const group = this.groups.find((g) => g.key === key);
    if (!group) throw new PartnerStackFakeError(400, `group ${key} does not exist`, 'group_key');
    return group;
  }

  partner(key: string): FakePartnership {
    const partner = this.partnerships.find((p) => p.key === key);
    if (!partner) throw new PartnerStackFakeError(404, `partnership ${key} not found`);
    return partner;
  }

  archivePartner(key: string): FakePartnership {
    const partner = this.partner(key);
    partner.archived = true;
    partner.updated_at = this.now();
    return partner;
  }

  createDeal(body: Record<string, unknown>): FakeDeal {
    const partnerKey = typeof body.partner_key === 'string' ? body.partner_key : null;
    if (!partnerKey && typeof body.group_key !== 'string') throw new PartnerStackFakeError(400, 'one of partner_key or group_key is required', 'partner_key');
    if (typeof body.account_name !== 'string' || !body.account_name) throw new PartnerStackFakeError(400, 'account_name is required', 'account_name');
    const partner = partnerKey ? this.partner(partnerKey) : null;
    if (partner?.archived) throw new PartnerStackFakeError(400, `partnership ${partnerKey} is archived`, 'partner_key');
    const group = this.group(partner?.group.key ?? (body.group_key as string));
    const stage = this.validStage(group, body.stage ?? group.deal_stages[0]);
    const at = this.now();
    const deal: FakeDeal = {
      key: newKey('deal'), partner_key: partnerKey, group_key: group.key, account_name: body.account_name, stage,
      amount: typeof body.amount === 'number' ? body.amount : null, close_date: typeof body.close_date === 'string' ? body.close_date : null,
      external_key: typeof body.external_key === 'string' ? body.external_key : null, lost_reason: null, archived: false, created_at: at, updated_at: at,
    };
    this.deals.push(deal);
    return deal;
  }

  deal(key: string): FakeDeal {
    const deal = this.deals.find((d) => d.key === key);
    if (!deal) throw new PartnerStackFakeError(404, `deal ${key} not found`);
    return deal;
  }

  updateDeal(key: string, body: Record<string, unknown>): FakeDeal {
    const deal = this.deal(key);
    if (body.stage !== undefined) deal.stage = this.validStage(this.group(deal.group_key), body.stage);
    if (typeof body.external_key === 'string') deal.external_key = body.external_key;
    if (typeof body.lost_reason === 'string') deal.lost_reason = body.lost_reason;
    deal.updated_at = this.now();
    return deal;
  }

  createCustomer(body: Record<string, unknown>): FakeCustomer {
    for (const field of ['customer_key', 'email', 'partner_key']) {
      if (typeof body[field] !== 'string' || !body[field]) throw new PartnerStackFakeError(400, `${field} is required`, field);
    }
    if (this.customers.some((c) => c.customer_key === body.customer_key)) {
      throw new PartnerStackFakeError(409, `a customer with customer_key ${body.customer_key} already exists`, 'customer_key');
    }
    this.partner(body.partner_key as string);
    const at = this.now();
    const customer = { key: newKey('cust'), customer_key: body.customer_key as string, email: body.email as string, name: typeof body.name === 'string' ? body.name : null, partner_key: body.partner_key as string, created_at: at, updated_at: at };
    this.customers.push(customer);
    return customer;
  }

  customer(customerKey: string): FakeCustomer {
    const customer = this.customers.find((c) => c.customer_key === customerKey);
    if (!customer) throw new PartnerStackFakeError(404, `customer ${customerKey} not found`);
    return customer;
  }

  private validStage(group: Group, stage: unknown): string {
    if (typeof stage !== 'string' || !group.deal_stages.includes(stage)) {
      throw new PartnerStackFakeError(400, `stage "${String(stage)}" is not one of ${group.deal_stages.map((s) => `"${s}"`).join(', ')}`, 'stage');
    }
    return stage;
  }
}

/** A cursor page as PartnerStack lists: newest first, `starting_after` an item key, `limit` 1–250. */
export function pageOf<T extends { key: string; created_at: number }>(items: T[], query: { limit?: string; starting_after?: string }) {
  const sorted = [...items].sort((a, b) => b.created_at - a.created_at);
  const limit = Math.min(Math.max(Number(query.limit ?? 10) || 10, 1), 250);
  const start = query.starting_after ? sorted.findIndex((i) => i.key === query.starting_after) + 1 : 0;
  const slice = sorted.slice(start, start + limit);
  return { items: slice, has_more: start + limit < sorted.length };
}
