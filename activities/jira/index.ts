/**
 * The Jira connector as the worker sees it: configuration from the environment, the jira.js-based client,
 * the actions (its local fake lives in fakes/jira/, which the worker never imports).
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
};

export { JiraClient } from './client';
export type { JiraConfig } from './config';
export { idempotencyLabel } from './actions';
export { verifyJiraWebhook, isMovedToDone, JiraIssueEventSchema, type JiraIssueEvent } from './webhook';
