/**
 * The Jira connector as the worker sees it: configuration from the environment, the jira.js-based client,
 * the actions, and the local fake (loaded on demand, so importing the catalogue never loads the fake server).
 */
import type { Connector } from '../shared/action';
import { jiraActions } from './actions';
import { JiraClient } from './client';
import { configFromEnv, type JiraConfig } from './config';

export const jiraConnector: Connector<JiraClient, JiraConfig> = {
  system: 'jira',
  configFromEnv,
  createClient: (config) => new JiraClient(config),
  actions: jiraActions,
  async startFake() {
    const { startJiraFake } = await import('./fake');
    const fake = await startJiraFake();
    return { fake, config: { host: fake.url, email: fake.email, apiToken: fake.apiToken, timeoutMs: 10_000, webhookSecret: fake.webhookSecret } };
  },
};

export { JiraClient } from './client';
export type { JiraConfig } from './config';
export { idempotencyLabel } from './actions';
export { verifyJiraWebhook, isMovedToDone, JiraIssueEventSchema, type JiraIssueEvent } from './webhook';
