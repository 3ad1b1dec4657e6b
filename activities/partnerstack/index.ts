/**
 * The PartnerStack connector as the worker sees it: configuration from the environment, the client, the
 * actions, and the local fake (loaded on demand, so importing the catalogue never loads the fake server).
 */
import type { Connector } from '../shared/action';
import { partnerstackActions } from './actions';
import { PartnerStackClient } from './client';
import { configFromEnv, type PartnerStackConfig } from './config';

export const partnerstackConnector: Connector<PartnerStackClient, PartnerStackConfig> = {
  system: 'partnerstack',
  configFromEnv,
  createClient: (config) => new PartnerStackClient(config),
  actions: partnerstackActions,
  async startFake() {
    const { startPartnerStackFake } = await import('./fake');
    const fake = await startPartnerStackFake();
    return { fake, config: { publicKey: fake.publicKey, secretKey: fake.secretKey, baseUrl: fake.url, timeoutMs: 10_000 } };
  },
};

export { PartnerStackClient } from './client';
export type { PartnerStackConfig } from './config';
export { confirmEvent as confirmPartnerStackEvent, verifyPathToken as verifyPartnerStackWebhookToken } from './webhook';
