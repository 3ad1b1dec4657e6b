/**
 * The Salesforce connector as the worker sees it: configuration from the environment, the jsforce-based
 * client, the actions, and the local fake in `fakes/salesforce/` (loaded on demand, only when no
 * credentials are set, so the worker never loads it otherwise).
 */
import type { Connector } from '../shared/action';
import { salesforceActions } from './actions';
import { SalesforceClient } from './client';
import { configFromEnv, SalesforceConfigSchema, type SalesforceConfig } from './config';

export const salesforceConnector: Connector<SalesforceClient, SalesforceConfig> = {
  system: 'salesforce',
  configFromEnv,
  createClient: (config) => new SalesforceClient(config),
  actions: salesforceActions,
  async startFake() {
    const { startSalesforceFake } = await import('../../fakes/salesforce');
    const fake = await startSalesforceFake();
    return { fake, config: SalesforceConfigSchema.parse({ loginUrl: fake.url, clientId: fake.clientId, clientSecret: fake.clientSecret, timeoutMs: 10_000 }) };
  },
};

export { SalesforceClient } from './client';
export type { SalesforceConfig } from './config';
