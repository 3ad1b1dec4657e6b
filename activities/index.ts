/**
 * The connectors the engine can call, as the worker and the definition compiler see them.
 *
 * - `catalogue`: every action's name, purpose and input schema; the compiler checks `call:` steps with it.
 * - `startActivities(env)`: builds each connector's client from the environment, or, when a system has no
 *   credentials configured, starts its local fake and points the client at it (the embedded default); plus
 *   the `notify` activity, which e-mails a role's holders from the people directory (`PEOPLE_FILE`).
 *
 * Workflow code never imports this folder except as types: activities run outside the sandbox.
 */
import { catalogueOf, type Connector, type RunningFake } from './shared/action';
import { bindActions, type ActivityFunction } from './shared/bind';
import { cxoneConnector } from './cxone';
import { loadDirectory } from '../directory/load';
import { emailConnector, type EmailClient } from './email';
import { notifyActivities } from './notify';
import { hubspotConnector } from './hubspot';
import { jiraConnector } from './jira';
import { partnerstackConnector } from './partnerstack';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const connectors: readonly Connector<any, any>[] = [hubspotConnector, partnerstackConnector, cxoneConnector, jiraConnector, emailConnector];

export const catalogue = catalogueOf(connectors.flatMap((connector) => connector.actions));

export interface StartedActivities {
  activities: Record<string, ActivityFunction>;
  /** The fakes started for systems without credentials; close them on shutdown. */
  fakes: RunningFake[];
}

export async function startActivities(env: NodeJS.ProcessEnv, options: { fakesOnly?: boolean } = {}): Promise<StartedActivities> {
  const activities: Record<string, ActivityFunction> = {};
  const fakes: RunningFake[] = [];
  let email: EmailClient | undefined;
  for (const connector of connectors) {
    let config = options.fakesOnly ? undefined : connector.configFromEnv(env);
    if (config === undefined) {
      const started = await connector.startFake();
      fakes.push(started.fake);
      config = started.config;
    }
    const client = connector.createClient(config);
    if (connector === emailConnector) email = client;
    Object.assign(activities, bindActions(connector.actions, client));
  }
  // Task notifications: the directory says who holds a role; the e-mail connector sends.
  Object.assign(activities, notifyActivities({ email: email!, directory: loadDirectory(env.PEOPLE_FILE || undefined), inboxUrl: env.INBOX_URL }));
  return { activities, fakes };
}
