/**
 * The HubSpot connector as the worker sees it: configuration from the environment, the client, the
 * actions (its local fake lives in fakes/hubspot/, which the worker never imports).
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
};

export { HubSpotClient } from './client';
export type { HubSpotConfig } from './config';
export { verifyV3 as verifyHubSpotSignature } from './webhook';
