/**
 * The PartnerStack connector as the worker sees it: configuration from the environment, the client, the
 * actions (its local fake lives in fakes/partnerstack/, which the worker never imports).
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
};

export { PartnerStackClient } from './client';
export type { PartnerStackConfig } from './config';
export { confirmEvent as confirmPartnerStackEvent, verifyPathToken as verifyPartnerStackWebhookToken } from './webhook';
