/**
 * The JotForm connector as the worker sees it: configuration from the environment, the small typed client,
 * the re-read action and the webhook confirmation helper for the ingress (its local fake lives in
 * fakes/jotform/, which the worker never imports).
 */
import type { Connector } from '../shared/action';
import { jotformActions } from './actions';
import { JotFormClient } from './client';
import { configFromEnv, type JotFormConfig } from './config';

export const jotformConnector: Connector<JotFormClient, JotFormConfig> = {
  system: 'jotform',
  configFromEnv,
  createClient: (config) => new JotFormClient(config),
  actions: jotformActions,
};

export { JotFormClient, type ReadSubmission, type SubmissionAnswer } from './client';
export type { JotFormConfig } from './config';
export { confirmJotFormSubmission, verifyJotFormToken, type JotFormConfirmation } from './webhook';
