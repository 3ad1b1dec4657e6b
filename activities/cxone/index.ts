/**
 * The NICE CXone connector as the worker sees it: configuration from the environment, the thin DFO client,
 * the actions, and the local fake (loaded on demand, so importing the catalogue never loads the fake server).
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
  async startFake() {
    const { startCxoneFake } = await import('./fake');
    const fake = await startCxoneFake();
    return {
      fake,
      config: { issuerUrl: fake.url, clientId: fake.clientId, clientSecret: fake.clientSecret, accessKeyId: fake.accessKeyId, accessKeySecret: fake.accessKeySecret, timeoutMs: 10_000 },
    };
  },
};

export { CxoneClient } from './client';
export type { CxoneConfig } from './config';
