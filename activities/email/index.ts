/**
 * The e-mail connector as the worker sees it: SMTP configuration from the environment, the nodemailer-based
 * client, the actions, and the local SMTP fake (loaded on demand, so importing the catalogue never loads it).
 */
import type { Connector } from '../shared/action';
import { emailActions } from './actions';
import { EmailClient } from './client';
import { configFromEnv, type EmailConfig } from './config';

export const emailConnector: Connector<EmailClient, EmailConfig> = {
  system: 'email',
  configFromEnv,
  createClient: (config) => new EmailClient(config),
  actions: emailActions,
};

export { EmailClient } from './client';
export type { EmailConfig } from './config';
export { TEMPLATES as emailTemplates } from './templates';
