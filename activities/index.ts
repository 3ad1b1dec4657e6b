/**
 * The connectors the engine can call, as the worker and the definition compiler see them.
 *
 * - `catalogue`: every action's name, purpose and input schema; the compiler checks `call:` steps with it.
 * - `startActivities(env)`: builds each connector's client from the environment. A system with no
 *   configuration has no activities; the sandbox mode (`npm start`, the tests) first starts the local fakes
 *   (fakes/index.ts) and passes the environment they publish.
 * - `notify`: e-mails a role's holders from the people directory (`PEOPLE_FILE`) through the e-mail connector.
 *
 * Workflow code never imports this folder except as types: activities run outside the sandbox.
 */
import { catalogueOf, type Connector } from './shared/action';
import { bindActions, type ActivityFunction } from './shared/bind';
import { cxoneConnector } from './cxone';
import { loadDirectory } from '../directory/load';
import { docusignConnector } from './docusign';
import { emailConnector, type EmailClient } from './email';
import { notifyActivities } from './notify';
import { hubspotConnector } from './hubspot';
import { jiraConnector } from './jira';
import { jotformConnector } from './jotform';
import { pandadocConnector } from './pandadoc';
import { partnerstackConnector } from './partnerstack';
import { salesforceConnector } from './salesforce';

export const connectors: readonly Connector<any, any>[] = [ // eslint-disable-line @typescript-eslint/no-explicit-any
  hubspotConnector,
  partnerstackConnector,
  cxoneConnector,
  jiraConnector,
  emailConnector,
  salesforceConnector,
  pandadocConnector,
  docusignConnector,
  jotformConnector,
];

export const catalogue = catalogueOf(connectors.flatMap((connector) => connector.actions));

export interface StartedActivities {
  activities: Record<string, ActivityFunction>;
  /** Systems without configuration: their actions are not registered. */
  unconfigured: string[];
}

export function startActivities(env: NodeJS.ProcessEnv): StartedActivities {
  const activities: Record<string, ActivityFunction> = {};
  const unconfigured: string[] = [];
  let email: EmailClient | undefined;
  for (const connector of connectors) {
    const config = connector.configFromEnv(env);
    if (config === undefined) {
      unconfigured.push(connector.system);
      continue;
    }
    const client = connector.createClient(config);
    if (connector === emailConnector) email = client;
    Object.assign(activities, bindActions(connector.actions, client));
  }
  // Task notifications: the directory says who holds a role; the e-mail connector sends (none without it).
  if (email) Object.assign(activities, notifyActivities({ email, directory: loadDirectory(env.PEOPLE_FILE || undefined), inboxUrl: env.INBOX_URL }));
  return { activities, unconfigured };
}
