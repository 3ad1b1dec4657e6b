/**
 * The Salesforce connector as the worker sees it: configuration from the environment, the jsforce-based
 * client and the actions (its local fake lives in fakes/salesforce/, which the worker never imports).
 */
import type { Connector } from '../shared/action';
import { salesforceActions } from './actions';
import { SalesforceClient } from './client';
import { configFromEnv, type SalesforceConfig } from './config';

export const salesforceConnector: Connector<SalesforceClient, SalesforceConfig> = {
  system: 'salesforce',
  configFromEnv,
  createClient: (config) => new SalesforceClient(config),
  actions: salesforceActions,
};

export { SalesforceClient } from './client';
export type { SalesforceConfig } from './config';
