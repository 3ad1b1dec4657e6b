/**
 * The PandaDoc connector as the worker sees it: configuration from the environment, the official client,
 * the actions, the webhook checks, and the local fake in `fakes/pandadoc/` (loaded on demand, only when no
 * credentials are set).
 */
import type { Connector } from '../shared/action';
import { pandadocActions } from './actions';
import { PandaDocClient } from './client';
import { configFromEnv, PandaDocConfigSchema, type PandaDocConfig } from './config';

export const pandadocConnector: Connector<PandaDocClient, PandaDocConfig> = {
  system: 'pandadoc',
  configFromEnv,
  createClient: (config) => new PandaDocClient(config),
  actions: pandadocActions,
  async startFake() {
    const { startPandaDocFake } = await import('../../fakes/pandadoc');
    const fake = await startPandaDocFake();
    return { fake, config: PandaDocConfigSchema.parse({ apiKey: fake.apiKey, baseUrl: fake.url, webhookKey: fake.webhookKey, timeoutMs: 10_000 }) };
  },
};

export { PandaDocClient } from './client';
export type { PandaDocConfig } from './config';
export { readPandaDocEvents, verifyPandaDocSignature, type PandaDocEvent } from './webhook';
