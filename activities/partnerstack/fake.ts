/**
 * A local PartnerStack: a real HTTP server on 127.0.0.1 answering the `/api/v2` endpoints the PartnerStack
 * actions call (partnerships, deals, customers, rewards) with Basic auth and the `{data, message, status}`
 * envelope. Point PARTNERSTACK_BASE_URL at `<url>` (which already ends in `/api`).
 *
 * Control, in process (methods on the returned object) or over HTTP under `/__control`:
 *   seedPartner / POST /__control/partners      seedReward / POST /__control/rewards
 *   addDealStage / POST /__control/stages       state() / GET /__control/state
 *   injectFault / POST /__control/faults        journal / GET /__control/journal
 *   sendWebhook / POST /__control/webhooks      reset / POST /__control/reset
 * Webhooks are unsigned, as PartnerStack documents no signature (see webhook.ts).
 */
import { randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { RunningFake } from '../shared/action';
import { createFakeKit, deliverWebhook, type Fault, type JournalEntry } from '../shared/fake-kit';
import { constantTimeEqual } from '../shared/webhook';
import { envelope, pageOf, PartnerStackFakeError, PartnerStackFakeStore, type FakeCustomer, type FakeDeal, type FakePartnership, type FakeReward } from './fake-store';

export interface PartnerStackFake extends RunningFake {
  /** `http://127.0.0.1:<port>`: where `/__control` lives (`url` is the API base, `<origin>/api`). */
  origin: string;
  publicKey: string;
  secretKey: string;
  journal: JournalEntry[];
  injectFault(fault: Fault): void;
  seedPartner(input: { email: string; firstName?: string; lastName?: string }): FakePartnership;
  seedReward(input: { partnerKey: string; amount: number; status?: string; description?: string }): FakeReward;
  /** Adds a stage to the default group's deal-stage list. */
  addDealStage(stage: string): void;
  /** Moves a deal the way the HubSpot sync or a person in the portal would. */
  setDealStage(dealKey: string, stage: string): void;
  state(): { partnerships: FakePartnership[]; deals: FakeDeal[]; customers: FakeCustomer[]; rewards: FakeReward[] };
  /** POSTs `{event, data, created_at}` to `url`, unsigned. */
  sendWebhook(url: string, event: string, data: unknown): Promise<{ status: number }>;
  reset(): void;
}

type Params<T extends string> = { [K in T]: string };
type Body = Record<string, unknown>;
type ListQuery = { limit?: string; starting_after?: string; email?: string; partner_key?: string; status?: string };

export async function startPartnerStackFake(options: { publicKey?: string; secretKey?: string } = {}): Promise<PartnerStackFake> {
  const publicKey = options.publicKey ?? `pk_fake_${randomBytes(8).toString('hex')}`;
  const secretKey = options.secretKey ?? `sk_fake_${randomBytes(16).toString('hex')}`;
  const expectedAuth = `Basic ${Buffer.from(`${publicKey}:${secretKey}`).toString('base64')}`;
  let store = new PartnerStackFakeStore();

  const kit = createFakeKit({
    reset: () => fake.reset(),
    authorize: (request) => constantTimeEqual(request.headers.authorization ?? '', expectedAuth),
    errorBody: (status, message) => envelope(status, message),
  });
  const { app } = kit;
  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof PartnerStackFakeError) return reply.code(error.status).send(envelope(error.status, error.message, null, error.field));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    return reply.code(status).send(envelope(status, (error as Error).message));
  });

  const ok = (data: unknown) => envelope(200, 'Success', data);
  const api = '/api/v2';

  app.get(`${api}/partnerships`, async (request: FastifyRequest<{ Querystring: ListQuery }>) => {
    const email = request.query.email?.toLowerCase();
    return ok(pageOf(store.partnerships.filter((p) => !email || p.email.toLowerCase() === email), request.query));
  });
  app.get(`${api}/partnerships/:key`, async (request: FastifyRequest<{ Params: Params<'key'> }>) => ok(store.partner(request.params.key)));
  app.delete(`${api}/partnerships/:key`, async (request: FastifyRequest<{ Params: Params<'key'> }>) => ok(store.archivePartner(request.params.key)));

  app.get(`${api}/deals`, async (request: FastifyRequest<{ Querystring: ListQuery }>) =>
    ok(pageOf(store.deals.filter((d) => !request.query.partner_key || d.partner_key === request.query.partner_key), request.query)),
  );
  app.post(`${api}/deals`, async (request: FastifyRequest<{ Body: Body }>) => ok(store.createDeal(request.body ?? {})));
  app.get(`${api}/deals/:key`, async (request: FastifyRequest<{ Params: Params<'key'> }>) => ok(store.deal(request.params.key)));
  app.patch(`${api}/deals/:key`, async (request: FastifyRequest<{ Params: Params<'key'>; Body: Body }>) => ok(store.updateDeal(request.params.key, request.body ?? {})));
  app.delete(`${api}/deals/:key`, async (request: FastifyRequest<{ Params: Params<'key'> }>) => {
    const deal = store.deal(request.params.key);
    deal.archived = true;
    return ok(deal);
  });

  app.get(`${api}/customers`, async (request: FastifyRequest<{ Querystring: ListQuery }>) =>
    ok(pageOf(store.customers.filter((c) => !request.query.partner_key || c.partner_key === request.query.partner_key), request.query)),
  );
  app.post(`${api}/customers`, async (request: FastifyRequest<{ Body: Body }>) => ok(store.createCustomer(request.body ?? {})));
  app.get(`${api}/customers/:customerKey`, async (request: FastifyRequest<{ Params: Params<'customerKey'> }>) => ok(store.customer(request.params.customerKey)));

  app.get(`${api}/rewards`, async (request: FastifyRequest<{ Querystring: ListQuery }>) => {
    const { partner_key, status } = request.query;
    return ok(pageOf(store.rewards.filter((r) => (!partner_key || r.partner_key === partner_key) && (!status || r.status === status)), request.query));
  });

  const fake: PartnerStackFake = {
    system: 'partnerstack',
    url: '',
    origin: '',
    publicKey,
    secretKey,
    journal: kit.journal,
    injectFault: kit.injectFault,
    seedPartner: (input) => store.addPartner(input),
    seedReward: (input) => store.addReward(input),
    addDealStage: (stage) => void store.groups[0].deal_stages.push(stage),
    setDealStage: (dealKey, stage) => void store.updateDeal(dealKey, { stage }),
    state: () => ({ partnerships: store.partnerships, deals: store.deals, customers: store.customers, rewards: store.rewards }),
    sendWebhook: (url, event, data) => deliverWebhook(url, JSON.stringify({ event, data, created_at: Date.now() }), {}),
    reset() {
      store = new PartnerStackFakeStore();
      kit.journal.length = 0;
    },
    close: () => kit.close(),
  };

  app.post('/__control/partners', async (request: FastifyRequest<{ Body: { email: string; firstName?: string; lastName?: string } }>) => fake.seedPartner(request.body));
  app.post('/__control/rewards', async (request: FastifyRequest<{ Body: { partnerKey: string; amount: number; status?: string; description?: string } }>) => fake.seedReward(request.body));
  app.post('/__control/stages', async (request: FastifyRequest<{ Body: { stage: string } }>, reply: FastifyReply) => {
    fake.addDealStage(request.body.stage);
    return reply.code(204).send();
  });
  app.get('/__control/state', async () => fake.state());
  app.post('/__control/webhooks', async (request: FastifyRequest<{ Body: { url: string; event: string; data: unknown } }>) =>
    fake.sendWebhook(request.body.url, request.body.event, request.body.data),
  );

  fake.origin = await kit.listen();
  fake.url = `${fake.origin}/api`;
  return fake;
}
