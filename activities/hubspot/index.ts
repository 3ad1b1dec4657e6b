/**
 * The HubSpot connector as the worker sees it: configuration from the environment, the client, the
 * actions, and the local fake (loaded on demand, so importing the catalogue never loads the fake server).
 */
import type { Connector } from '../shared/action';
import { hubspotActions } from './actions';
import { HubSpotClient } from './client';
import { configFromEnv, type HubSpotConfig } from './config';

export const hubspotConnector: Connector<HubSpotClient, HubSpotConfig> = {
  system: 'hubspot',
  configFromEnv,
  createClient: (config) => new HubSpotClient(config),
  actions: hubspotActions,
  async startFake() {
    const { startHubSpotFake } = await import('./fake');
    const fake = await startHubSpotFake();
    return { fake, config: { accessToken: fake.accessToken, baseUrl: fake.url, timeoutMs: 10_000, webhookSecret: fake.webhookSecret } };
  },
};

export { HubSpotClient } from './client';
export type { HubSpotConfig } from './config';
export { verifyV3 as verifyHubSpotSignature } from './webhook';
