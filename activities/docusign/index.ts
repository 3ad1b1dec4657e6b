/**
 * The DocuSign connector as the worker sees it: configuration from the environment, the client (official
 * SDK plus our JWT-grant sign-in), the actions and the Connect checks (its
 * local fake lives in fakes/docusign/, which the worker never imports).
 */
import type { Connector } from '../shared/action';
import { docusignActions } from './actions';
import { DocuSignClient } from './client';
import { configFromEnv, type DocuSignConfig } from './config';

export const docusignConnector: Connector<DocuSignClient, DocuSignConfig> = {
  system: 'docusign',
  configFromEnv,
  createClient: (config) => new DocuSignClient(config),
  actions: docusignActions,
};

export { DocuSignClient } from './client';
export type { DocuSignConfig } from './config';
export { readDocuSignEvent, verifyDocuSignConnect, type DocuSignEvent } from './webhook';
