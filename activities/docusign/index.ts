/**
 * The DocuSign connector as the worker sees it: configuration from the environment, the client (official
 * SDK plus our JWT-grant sign-in), the actions, the Connect checks, and the local fake in `fakes/docusign/`
 * (loaded on demand, only when no credentials are set).
 */
import type { Connector } from '../shared/action';
import { docusignActions } from './actions';
import { DocuSignClient } from './client';
import { configFromEnv, DocuSignConfigSchema, type DocuSignConfig } from './config';

export const docusignConnector: Connector<DocuSignClient, DocuSignConfig> = {
  system: 'docusign',
  configFromEnv,
  createClient: (config) => new DocuSignClient(config),
  actions: docusignActions,
  async startFake() {
    const { startDocuSignFake } = await import('../../fakes/docusign');
    const fake = await startDocuSignFake();
    return {
      fake,
      config: DocuSignConfigSchema.parse({ oauthUrl: fake.url, integrationKey: fake.integrationKey, userId: fake.userId, privateKey: fake.privateKey, connectKeys: [fake.connectKey], timeoutMs: 10_000 }),
    };
  },
};

export { DocuSignClient } from './client';
export type { DocuSignConfig } from './config';
export { readDocuSignEvent, verifyDocuSignConnect, type DocuSignEvent } from './webhook';
