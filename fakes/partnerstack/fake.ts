/**
 * A local PartnerStack: a real HTTP server on 127.0.0.1 serving the operations of contract.ts (partnerships,
 * deals, customers, rewards) with Basic auth and the `{data, message, status}` envelope, refusing what the
 * contract refuses. Point PARTNERSTACK_BASE_URL at `<url>` (which already ends in `/api`).
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seedPartner / POST /__control/partners      seedReward / POST /__control/rewards
 *   seedDeal / POST /__control/deals            seedGroup / POST /__control/groups
 *   linkDeal (the HubSpot sync's external key)  seedCustomer / POST /__control/customers (a "Referral" the sync records)
 *   addDealStage / POST /__control/stages       state() / GET /__control/state
 *   injectFault / POST /__control/faults        journal / GET /__control/journal
 *   sendWebhook / POST /__control/webhooks      reset / POST /__control/reset
 *   subscribe / POST /__control/webhook {url}   where deliveries go (PartnerStack's webhook settings)
 *   registerDeal / POST /__control/deals/register   a partner registers a deal in the portal: the connected
 *     HubSpot integration links it, then deal.created goes to the subscribed URL
 *   addReferral / POST /__control/deals/:key/referral   the integration lists the deal's company under "Referral"
 * Webhooks are sent as PartnerStack sends them: the record itself with a top-level `event`, booleans as
 * strings, unsigned (PartnerStack documents no signature).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { constantTimeEqual } from '../shared/compare';
import { createFakeKit, deliverWebhook, FakeError, type Fault, type FakeKit, type JournalEntry, type RunningFake } from '../shared/fake-kit';
import { persistStore } from '../shared/persist';
import { partnerstackContract } from './contract';
import { pageOf, PartnerStackFakeStore, type FakeCustomer, type Group, type FakeDeal, type FakePartnership, type FakeReward, type RewardStatus } from './store';

export interface PartnerStackFake extends RunningFake {
  /** `http://127.0.0.1:<port>`: where `/__control` lives (`url` is the API base, `<origin>/api`). */
  origin: string;
  publicKey: string;
  secretKey: string;
  /** The secret in the webhook URL PartnerStack is given (`/webhooks/partnerstack/<token>`). */
  webhookToken: string;
  journal: JournalEntry[];
  breaches: FakeKit['breaches'];
  injectFault(fault: Fault): void;
  seedPartner(input: { email: string; firstName?: string; lastName?: string; groupKey?: string }): FakePartnership;
  /** A partner group (e.g. individual virtual sales beside the default "Reseller Partners"), with the default deal stages. */
  seedGroup(name: string): Group;
  seedReward(input: { partnerKey: string; amount: number; status?: RewardStatus; description?: string }): FakeReward;
  /** A deal a partner registers in the portal (PartnerStack then sends `deal.created`). */
  seedDeal(input: { partnerKey: string; accountName: string; amount?: number; externalKey?: string }): FakeDeal;
  /** Sets a deal's external key the way PartnerStack's HubSpot integration links it to the HubSpot deal it created. */
  linkDeal(dealKey: string, externalKey: string): void;
  /** A customer (the partner's "Referral") the way the HubSpot integration records it once the HubSpot deal is approved. */
  seedCustomer(input: { partnerKey: string; customerKey: string; email: string; name?: string }): FakeCustomer;
  /** Adds a stage to the default group's deal-stage list. */
  addDealStage(stage: string): void;
  /** Moves a deal the way the HubSpot sync or a person in the portal would. */
  setDealStage(dealKey: string, stage: string): void;
  /** Archives a partnership the way a person in the portal would. */
  archivePartner(partnerKey: string): void;
  state(): { partnerships: FakePartnership[]; archived: string[]; deals: FakeDeal[]; customers: FakeCustomer[]; rewards: FakeReward[] };
  /** POSTs `record` with a top-level `event` to `url`, as PartnerStack delivers webhooks. */
  sendWebhook(url: string, event: string, record: Record<string, unknown>): Promise<{ status: number }>;
  reset(): void;
  /** Where PartnerStack delivers webhooks (its dashboard's webhook settings). */
  subscribe(url: string): void;
  integration?: HubSpotIntegration;
  /** A partner registers a deal in the portal (with the HubSpot company id the form asks for): the integration links it, then deal.created is delivered to the subscribed URL. */
  registerDeal(input: { partnerKey: string; accountName?: string; amount?: number; hubspotCompanyId: string }): Promise<{ deal: FakeDeal; delivered: { url: string; status: number } }>;
  /** The integration lists the approved deal's company under the partner's "Referral". */
  addReferral(dealKey: string): Promise<FakeCustomer>;
}

/**
 * PartnerStack's HubSpot integration, when one is connected (the embedded default connects its HubSpot fake,
 * fakes/partnerstack-hubspot.ts): what it does in HubSpot for a registered deal, and the customer it records
 * once that deal is approved.
 */
export interface HubSpotIntegration {
  /** The registration's account name when the partner gives none: the HubSpot company's name. */
  companyName(hubspotCompanyId: string): Promise<string>;
  /** Makes the HubSpot deal (and its ticket) for a deal being registered; returns its id, the deal's external key. */
  dealRegistered(deal: { accountName: string; amount: number | null }, hubspotCompanyId: string): Promise<string>;
  /** The "Referral" of an approved deal: the HubSpot company as a customer (its id the customer key). */
  referralOf(deal: FakeDeal): Promise<{ customerKey: string; email: string; name?: string }>;
}

type Body = Record<string, unknown>;

export async function startPartnerStackFake(options: { publicKey?: string; secretKey?: string; port?: number; stateFile?: string } = {}): Promise<PartnerStackFake> {
  const publicKey = options.publicKey ?? `pk_fake_${randomBytes(8).toString('hex')}`;
  const secretKey = options.secretKey ?? `sk_fake_${randomBytes(16).toString('hex')}`;
  const webhookToken = randomBytes(24).toString('base64url');
  let store = new PartnerStackFakeStore();
  let webhookUrl: string | undefined;

  const kit = createFakeKit({
    contract: partnerstackContract,
    reset: () => fake.reset(),
    credentials: { basic: (user, password) => constantTimeEqual(user, publicKey) && constantTimeEqual(password, secretKey) },
  });
  const ok = (data: unknown, message = 'Success') => ({ data, message, status: 200 });

  kit.handle('partnerships.list', ({ query }) => ok(pageOf(store.listPartners(query.include_archived === 'true'), query)));
  kit.handle('partnerships.get', ({ params }) => ok(store.partner(params.partnership_key)));
  kit.handle('partnerships.archive', ({ params }) => ok(store.archivePartner(params.partnership_key), 'Partnership archived'));
  kit.handle('deals.list', ({ query }) => ok(pageOf(store.deals.filter((d) => !query.partner_key || d.partner_key === query.partner_key), query)));
  kit.handle('deals.create', ({ body }) => ok(store.createDeal(body as Body)));
  kit.handle('deals.get', ({ params }) => ok(store.deal(params.deal_key)));
  kit.handle('deals.update', ({ params, body }) => ok(store.updateDeal(params.deal_key, body as Body)));
  kit.handle('customers.create', ({ body }) => ok(store.createCustomer(body as Body)));
  kit.handle('customers.get', ({ params }) => ok(store.customer(params.customer_key)));
  kit.handle('rewards.list', ({ query }) => ok(pageOf(store.rewardsMatching(query.keywords), query)));

  const fake: PartnerStackFake = {
    system: 'partnerstack',
    url: '',
    env: {},
    origin: '',
    publicKey,
    secretKey,
    webhookToken,
    journal: kit.journal,
    breaches: kit.breaches,
    injectFault: kit.injectFault,
    seedPartner: (input) => store.addPartner(input),
    seedGroup: (name) => store.addGroup(name),
    linkDeal: (dealKey, externalKey) => void store.updateDeal(dealKey, { external_key: externalKey }),
    seedCustomer: (input) => store.createCustomer({ partner_key: input.partnerKey, customer_key: input.customerKey, email: input.email, name: input.name }),
    seedReward: (input) => store.addReward(input),
    seedDeal: (input) => store.createDeal({ partner_key: input.partnerKey, account_name: input.accountName, amount: input.amount, external_key: input.externalKey }),
    addDealStage: (stage) => void store.groups[0].deal_stages.push(stage),
    setDealStage: (dealKey, stage) => void store.updateDeal(dealKey, { stage }),
    archivePartner: (partnerKey) => void store.archivePartner(partnerKey),
    state: () => ({ partnerships: store.partnerships, archived: [...store.archived], deals: store.deals, customers: store.customers, rewards: store.rewards }),
    sendWebhook: (url, event, record) => deliverWebhook(url, JSON.stringify(asDelivered(event, record)), {}),
    reset() {
      store = new PartnerStackFakeStore();
      kit.journal.length = 0;
    },
    close: () => kit.close(),
    subscribe: (url) => void (webhookUrl = url),
    async registerDeal(input) {
      const integration = connected();
      if (!webhookUrl) throw new FakeError(409, 'no webhook subscribed: PartnerStack has nowhere to send deal.created (is the API running?)');
      store.partner(input.partnerKey);
      if (store.archived.has(input.partnerKey)) throw new FakeError(400, `partnership ${input.partnerKey} is archived`, 'partner_key');
      // The integration's HubSpot deal first, so a refusal there (no such company) leaves no unlinked deal behind.
      const accountName = input.accountName ?? (await integration.companyName(input.hubspotCompanyId));
      const externalKey = await integration.dealRegistered({ accountName, amount: input.amount ?? null }, input.hubspotCompanyId);
      const deal = store.createDeal({ partner_key: input.partnerKey, account_name: accountName, amount: input.amount, external_key: externalKey });
      const { status } = await fake.sendWebhook(webhookUrl, 'deal.created', { ...deal });
      return { deal, delivered: { url: webhookUrl, status } };
    },
    async addReferral(dealKey) {
      const deal = store.deal(dealKey);
      if (!deal.partner_key) throw new FakeError(409, `deal ${dealKey} has no partner to list a referral under`);
      const referral = await connected().referralOf(deal);
      return store.customers.find((c) => c.customer_key === referral.customerKey) ?? store.createCustomer({ partner_key: deal.partner_key, customer_key: referral.customerKey, email: referral.email, name: referral.name });
    },
  };
  const connected = () => fake.integration ?? (() => { throw new FakeError(409, 'no HubSpot integration is connected to this PartnerStack'); })();

  const { app } = kit;
  app.post('/__control/partners', async (request: FastifyRequest<{ Body: { email: string; firstName?: string; lastName?: string; groupKey?: string } }>) => fake.seedPartner(request.body));
  app.post('/__control/groups', async (request: FastifyRequest<{ Body: { name: string } }>) => fake.seedGroup(request.body.name));
  app.post('/__control/deals', async (request: FastifyRequest<{ Body: { partnerKey: string; accountName: string; amount?: number; externalKey?: string } }>) => fake.seedDeal(request.body));
  app.post('/__control/customers', async (request: FastifyRequest<{ Body: { partnerKey: string; customerKey: string; email: string; name?: string } }>) => fake.seedCustomer(request.body));
  app.post('/__control/rewards', async (request: FastifyRequest<{ Body: { partnerKey: string; amount: number; status?: RewardStatus; description?: string } }>) => fake.seedReward(request.body));
  app.post('/__control/stages', async (request: FastifyRequest<{ Body: { stage: string } }>, reply: FastifyReply) => {
    fake.addDealStage(request.body.stage);
    return reply.code(204).send();
  });
  app.get('/__control/state', async () => fake.state());
  app.post('/__control/webhook', async (request: FastifyRequest<{ Body: { url: string } }>, reply: FastifyReply) => {
    fake.subscribe(request.body.url);
    return reply.code(204).send();
  });
  app.post('/__control/deals/register', async (request: FastifyRequest<{ Body: { partnerKey: string; accountName?: string; amount?: number; hubspotCompanyId: string } }>) => fake.registerDeal(request.body));
  app.post('/__control/deals/:key/referral', async (request: FastifyRequest<{ Params: { key: string } }>) => fake.addReferral(request.params.key));
  // What PartnerStack's dashboard does when a reward is paid out (`npm run cli -- fake pay-reward <key>`).
  app.post('/__control/rewards/:key/paid', async (request: FastifyRequest<{ Params: { key: string } }>, reply: FastifyReply) => {
    const reward = store.rewards.find((r) => r.key === request.params.key);
    if (!reward) return reply.code(404).send({ message: `no reward '${request.params.key}'` });
    Object.assign(reward, { reward_status: 'paid', updated_at: Date.now() });
    return reward;
  });
  app.post('/__control/webhooks', async (request: FastifyRequest<{ Body: { url: string; event: string; record: Record<string, unknown> } }>) =>
    fake.sendWebhook(request.body.url, request.body.event, request.body.record),
  );

  persistStore(kit.app, options.stateFile, () => store);
  fake.origin = await kit.listen(options.port);
  fake.url = `${fake.origin}/api`;
  fake.env = { PARTNERSTACK_API_KEY: publicKey, PARTNERSTACK_API_SECRET: secretKey, PARTNERSTACK_BASE_URL: fake.url, PARTNERSTACK_TIMEOUT_MS: '10000', PARTNERSTACK_WEBHOOK_TOKEN: webhookToken };
  return fake;
}

/**
 * A webhook body as PartnerStack sends it (issue 8, from PartnerStack's webhook reference): the record's own
 * fields with a top-level `event`, and booleans such as `archived` as the strings "true"/"false".
 */
function asDelivered(event: string, record: Record<string, unknown>): Record<string, unknown> {
  const fields = Object.fromEntries(Object.entries(record).map(([k, v]) => [k, typeof v === 'boolean' ? String(v) : v]));
  return { ...fields, event };
}
