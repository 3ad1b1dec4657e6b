/**
 * The PandaDoc connector as the worker sees it: configuration from the environment, the official client,
 * the actions and the webhook checks (its
 * local fake lives in fakes/pandadoc/, which the worker never imports).
 */
import type { Connector } from '../shared/action';
import { pandadocActions } from './actions';
import { PandaDocClient } from './client';
import { configFromEnv, type PandaDocConfig } from './config';

export const pandadocConnector: Connector<PandaDocClient, PandaDocConfig> = {
  system: 'pandadoc',
  configFromEnv,
  createClient: (config) => new PandaDocClient(config),
  actions: pandadocActions,
};

export { PandaDocClient } from './client';
export type { PandaDocConfig } from './config';
export { readPandaDocEvents, verifyPandaDocSignature, type PandaDocEvent } from './webhook';
