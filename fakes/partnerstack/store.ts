/**
 * The PartnerStack fake's in-memory program: groups with their deal-stage lists, partnerships, deals,
 * customers and rewards (commissions), with the rules of the API reference (contract.ts): a deal's stage
 * must be in its group's list, `customer_key` is unique, deleting a partnership archives it, a deal is found
 * by its key or its external key. Errors are thrown as FakeError and answered in PartnerStack's error shape.
 */
import { randomBytes } from 'node:crypto';
import { FakeError } from '../shared/fake-kit';
import type { REWARD_STATUSES } from './contract';

export type RewardStatus = (typeof REWARD_STATUSES)[number];

export interface Group { key: string; name: string; deal_stages: string[] }
export interface FakePartnership { key: string; email: string; first_name: string; last_name: string; group: { key: string; name: string }; created_at: number; updated_at: number }
export interface FakeDeal { key: string; partner_key: string | null; group_key: string; account_name: string; amount: number | null; close_date: string | null; stage: string; external_key: string | null; lost_reason: string | null; created_at: number; updated_at: number }
export interface FakeCustomer { key: string; customer_key: string; email: string; name: string | null; partner_key: string; created_at: number; updated_at: number }
export interface FakeReward { key: string; amount: number; currency: string; description: string; reward_status: RewardStatus; partnership: { key: string; email: string }; created_at: number; updated_at: number }

/** Default deal stages; seed 000 moves the PartnerStack deal to "Close won". */
export const DEFAULT_DEAL_STAGES = ['Deal registered', 'Contract sent', 'Close won', 'Close lost'];

const newKey = (prefix: string) => `${prefix}_${randomBytes(8).toString('hex')}`;

export class PartnerStackFakeStore {
  readonly groups: Group[] = [{ key: 'grup_resellers', name: 'Reseller Partners', deal_stages: [...DEFAULT_DEAL_STAGES] }];
  readonly partnerships: FakePartnership[] = [];
  /** Archived partnerships stay readable by key but leave the default list (the API has no `archived` field). */
  readonly archived = new Set<string>();
  readonly deals: FakeDeal[] = [];
  readonly archivedDeals = new Set<string>();
  readonly customers: FakeCustomer[] = [];
  readonly rewards: FakeReward[] = [];
  /** Strictly increasing timestamps keep "newest first" ordering stable within one millisecond. */
  private clock = Date.now();
  private now = () => Math.max(++this.clock, Date.now());

  addPartner(input: { email: string; firstName?: string; lastName?: string; groupKey?: string }): FakePartnership {
    const group = this.group(input.groupKey ?? this.groups[0].key);
    const at = this.now();
    const partner = { key: newKey('part'), email: input.email, first_name: input.firstName ?? '', last_name: input.lastName ?? '', group: { key: group.key, name: group.name }, created_at: at, updated_at: at };
    this.partnerships.push(partner);
    return partner;
  }

  addGroup(name: string): Group {
    const group = { key: newKey('grup'), name, deal_stages: [...DEFAULT_DEAL_STAGES] };
    this.groups.push(group);
    return group;
  }

  addReward(input: { partnerKey: string; amount: number; status?: RewardStatus; description?: string; currency?: string }): FakeReward {
    const partner = this.partner(input.partnerKey);
    const at = this.now();
    const reward = {
      key: newKey('rwrd'), amount: input.amount, currency: input.currency ?? 'USD', description: input.description ?? 'Commission',
      reward_status: input.status ?? 'pending', partnership: { key: partner.key, email: partner.email }, created_at: at, updated_at: at,
    };
    this.rewards.push(reward);
    return reward;
  }

  /** The `keywords` filter: reward key, partner name, email or key containing the text (customer names are not modelled). */
  rewardsMatching(keywords: string | undefined): FakeReward[] {
    if (!keywords) return this.rewards;
    const needle = keywords.toLowerCase();
    return this.rewards.filter((r) => {
      const partner = this.partnerships.find((p) => p.key === r.partnership.key);
      return [r.key, r.partnership.key, r.partnership.email, partner?.first_name, partner?.last_name].some((v) => v?.toLowerCase().includes(needle));
    });
  }

  group(key: string): Group {
    const group = this.groups.find((g) => g.key === key);
    if (!group) throw new FakeError(400, `group ${key} does not exist`, 'group_key');
    return group;
  }

  partner(key: string): FakePartnership {
    const partner = this.partnerships.find((p) => p.key === key);
    if (!partner) throw new FakeError(404, `partnership ${key} not found`);
    return partner;
  }

  listPartners(includeArchived: boolean): FakePartnership[] {
    return this.partnerships.filter((p) => includeArchived || !this.archived.has(p.key));
  }

  archivePartner(key: string): FakePartnership {
    const partner = this.partner(key);
    this.archived.add(key);
    partner.updated_at = this.now();
    return partner;
  }

  createDeal(body: Record<string, unknown>): FakeDeal {
    const partnerKey = typeof body.partner_key === 'string' ? body.partner_key : null;
    const partner = partnerKey ? this.partner(partnerKey) : null;
    if (partner && this.archived.has(partner.key)) throw new FakeError(400, `partnership ${partnerKey} is archived`, 'partner_key');
    const group = this.group(partner?.group.key ?? (body.group_key as string));
    const stage = body.stage === undefined ? group.deal_stages[0] : this.validStage(group, body.stage);
    if (typeof body.external_key === 'string' && this.deals.some((d) => d.external_key === body.external_key)) {
      throw new FakeError(400, `a deal with external_key ${body.external_key} already exists`, 'external_key');
    }
    const at = this.now();
    const deal: FakeDeal = {
      key: newKey('deal'), partner_key: partnerKey, group_key: group.key, account_name: body.account_name as string, stage,
      amount: typeof body.amount === 'number' ? body.amount : null, close_date: typeof body.close_date === 'string' ? body.close_date : null,
      external_key: typeof body.external_key === 'string' ? body.external_key : null, lost_reason: null, created_at: at, updated_at: at,
    };
    this.deals.push(deal);
    return deal;
  }

  /** By the deal's key or its external key, as the "Retrieve a deal" path accepts either. */
  deal(keyOrExternalKey: string): FakeDeal {
    const deal = this.deals.find((d) => d.key === keyOrExternalKey) ?? this.deals.find((d) => d.external_key === keyOrExternalKey);
    if (!deal) throw new FakeError(404, `deal ${keyOrExternalKey} not found`);
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
    const customerKey = typeof body.customer_key === 'string' ? body.customer_key : newKey('cust_key');
    if (this.customers.some((c) => c.customer_key === customerKey)) {
      throw new FakeError(409, `a customer with customer_key ${customerKey} already exists`, 'customer_key');
    }
    this.partner(body.partner_key as string);
    const at = this.now();
    const customer = { key: newKey('cust'), customer_key: customerKey, email: body.email as string, name: typeof body.name === 'string' ? body.name : null, partner_key: body.partner_key as string, created_at: at, updated_at: at };
    this.customers.push(customer);
    return customer;
  }

  customer(customerKey: string): FakeCustomer {
    const customer = this.customers.find((c) => c.customer_key === customerKey);
    if (!customer) throw new FakeError(404, `customer ${customerKey} not found`);
    return customer;
  }

  private validStage(group: Group, stage: unknown): string {
    if (typeof stage !== 'string' || !group.deal_stages.includes(stage)) {
      throw new FakeError(400, `stage "${String(stage)}" is not one of ${group.deal_stages.map((s) => `"${s}"`).join(', ')}`, 'stage');
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
