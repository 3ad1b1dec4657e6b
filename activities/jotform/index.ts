/**
 * The JotForm connector as the worker sees it: configuration from the environment, the small typed client,
 * the re-read action, the webhook confirmation helper for the ingress, and the local fake in
 * `fakes/jotform/` (loaded on demand, only when no credentials are set).
 */
import type { Connector } from '../shared/action';
import { jotformActions } from './actions';
import { JotFormClient } from './client';
import { configFromEnv, JotFormConfigSchema, type JotFormConfig } from './config';

export const jotformConnector: Connector<JotFormClient, JotFormConfig> = {
  system: 'jotform',
  configFromEnv,
  createClient: (config) => new JotFormClient(config),
  actions: jotformActions,
  async startFake() {
    const { startJotFormFake, CHANNEL_PARTNER_FORM_ID } = await import('../../fakes/jotform');
    const fake = await startJotFormFake();
    return { fake, config: JotFormConfigSchema.parse({ apiKey: fake.apiKey, baseUrl: fake.url, formIds: [CHANNEL_PARTNER_FORM_ID], webhookToken: fake.webhookToken, timeoutMs: 10_000 }) };
  },
};

export { JotFormClient, type ReadSubmission, type SubmissionAnswer } from './client';
export type { JotFormConfig } from './config';
export { confirmJotFormSubmission, verifyJotFormToken, type JotFormConfirmation } from './webhook';
