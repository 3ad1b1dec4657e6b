/**
 * The NICE CXone connector as the worker sees it: configuration from the environment, the thin DFO client,
 * the actions (its local fake lives in fakes/cxone/, which the worker never imports).
 */
import type { Connector } from '../shared/action';
import { cxoneActions } from './actions';
import { CxoneClient } from './client';
import { configFromEnv, type CxoneConfig } from './config';

export const cxoneConnector: Connector<CxoneClient, CxoneConfig> = {
  system: 'cxone',
  configFromEnv,
  createClient: (config) => new CxoneClient(config),
  actions: cxoneActions,
};

export { CxoneClient } from './client';
export type { CxoneConfig } from './config';
